/**
 * The trust boundary: every piece of user or model code runs here, one hardened container per run.
 * No network, a read-only root, a throwaway writable copy of the workspace per run, a small /tmp,
 * no capabilities, no new privileges, a non-root user, pids/memory/CPU limits, a wall-clock timeout and capped output. Containers carry
 * OpsGuard's labels and are always removed, also on abort and on SIGINT/SIGTERM.
 */
import Docker from "dockerode";
import { statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { packageRoot } from "../system/packageRoot.js";
import { Writable } from "node:stream";
import { registerCleanup } from "../system/cleanup.js";
import { AbortedError, InfraError } from "../errors.js";
import { createRunCopy, type RunCopy } from "../workspace/runCopy.js";
import type { EndReason, SandboxResult } from "./sandboxResult.js";
import { isAlive } from "../system/processAlive.js";
import type { View } from "./views.js";
import { LABEL, LABEL_HOST, LABEL_PID, ownLabels } from "./labels.js";
import { fetchDir, placeViews, transportFor } from "./transport.js";

export const DEFAULT_IMAGE = "opsguard-sandbox:py3.11";
export const WORKSPACE_MOUNT = "/workspace";
/** OpsGuard's own Python runners (sandbox/python), mounted read-only next to the workspace. */
export const RUNTIME_MOUNT = "/opsguard";
const runtimeDir = () => join(packageRoot(), "sandbox", "python");

export interface SandboxLimits {
  /** Wall-clock limit of one run, in ms. */
  timeoutMs: number;
  memoryBytes: number;
  cpus: number;
  pidsLimit: number;
  /** Cap of stdout and of stderr, each, in bytes; beyond it the run is stopped. */
  maxOutputBytes: number;
  tmpfsBytes: number;
}

export const DEFAULT_LIMITS: SandboxLimits = {
  timeoutMs: 30_000,
  memoryBytes: 512 * 1024 * 1024,
  cpus: 1,
  pidsLimit: 128,
  maxOutputBytes: 1024 * 1024,
  tmpfsBytes: 64 * 1024 * 1024,
};

export interface RunOptions extends Partial<SandboxLimits> {
  image?: string;
  signal?: AbortSignal;
  /** Extra environment variables for the process in the container. */
  env?: Record<string, string>;
  /** A different layout of the container, for the sealed run (src/evidence/sealedCommand.ts). */
  layout?: ContainerLayout;
  /**
   * Called with the run's writable copy of the workspace after the process ended and before the copy
   * is removed: where callers check what the run changed (test files, fixed files).
   */
  afterRun?: (runCopy: string) => Promise<void>;
}

/**
 * Who the container's first process runs as and what it sees. The default is nobody with no
 * capabilities and the workspace at /workspace; the sealed run starts OpsGuard's own launcher as
 * root with only CAP_SETUID/CAP_SETGID, which it gives up before any user code runs.
 */
export interface ContainerLayout {
  user: string;
  capAdd: string[];
  workingDir: string;
  /** Files and directories of the workspace shown empty at /workspace. */
  hidden: { files: readonly string[]; dirs: readonly string[] };
  /** More host directories shown in the container, and tmpfs mounts (path -> options). */
  views: View[];
  tmpfs: Record<string, string>;
}

export interface Sandbox {
  /** Runs `command` in a throwaway writable copy of the workspace, mounted at /workspace (the working directory). */
  run(workspace: string, command: string[], options?: RunOptions): Promise<SandboxResult>;
  executePython(workspace: string, entry: string, options?: RunOptions): Promise<SandboxResult>;
  executePytest(workspace: string, options?: RunOptions & { args?: string[] }): Promise<SandboxResult>;
}

/** Attaches to a created container's output; `drained` settles once the engine has sent all of it. */
export async function attachOutput(container: Docker.Container): Promise<{ stream: NodeJS.ReadWriteStream; drained: Promise<void> }> {
  const stream = await container.attach({ stream: true, stdout: true, stderr: true });
  const drained = new Promise<void>((resolve) => {
    stream.on("end", resolve);
    stream.on("close", resolve);
    stream.on("error", () => resolve());
  });
  return { stream, drained };
}

export { LABEL } from "./labels.js";

// Nothing writes byte-code (it would only land in the throwaway copy); the image's own precompiled
// standard library and pytest are still read, which keeps pytest's start-up fast.
const BASE_ENV = {
  PYTHONDONTWRITEBYTECODE: "1",
  PYTHONUNBUFFERED: "1",
  HOME: "/tmp",
};

export function pythonCommand(entry: string): string[] {
  return ["python3", entry];
}

export function pytestCommand(args: string[] = []): string[] {
  return ["python3", "-m", "pytest", "-p", "no:cacheprovider", "-rA", "--color=no", ...args];
}

/** What entry mode runs: a file (`python path/to/file.py`) or a module (`python -m NAME`), with its arguments. */
export type EntryTarget = { file: string } | { module: string };

/** The entry file or module under OpsGuard's runner, which reports evidence (see sandbox/python/opsguard_entry.py). */
export function entryRunnerCommand(what: string | EntryTarget, args: readonly string[] = []): string[] {
  const target = typeof what === "string" ? { file: what } : what;
  const runs = "module" in target ? ["-m", target.module] : [target.file];
  return ["python3", `${RUNTIME_MOUNT}/opsguard_entry.py`, ...runs, ...args];
}

/** Gates 4 and 5 in one container: compile `files` with the sandbox's Python, then run `command`. */
export function compileThenRunCommand(files: string[], command: string[]): string[] {
  return ["python3", `${RUNTIME_MOUNT}/opsguard_verify.py`, ...files, "--", ...command];
}

/** pytest with OpsGuard's plugin: a time limit per test, and evidence (sandbox/python/opsguard_pytest.py). */
export function pytestRunnerCommand(args: string[] = []): string[] {
  return ["python3", "-m", "pytest", "-p", "opsguard_pytest", "-p", "no:cacheprovider", "-rA", "--color=no", ...args];
}

/** Keeps the first `cap` bytes of a stream and reports the moment the cap is passed. */
class CappedCollector extends Writable {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  exceeded = false;
  /** Date.now() of the last chunk received, 0 before any. */
  lastWriteAt = 0;

  constructor(
    private readonly cap: number,
    private readonly onExceeded: () => void,
  ) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.lastWriteAt = Date.now();
    const room = this.cap - this.size;
    if (room > 0) {
      const kept = chunk.length <= room ? chunk : chunk.subarray(0, room);
      this.chunks.push(kept);
      this.size += kept.length;
    }
    if (chunk.length > room && !this.exceeded) {
      this.exceeded = true;
      this.onExceeded();
    }
    done();
  }

  text(): string {
    const text = Buffer.concat(this.chunks).toString("utf8");
    return this.exceeded ? `${text}\n[opsguard: output cut off at ${this.cap} bytes]\n` : text;
  }
}

/** Where this client sends its requests, for messages. */
export function describeEngine(docker?: Docker): string {
  const modem = docker?.modem as { socketPath?: string; host?: string; port?: number; protocol?: string } | undefined;
  if (modem?.socketPath) return `unix://${modem.socketPath}`;
  if (modem?.host) return `${modem.protocol ?? "http"}://${modem.host}${modem.port ? `:${modem.port}` : ""}`;
  return process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock";
}

/** Maps a dockerode failure to a typed error that says what to do. */
export function toInfraError(err: unknown, image: string, docker?: Docker): InfraError {
  const e = err as { code?: string; statusCode?: number; message?: string };
  if (e.statusCode === 404 && /image/i.test(e.message ?? "")) {
    const python = /:py(\d+\.\d+)$/.exec(image)?.[1];
    const build = image === DEFAULT_IMAGE || !python ? "npm run sandbox:image" : `npm run sandbox:image -- ${image} --python ${python}`;
    return new InfraError(
      "IMAGE_MISSING",
      `The sandbox image ${image} is not present on the Docker engine. Build it with \`${build}\`, or pass --image / OPSGUARD_IMAGE.`,
      { cause: err },
    );
  }
  if (e.code && ["ECONNREFUSED", "ENOENT", "EACCES", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH"].includes(e.code)) {
    return new InfraError(
      "ENGINE_UNREACHABLE",
      `Cannot reach the Docker engine at ${describeEngine(docker)} (${e.code}). Start it (\`bash scripts/ensure-docker.sh\`, or \`dockerd &\`) or point DOCKER_HOST at a running engine.`,
      { cause: err },
    );
  }
  return new InfraError("ENGINE_ERROR", `The Docker engine refused the sandbox run: ${e.message ?? String(err)}`, {
    cause: err,
  });
}

/** Removes OpsGuard containers on this host whose owning process is gone. Returns how many. */
export async function sweepStaleContainers(docker: Docker): Promise<number> {
  const containers = await docker.listContainers({ all: true, filters: { label: [LABEL] } });
  const stale = containers.filter((c) => {
    const pid = Number(c.Labels[LABEL_PID]);
    return c.Labels[LABEL_HOST] === hostname() && Number.isInteger(pid) && pid !== process.pid && !isAlive(pid);
  });
  await Promise.all(stale.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
  return stale.length;
}

export interface DockerSandboxOptions {
  docker?: Docker;
  image?: string;
  limits?: Partial<SandboxLimits>;
}

export function createDockerSandbox(options: DockerSandboxOptions = {}): Sandbox {
  const docker = options.docker ?? new Docker();
  const defaults = { ...DEFAULT_LIMITS, ...options.limits };
  let swept: Promise<unknown> | undefined;

  async function run(workspace: string, command: string[], runOptions: RunOptions = {}): Promise<SandboxResult> {
    const image = runOptions.image ?? options.image ?? process.env.OPSGUARD_IMAGE ?? DEFAULT_IMAGE;
    const limits = { ...defaults, ...definedOnly(runOptions) };
    const signal = runOptions.signal;
    if (signal?.aborted) throw new AbortedError();
    if (!statSync(workspace, { throwIfNoEntry: false })?.isDirectory()) {
      throw new InfraError("WORKSPACE_MISSING", `The sandbox workspace ${workspace} is not a directory.`);
    }
    // Stale containers from killed runs are swept once per sandbox, alongside the first run.
    swept ??= sweepStaleContainers(docker).catch(() => 0);

    const env = { ...BASE_ENV, ...runOptions.env };
    const started = Date.now();
    const layout = runOptions.layout;
    let transport: Awaited<ReturnType<typeof transportFor>>;
    try {
      transport = await transportFor(docker, describeEngine(docker), image, workspace);
    } catch (err) {
      throw toInfraError(err, image, docker);
    }
    // An engine that sees this machine mounts a writable copy; any other gets the workspace shipped
    // into a volume of the container, which is the run's throwaway copy there.
    const copy: RunCopy | undefined = transport === "bind" ? await createRunCopy(workspace) : undefined;
    const views: View[] = [
      { target: WORKSPACE_MOUNT, source: copy?.path ?? workspace, readOnly: false, blankFiles: layout?.hidden.files, blankDirs: layout?.hidden.dirs },
      { target: RUNTIME_MOUNT, source: runtimeDir(), readOnly: true },
      ...(layout?.views ?? []),
    ];
    const placed = placeViews(transport, views);
    let container: Docker.Container;
    // A signal between the engine creating the container and this process learning its id must
    // still remove it: this task waits for the creation, then removes what was created.
    let creating: Promise<Docker.Container> | undefined;
    const unregisterCreating = registerCleanup(async () => {
      const created = await creating?.catch(() => undefined);
      await created?.remove({ force: true, v: true }).catch(() => undefined);
    });
    try {
      container = await (creating = docker.createContainer({
        Image: image,
        Cmd: command,
        WorkingDir: layout?.workingDir ?? WORKSPACE_MOUNT,
        User: layout?.user ?? "65534:65534",
        Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
        Labels: ownLabels(),
        NetworkDisabled: true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
        HostConfig: {
          NetworkMode: "none",
          ReadonlyRootfs: true,
          ...placed.hostConfig,
          Tmpfs: { "/tmp": `rw,nosuid,nodev,noexec,size=${limits.tmpfsBytes}`, ...layout?.tmpfs, ...placed.hostConfig.Tmpfs },
          CapDrop: ["ALL"],
          ...(layout?.capAdd.length ? { CapAdd: layout.capAdd } : {}),
          SecurityOpt: ["no-new-privileges"],
          PidsLimit: limits.pidsLimit,
          Memory: limits.memoryBytes,
          MemorySwap: limits.memoryBytes,
          NanoCpus: Math.round(limits.cpus * 1e9),
          // Output reaches us through attach; the engine keeps no log file a flood could fill.
          LogConfig: { Type: "none", Config: {} },
        },
      }));
      await placed.ship(container);
    } catch (err) {
      unregisterCreating();
      await (await creating?.catch(() => undefined))?.remove({ force: true, v: true }).catch(() => undefined);
      await copy?.remove();
      throw toInfraError(err, image, docker);
    }

    let removed: Promise<void> | undefined;
    const remove = () => (removed ??= container.remove({ force: true, v: true }).then(() => undefined, () => undefined));
    const unregister = registerCleanup(remove);
    unregisterCreating();

    let stopReason: EndReason | undefined;
    let stoppedAt: number | undefined;
    let aborted = false;
    const kill = (reason: EndReason | "aborted") => {
      if (reason === "aborted") aborted = true;
      else stopReason ??= reason;
      stoppedAt ??= Date.now();
      container.kill().catch(() => undefined);
    };
    const stdout = new CappedCollector(limits.maxOutputBytes, () => kill("output_limit"));
    const stderr = new CappedCollector(limits.maxOutputBytes, () => kill("output_limit"));
    const onAbort = () => kill("aborted");
    let timer: NodeJS.Timeout | undefined;
    let drainTimer: NodeJS.Timeout | undefined;
    signal?.addEventListener("abort", onAbort, { once: true });
    // The signal may have fired while the container was being created.
    if (signal?.aborted) onAbort();

    try {
      const { stream, drained } = await attachOutput(container);
      docker.modem.demuxStream(stream, stdout, stderr);
      await container.start();
      if (aborted) kill("aborted");
      timer = setTimeout(() => kill("timed_out"), limits.timeoutMs);
      const waited = (await container.wait()) as { StatusCode: number };
      const endedAt = stoppedAt ?? Date.now();
      clearTimeout(timer);
      await Promise.race([drained, new Promise((resolve) => (drainTimer = setTimeout(resolve, 2000)))]);
      const info = await container.inspect();
      if (aborted) throw new AbortedError("The sandbox run was aborted; its container was removed.");
      if (runOptions.afterRun) await afterRunOn(container, copy, runOptions.afterRun, limits);
      await remove();
      const endReason: EndReason = stopReason ?? (info.State.OOMKilled ? "out_of_memory" : "exited");
      return {
        exitCode: waited.StatusCode,
        stdout: stdout.text(),
        stderr: stderr.text(),
        durationMs: Date.now() - started,
        endReason,
        command,
        image,
        imageId: info.Image,
        quietMs: Math.max(0, endedAt - Math.max(stdout.lastWriteAt, stderr.lastWriteAt, started)),
      };
    } catch (err) {
      if (err instanceof AbortedError || err instanceof InfraError) throw err;
      if (aborted) throw new AbortedError("The sandbox run was aborted; its container was removed.");
      throw toInfraError(err, image, docker);
    } finally {
      clearTimeout(timer);
      clearTimeout(drainTimer);
      signal?.removeEventListener("abort", onAbort);
      await remove();
      unregister();
      await copy?.remove();
      await swept;
    }
  }

  return {
    run,
    executePython: (workspace, entry, runOptions) => run(workspace, pythonCommand(entry), runOptions),
    executePytest: (workspace, runOptions) => run(workspace, pytestCommand(runOptions?.args), runOptions),
  };
}

/** Hands the run's copy of the workspace to `afterRun`: the local copy, or what the engine's volume holds. */
async function afterRunOn(container: Docker.Container, copy: RunCopy | undefined, afterRun: (runCopy: string) => Promise<void>, limits: SandboxLimits): Promise<void> {
  if (copy) return afterRun(copy.path);
  const local = await mkdtemp(join(tmpdir(), "opsguard-fetched-"));
  const unregister = registerCleanup(() => rm(local, { recursive: true, force: true }));
  try {
    await fetchDir(container, WORKSPACE_MOUNT, local, 16 * limits.maxOutputBytes + 256 * 1024 * 1024);
    await afterRun(local);
  } finally {
    await rm(local, { recursive: true, force: true });
    unregister();
  }
}

function definedOnly(options: RunOptions): Partial<SandboxLimits> {
  const picked: Partial<SandboxLimits> = {};
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof SandboxLimits)[]) {
    const value = options[key];
    if (value !== undefined) picked[key] = value;
  }
  return picked;
}

let shared: Sandbox | undefined;
const sharedSandbox = () => (shared ??= createDockerSandbox());

/** Runs `python3 entry` in a fresh hardened container on the default engine. */
export function executePython(workspace: string, entry: string, options?: RunOptions): Promise<SandboxResult> {
  return sharedSandbox().executePython(workspace, entry, options);
}

/** Runs the workspace's pytest suite in a fresh hardened container on the default engine. */
export function executePytest(workspace: string, options?: RunOptions & { args?: string[] }): Promise<SandboxResult> {
  return sharedSandbox().executePytest(workspace, options);
}
