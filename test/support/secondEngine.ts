/**
 * A second, private Docker engine for multi-engine tests: its own dockerd with its own socket, data
 * root, exec root (and so its own containerd) and pidfile, all under one temporary directory, with
 * no bridge and no iptables rules so it never touches the host's networking. The sandbox image is
 * copied in from the default engine. `stop()` leaves nothing behind, also after `kill()`.
 */
import Docker from "dockerode";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SANDBOX_IMAGE } from "./docker.js";

export interface SecondEngine {
  dir: string;
  /** `unix://<dir>/docker.sock`, as --docker-host takes it. */
  host: string;
  docker: Docker;
  /** The dockerd process id. */
  pid: number;
  /** SIGKILLs dockerd alone, the way an engine dies under a running batch. */
  kill(): void;
  /** SIGTERM, wait, then remove whatever a killed engine left: shims, mounts, the directory. */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Unix socket paths are limited to 108 bytes, and containerd's socket sits three levels below the directory. */
function shortTempRoot(): string {
  const root = tmpdir();
  return root.length <= 40 ? root : "/tmp";
}

function run(command: string, args: string[], timeoutMs: number): { ok: boolean; output: string } {
  const result = spawnSync(command, args, { encoding: "utf8", timeout: timeoutMs });
  return { ok: result.status === 0, output: `${result.stdout ?? ""}${result.stderr ?? ""}${result.error ? String(result.error) : ""}` };
}

/** Processes of this engine that outlive a killed dockerd (containerd-shim): every one names the directory. */
function strayProcesses(dir: string): { pid: number; argv: string[] }[] {
  const found: { pid: number; argv: string[] }[] = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    } catch {
      continue;
    }
    if (argv.some((arg) => arg.includes(dir))) found.push({ pid, argv });
  }
  return found;
}

/**
 * A shim listens on /run/containerd/s/<sha256(address/namespace/id)>, a directory it shares with the
 * default engine's shims; the socket of a shim killed here is removed by that exact name.
 */
function shimSocket(argv: string[]): string | undefined {
  const flag = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const [address, namespace, id] = [flag("-address"), flag("-namespace"), flag("-id")];
  if (!argv[0]?.includes("containerd-shim") || !address || !namespace || !id) return undefined;
  return join("/run/containerd/s", createHash("sha256").update(join(address, namespace, id)).digest("hex"));
}

/** Mount points under `dir` (overlay layers, the data root), deepest first. */
function mountsUnder(dir: string): string[] {
  const unescape = (path: string) => path.replace(/\\([0-7]{3})/g, (_m, octal: string) => String.fromCharCode(parseInt(octal, 8)));
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((line) => unescape(line.split(" ")[4] ?? ""))
    .filter((mount) => mount === dir || mount.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

export interface SecondEngineOptions {
  /**
   * Give the engine a private, empty /tmp (its own mount namespace), so that it cannot see this
   * machine's temporary directories, where tests keep repositories and workspaces: an engine on
   * another machine, as far as paths go. Its own files then live under /var/tmp.
   */
  privateTmp?: boolean;
}

export async function startSecondEngine(options: SecondEngineOptions = {}): Promise<SecondEngine> {
  const dir = mkdtempSync(join(options.privateTmp ? "/var/tmp" : shortTempRoot(), "og-engine-"));
  const socket = join(dir, "docker.sock");
  const host = `unix://${socket}`;
  const log = join(dir, "dockerd.log");
  const logFd = openSync(log, "a");
  // Detached: dockerd and its containerd get a process group of their own, stopped together.
  const dockerd = [
    "dockerd",
    "--host", host,
    "--data-root", join(dir, "data"),
    "--exec-root", join(dir, "exec"),
    "--pidfile", join(dir, "docker.pid"),
    "--bridge", "none",
    "--iptables=false",
    "--ip-masq=false",
  ];
  // unshare and sh exec into dockerd: the pid stays the engine's.
  const [command, ...args] = options.privateTmp
    ? ["unshare", "-m", "--propagation", "private", "sh", "-c", 'mount -t tmpfs tmpfs /tmp && exec "$@"', "sh", ...dockerd]
    : dockerd;
  const child: ChildProcess = spawn(command!, args, { detached: true, stdio: ["ignore", logFd, logFd] });
  closeSync(logFd);
  let exited = false;
  child.on("exit", () => {
    exited = true;
  });
  const pid = child.pid;
  const logTail = () => (existsSync(log) ? readFileSync(log, "utf8").split("\n").slice(-15).join("\n") : "");

  const engine: SecondEngine = {
    dir,
    host,
    docker: new Docker({ socketPath: socket }),
    pid: pid ?? -1,
    kill() {
      if (pid && alive(pid)) process.kill(pid, "SIGKILL");
    },
    async stop() {
      if (pid && alive(pid)) {
        try {
          process.kill(-pid, "SIGTERM");
        } catch {
          process.kill(pid, "SIGTERM");
        }
        const deadline = Date.now() + 30_000;
        while (alive(pid) && Date.now() < deadline) await sleep(100);
      }
      // The group also holds containerd, which outlives a dockerd killed alone.
      if (pid) {
        try {
          process.kill(-pid, "SIGKILL");
        } catch {
          // The group is already gone.
        }
      }
      for (const stray of strayProcesses(dir)) {
        try {
          process.kill(stray.pid, "SIGKILL");
        } catch {
          // Ended between the scan and now.
        }
        const shim = shimSocket(stray.argv);
        if (shim) rmSync(shim, { force: true });
      }
      const deadline = Date.now() + 10_000;
      while (strayProcesses(dir).length > 0 && Date.now() < deadline) await sleep(100);
      for (const mount of mountsUnder(dir)) run("umount", ["-l", mount], 10_000);
      rmSync(dir, { recursive: true, force: true });
    },
  };

  try {
    if (!pid) throw new Error("dockerd could not be started (is it installed, and are we root?)");
    const deadline = Date.now() + 60_000;
    while (!run("docker", ["-H", host, "info"], 10_000).ok) {
      if (exited) throw new Error(`The second dockerd exited during start-up:\n${logTail()}`);
      if (Date.now() > deadline) throw new Error(`The second dockerd did not answer within 60 s:\n${logTail()}`);
      await sleep(200);
    }
    const load = spawnSync("bash", ["-o", "pipefail", "-c", `docker save "$1" | docker -H "$2" load`, "load", SANDBOX_IMAGE, host], {
      encoding: "utf8",
      timeout: 120_000,
    });
    if (load.status !== 0) throw new Error(`Loading ${SANDBOX_IMAGE} into the second engine failed: ${load.stderr}`);
  } catch (err) {
    await engine.stop();
    throw err;
  }
  return engine;
}
