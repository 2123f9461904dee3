/**
 * The Docker engines a batch runs on. Each engine has its own dockerode client and its own sandbox,
 * a number of slots (the per-engine concurrency), and can be declared dead: a dead engine gets no
 * more jobs, and the jobs it lost are moved to a live one.
 */
import Docker from "dockerode";
import { createDockerSandbox, LABEL, type Sandbox } from "../sandbox/docker.js";
import { UsageError } from "../errors.js";
import { createEnvironmentBuilder, type EnvironmentBuilder } from "../environment/environmentBuilder.js";

/** The sandbox's label naming the process that owns a container (see src/sandbox/docker.ts). */
const LABEL_PID = "dev.opsguard.pid";

export const DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock";

export interface EngineSpec {
  /** The host as the user would write it, normalised: `unix:///path` or `tcp://host:port`. */
  host: string;
  options: Docker.DockerOptions;
}

/**
 * Turns a Docker host the way DOCKER_HOST spells it into dockerode options. Supported: `unix://`
 * sockets (a bare absolute path too) and plain `tcp://host:port` (HTTP, as the Docker CLI without
 * TLS); anything else is a usage error rather than a surprise at the first job.
 */
export function parseDockerHost(value: string): EngineSpec {
  const raw = value.trim();
  if (raw.startsWith("/")) return { host: `unix://${raw}`, options: { socketPath: raw } };
  if (raw.startsWith("unix://")) {
    const socketPath = raw.slice("unix://".length);
    if (!socketPath.startsWith("/")) throw new UsageError(`--docker-host ${value}: a unix socket needs an absolute path, as in unix:///var/run/docker.sock.`);
    return { host: raw, options: { socketPath } };
  }
  if (raw.startsWith("tcp://")) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new UsageError(`--docker-host ${value} is not a valid tcp://host:port address.`);
    }
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    if (!host || (url.pathname !== "" && url.pathname !== "/")) {
      throw new UsageError(`--docker-host ${value} is not a valid tcp://host:port address.`);
    }
    // 2375 is the engine's conventional plain-HTTP port, which the Docker CLI assumes too.
    const port = url.port ? Number(url.port) : 2375;
    return { host: `tcp://${url.hostname}:${port}`, options: { host, port, protocol: "http" } };
  }
  throw new UsageError(`--docker-host ${value}: use unix:///path/to/docker.sock or tcp://host:port.`);
}

/** The engines named by the flags, else DOCKER_HOST, else the default socket; duplicates once. */
export function engineSpecs(flags: readonly string[], env: NodeJS.ProcessEnv): EngineSpec[] {
  const values = flags.length > 0 ? flags : [env.DOCKER_HOST || DEFAULT_DOCKER_HOST];
  const specs = new Map<string, EngineSpec>();
  for (const value of values) {
    const spec = parseDockerHost(value);
    if (!specs.has(spec.host)) specs.set(spec.host, spec);
  }
  return [...specs.values()];
}

export class Engine {
  readonly docker: Docker;
  readonly sandbox: Sandbox;
  readonly environments: EnvironmentBuilder;
  running = 0;
  /** Jobs whose final result came from this engine. */
  jobsRun = 0;
  /** Jobs that were running here when the engine died, and were moved to another engine. */
  jobsLost = 0;
  dead = false;
  deadReason: string | undefined;
  /** Seconds into the batch when the engine was found dead (0 when it was dead from the start). */
  deadAfterSeconds: number | undefined;
  reachableAtStart = true;
  /** Sandbox runs under way on this engine, counted so that a stopped batch can wait for the last one. */
  private inFlight = 0;

  constructor(
    readonly spec: EngineSpec,
    readonly capacity: number,
  ) {
    this.docker = new Docker(spec.options);
    const sandbox = createDockerSandbox({ docker: this.docker });
    // A job's environment image is built on the engine that runs the job.
    this.environments = createEnvironmentBuilder({ docker: this.docker });
    const counted =
      <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        this.inFlight += 1;
        try {
          return await fn(...args);
        } finally {
          this.inFlight -= 1;
        }
      };
    this.sandbox = {
      run: counted(sandbox.run),
      executePython: counted(sandbox.executePython),
      executePytest: counted(sandbox.executePytest),
    };
  }

  get host(): string {
    return this.spec.host;
  }

  get free(): number {
    return this.dead ? 0 : this.capacity - this.running;
  }

  markDead(reason: string, afterSeconds: number): void {
    if (this.dead) return;
    this.dead = true;
    this.deadReason = reason;
    this.deadAfterSeconds = afterSeconds;
  }

  /**
   * Waits until no sandbox run of this process is under way here, force-removing this process's
   * containers meanwhile; returns how many it removed. An aborted remediation returns before its
   * sandbox run has ended, and a run whose container was being created at the moment of the abort
   * would otherwise live until its timeout: after this, nothing of ours is left on the engine.
   */
  async settle(timeoutMs = 20_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let removed = 0;
    for (;;) {
      if (!this.dead) removed += await this.removeOwnContainers();
      if (this.inFlight === 0 || Date.now() > deadline) return removed;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  private async removeOwnContainers(): Promise<number> {
    const listed = this.docker
      .listContainers({ all: true, filters: { label: [LABEL, `${LABEL_PID}=${process.pid}`] } })
      .catch(() => [] as Docker.ContainerInfo[]);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<Docker.ContainerInfo[]>((resolve) => {
      timer = setTimeout(() => resolve([]), 5000);
    });
    const containers = await Promise.race([listed, timeout]).finally(() => clearTimeout(timer));
    // A removal already under way answers 409; either way the container is going.
    await Promise.all(containers.map((c) => this.docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
    return containers.length;
  }

  /**
   * Asks the engine whether it answers; resolves to the problem, or undefined when it does. Bounded:
   * a tcp engine behind a dropped route would otherwise hold the batch for the OS connect timeout.
   */
  async ping(timeoutMs = 5000): Promise<string | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`no answer to ping within ${timeoutMs / 1000} s`), timeoutMs);
    });
    try {
      return await Promise.race([
        this.docker.ping().then(
          () => undefined,
          (err: unknown) => {
            const e = err as { code?: string; message?: string };
            return `ping failed: ${e.code ?? e.message ?? String(err)}`;
          },
        ),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The live engine with the most free slots (the first listed on a tie), or none when all are full or dead. */
export function pickEngine(engines: readonly Engine[]): Engine | undefined {
  let best: Engine | undefined;
  for (const engine of engines) {
    if (engine.free > 0 && (!best || engine.free > best.free)) best = engine;
  }
  return best;
}
