/**
 * Builds (or finds) the environment image of a repository: the sandbox base plus the repository's
 * declared dependencies. The build is its own phase, before any candidate exists: one container
 * FROM the base, as root, with the host's network only when something third-party is declared or
 * the repository has a `.opsguard/setup.sh` (so a 127.0.0.1 index works), which runs after the
 * installs; the container is committed under a tag that hashes what it was built from.
 * Verification runs later in that image, offline and hardened like any other sandbox run.
 */
import Docker from "dockerode";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { registerCleanup } from "../system/cleanup.js";
import { AbortedError, InfraError } from "../errors.js";
import {
  BUILD_EXTRA,
  BUILD_WORKSPACE,
  environmentHash,
  environmentTag,
  installScript,
  pipConfig,
  pipIndexSettings,
  SETUP_FAILED_EXIT,
  SETUP_MARKER,
  SETUP_SCRIPT,
  SETUP_STATUS_MARKER,
  type EnvironmentSpec,
  type SpecFile,
} from "./environmentSpec.js";
import { createRunCopy, type RunCopy } from "../workspace/runCopy.js";
import { placeViews, transportFor } from "../sandbox/transport.js";
import { attachOutput, describeEngine, toInfraError } from "../sandbox/docker.js";
import { ownLabels } from "../sandbox/labels.js";
import type { EnvironmentImage } from "../state/state.js";

export interface EnvironmentRequest {
  workspace: string;
  baseImage: string;
  spec: EnvironmentSpec;
  /** Files given with --requirements, staged for the build at /opsguard-env/requirements-N.txt. */
  overrides?: SpecFile[];
  signal?: AbortSignal;
}

export type { EnvironmentImage };

export interface EnvironmentBuilder {
  prepare(request: EnvironmentRequest): Promise<EnvironmentImage>;
}

export const ENV_LABEL = "dev.opsguard.env";
const BUILD_LIMIT_MS = 15 * 60_000;
const TAIL_LINES = 25;

/**
 * Splits a stream into lines for progress, keeping the last few for an error message. `onLine`
 * returns false for a line of OpsGuard's own (a marker) that the tail must not keep.
 */
class LineTail extends Writable {
  private partial = "";
  readonly lines: string[] = [];

  constructor(private readonly onLine: (line: string) => boolean) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    const text = this.partial + chunk.toString("utf8");
    const parts = text.split(/\r?\n/);
    this.partial = parts.pop() ?? "";
    for (const line of parts) this.push_(line);
    done();
  }

  flushPartial(): void {
    if (this.partial) this.push_(this.partial);
    this.partial = "";
  }

  /** Forgets the lines so far: the tail then shows only what a later step printed. */
  clear(): void {
    this.lines.length = 0;
  }

  private push_(line: string): void {
    if (!this.onLine(line)) return;
    this.lines.push(line);
    if (this.lines.length > TAIL_LINES) this.lines.shift();
  }
}

const tailText = (lines: string[]) => (lines.length ? lines.map((l) => `  ${l}`).join("\n") : "  (it printed nothing)");

export interface EnvironmentBuilderOptions {
  docker?: Docker;
  /** Where progress lines go (default: stderr). */
  progress?: (line: string) => void;
  /** Where the pip index settings come from (default: process.env). */
  env?: Record<string, string | undefined>;
}

export function createEnvironmentBuilder(options: EnvironmentBuilderOptions = {}): EnvironmentBuilder {
  const docker = options.docker ?? new Docker();
  const progress = options.progress ?? ((line: string) => process.stderr.write(`[opsguard] environment | ${line}\n`));

  async function inspectBase(name: string) {
    try {
      const info = await docker.getImage(name).inspect();
      return { id: info.Id, python: info.Config?.Labels?.["dev.opsguard.python"] ?? "" };
    } catch (err) {
      throw toInfraError(err, name, docker);
    }
  }

  async function build(request: EnvironmentRequest, tag: string, hash: string, base: { id: string; python: string }): Promise<string> {
    const { spec, signal } = request;
    const staging = await mkdtemp(join(tmpdir(), "opsguard-env-"));
    const unregister = registerCleanup(() => rm(staging, { recursive: true, force: true }));
    let copy: RunCopy | undefined;
    let container: Docker.Container | undefined;
    try {
      // The build reaches the workspace as every run does (src/sandbox/transport.ts): a copy mounted,
      // or shipped to an engine that does not share this machine's filesystem.
      const transport = await transportFor(docker, describeEngine(docker), base.id, request.workspace);
      if (transport === "bind") copy = await createRunCopy(request.workspace);
      const placed = placeViews(transport, [
        { target: BUILD_WORKSPACE, source: copy?.path ?? request.workspace, readOnly: false },
        { target: BUILD_EXTRA, source: staging, readOnly: true },
      ]);
      for (const [i, file] of (request.overrides ?? []).entries()) await writeFile(join(staging, `requirements-${i + 1}.txt`), file.content);
      const settings = pipIndexSettings(options.env ?? process.env);
      await writeFile(join(staging, "pip.conf"), pipConfig(settings));
      const where = settings.PIP_INDEX_URL ? ` from ${settings.PIP_INDEX_URL}` : "";
      const network = spec.thirdParty ? where : spec.network ? " (with the network, for .opsguard/setup.sh)" : " (offline: nothing third-party declared)";
      progress(`building ${tag} from ${request.baseImage}${network}`);
      container = await docker.createContainer({
        Image: base.id,
        Cmd: ["sh", "-c", installScript(spec)],
        User: "0:0",
        WorkingDir: BUILD_WORKSPACE,
        // Only the index settings reach pip, through its config file: never the host's other PIP_* values.
        Env: [`PIP_CONFIG_FILE=${BUILD_EXTRA}/pip.conf`, "PYTHONDONTWRITEBYTECODE=1", "HOME=/tmp"],
        Labels: ownLabels("build"),
        AttachStdout: true,
        AttachStderr: true,
        HostConfig: {
          NetworkMode: spec.network ? "host" : "none",
          ...placed.hostConfig,
          LogConfig: { Type: "none", Config: {} },
        },
      });
      await placed.ship(container);
    } catch (err) {
      await container?.remove({ force: true, v: true }).catch(() => undefined);
      await copy?.remove();
      await rm(staging, { recursive: true, force: true });
      unregister();
      throw toInfraError(err, request.baseImage, docker);
    }
    const removeContainer = registerCleanup(() => container!.remove({ force: true, v: true }).catch(() => undefined));
    let python = base.python;
    let setupStatus: string | undefined;
    const output = new LineTail((line) => {
      const version = /^OPSGUARD-PYTHON (\S+)/.exec(line);
      if (version?.[1]) {
        python = version[1];
        return false;
      }
      if (line === SETUP_MARKER) {
        // From here on the tail is the script's own output, for its error message.
        output.clear();
        progress(`running ${SETUP_SCRIPT} (repository code, as root, with the network)`);
        return false;
      }
      const status = new RegExp(`^${SETUP_STATUS_MARKER} (\\d+)$`).exec(line);
      if (status?.[1]) {
        setupStatus = status[1];
        return false;
      }
      progress(line);
      return true;
    });
    const onAbort = () => container!.kill().catch(() => undefined);
    signal?.addEventListener("abort", onAbort, { once: true });
    const started = Date.now();
    const ticker = setInterval(() => progress(`still installing, ${Math.round((Date.now() - started) / 1000)} s ...`), 10_000);
    let timer: NodeJS.Timeout | undefined;
    try {
      const { stream, drained } = await attachOutput(container);
      docker.modem.demuxStream(stream, output, output);
      await container.start();
      timer = setTimeout(onAbort, BUILD_LIMIT_MS);
      const { StatusCode } = (await container.wait()) as { StatusCode: number };
      await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, 2000))]);
      output.flushPartial();
      if (signal?.aborted) throw new AbortedError("The environment build was aborted; its container was removed.");
      if (StatusCode === SETUP_FAILED_EXIT && setupStatus !== undefined) {
        throw new InfraError(
          "ENV_SETUP_FAILED",
          `The repository's ${SETUP_SCRIPT} failed while building ${tag} (exit ${setupStatus}). Its last lines:\n${tailText(output.lines)}\nFix the script (it runs as root in the build container, in /workspace, with the network, after the installs), or pass --no-install to skip the environment phase.`,
        );
      }
      if (StatusCode !== 0) {
        const noPip = StatusCode === 90;
        throw new InfraError(
          noPip ? "ENV_NO_PIP" : "ENV_INSTALL_FAILED",
          noPip
            ? `The sandbox image ${request.baseImage} has no pip, so the repository's dependencies cannot be installed. Rebuild it with \`npm run sandbox:image\` (older images lack pip and are rebuilt), or pass --no-install.`
            : `Installing the repository's dependencies into ${tag} failed (exit ${StatusCode}). The installer's last lines:\n${tailText(output.lines)}\nFix the requirement, or point PIP_INDEX_URL (PIP_EXTRA_INDEX_URL, PIP_TRUSTED_HOST) at an index that has it; --no-install skips the installation.`,
        );
      }
      const [repo, version] = tag.split(":");
      const committed = await container.commit({
        repo,
        tag: version,
        changes: [
          `LABEL ${ENV_LABEL}=${hash} dev.opsguard.base=${base.id} dev.opsguard.python=${python}`,
          "ENV PIP_CONFIG_FILE=/dev/null",
          `WORKDIR ${BUILD_WORKSPACE}`,
          'CMD ["python3"]',
        ],
      });
      progress(`built ${tag} in ${((Date.now() - started) / 1000).toFixed(1)} s (Python ${python})`);
      return (committed as { Id: string }).Id;
    } catch (err) {
      if (err instanceof InfraError || err instanceof AbortedError) throw err;
      throw toInfraError(err, request.baseImage, docker);
    } finally {
      clearInterval(ticker);
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      await container.remove({ force: true, v: true }).catch(() => undefined);
      removeContainer();
      await copy?.remove();
      await rm(staging, { recursive: true, force: true });
      unregister();
    }
  }

  return {
    async prepare(request) {
      if (request.signal?.aborted) throw new AbortedError();
      const base = await inspectBase(request.baseImage);
      const hash = environmentHash(base.id, base.python, request.spec);
      const tag = environmentTag(hash);
      const files = request.spec.files.map((f) => f.name);
      const found = await docker.getImage(tag).inspect().catch(() => undefined);
      if (found && found.Config?.Labels?.[ENV_LABEL] === hash) {
        const python = found.Config.Labels["dev.opsguard.python"] ?? base.python;
        return { image: tag, id: found.Id, base: { name: request.baseImage, id: base.id }, python, files, built: false };
      }
      await build(request, tag, hash, base);
      const info = await docker.getImage(tag).inspect();
      const python = info.Config?.Labels?.["dev.opsguard.python"] ?? base.python;
      return { image: tag, id: info.Id, base: { name: request.baseImage, id: base.id }, python, files, built: true };
    },
  };
}
