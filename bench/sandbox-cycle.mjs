#!/usr/bin/env node
/**
 * The raw cost of one sandbox run, measured inside one Node process with the project's own
 * createDockerSandbox (dist/sandbox/docker.js), against `docker run --rm` of the same command.
 *
 *   node bench/sandbox-cycle.mjs WORKSPACE RUNS
 *
 * WORKSPACE is a readable copy of demo_repo. Prints one JSON object on stdout:
 *  - cycle:  `python3 -c pass` through the sandbox, with the time of each engine call
 *            (create, attach, start, wait, inspect, remove), alternated with `docker run --rm`.
 */
import { performance } from "node:perf_hooks";
import Docker from "dockerode";
import { createDockerSandbox } from "../dist/sandbox/docker.js";
import { alternate } from "./lib/alternate.mjs";
import { hardenedDockerRun } from "./lib/docker.mjs";
import { runTimed } from "./lib/proc.mjs";

const [workspace, runsArg] = process.argv.slice(2);
if (!workspace) {
  process.stderr.write("usage: node bench/sandbox-cycle.mjs WORKSPACE [RUNS]\n");
  process.exit(64);
}
const runs = Number(runsArg ?? 7);

const PHASES = ["create", "attach", "start", "wait", "inspect", "remove"];
let marks = [];

/**
 * The same dockerode client the sandbox would build for itself (new Docker(): DOCKER_HOST or the
 * default socket), handed in through createDockerSandbox's `docker` option so that each engine
 * call can be timed without touching src/. The wrappers only read the clock.
 */
function instrumentedDocker() {
  const docker = new Docker();
  const timed = (name, fn) => async (...args) => {
    const t0 = performance.now();
    try {
      return await fn(...args);
    } finally {
      marks.push({ name, start: t0, end: performance.now() });
    }
  };
  const createContainer = docker.createContainer.bind(docker);
  docker.createContainer = timed("create", async (options) => {
    const container = await createContainer(options);
    for (const name of PHASES.slice(1)) container[name] = timed(name, container[name].bind(container));
    return container;
  });
  return docker;
}

const sandbox = createDockerSandbox({ docker: instrumentedDocker() });

/** One sandbox run: its wall time, each engine call's time, and what is left between them. */
async function sandboxSample(command, options, expectExit) {
  marks = [];
  const t0 = performance.now();
  const result = await sandbox.run(workspace, command, options);
  const ms = performance.now() - t0;
  if (result.exitCode !== expectExit || result.endReason !== "exited") {
    throw new Error(`sandbox run of ${command.join(" ")} ended with ${result.exitCode} (${result.endReason}), expected ${expectExit}:\n${result.stderr.slice(-800)}`);
  }
  const phases = Object.fromEntries(PHASES.map((p) => [p, 0]));
  for (const mark of marks) phases[mark.name] += mark.end - mark.start;
  const inPhases = Object.values(phases).reduce((a, b) => a + b, 0);
  // The rest is the sandbox's own work: the output drain after wait, bookkeeping, the await chain.
  return { ms, phases: { ...phases, other: ms - inPhases } };
}

const passCommand = ["python3", "-c", "pass"];
const dockerRunPass = hardenedDockerRun(workspace, passCommand);

const cycle = await alternate(
  [
    { key: "sandbox", run: () => sandboxSample(passCommand, {}, 0) },
    { key: "dockerRun", run: () => runTimed(dockerRunPass, { expectExit: 0 }) },
  ],
  // The warm-up also absorbs the sandbox's one-off sweep of stale containers on its first run.
  { runs, warmup: 1 },
);

const strip = (samples) => samples.map(({ ms, phases, cpuMs }) => ({ ms, ...(phases ? { phases } : {}), ...(cpuMs !== undefined ? { cpuMs } : {}) }));
process.stdout.write(
  `${JSON.stringify({
    runs,
    cycle: { command: passCommand, dockerRun: dockerRunPass, sandbox: strip(cycle.get("sandbox")), docker: strip(cycle.get("dockerRun")) },
  })}\n`,
);
