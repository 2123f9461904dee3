#!/usr/bin/env node
/**
 * `npm run bench`: how much OpsGuard costs on top of the containers it runs, measured on this
 * machine against the built CLI (run `npm run build` first).
 *
 *   node bench/run.mjs [--runs 7] [--batch-runs 3]
 *
 * Every figure is printed with the exact command that produced it, the median and the min of its
 * samples, and the samples themselves. Commands run from a snapshot of the project (dist/ and the
 * demo repositories) in a fresh directory under the OS temp dir, removed at the end; nothing is
 * written into the repository. Commands that are compared run in alternation (A B A B ...) after
 * one discarded warm-up round.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { alternate } from "./lib/alternate.mjs";
import { copyRepo, hardenedDockerRun, IMAGE } from "./lib/docker.mjs";
import { runSequence, runTimed, shellLine } from "./lib/proc.mjs";
import { snapshotProject } from "./lib/snapshot.mjs";
import { fmtMs, fmtS, fmtX, median, min, sum, table } from "./lib/stats.mjs";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
/** Where every command runs: a snapshot of ROOT taken at start (see lib/snapshot.mjs). */
let WORK = ROOT;
const { values: flags } = parseArgs({
  options: { runs: { type: "string", default: "7" }, "batch-runs": { type: "string", default: "3" } },
});
const RUNS = Number(flags.runs);
const BATCH_RUNS = Number(flags["batch-runs"]);
for (const [flag, value] of [["--runs", RUNS], ["--batch-runs", BATCH_RUNS]]) {
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(`bench: ${flag} must be a whole number of at least 1\n`);
    process.exit(64);
  }
}
const USAGE_EXIT = 64; // src/exitCodes.ts: EXIT.USAGE

/**
 * Ctrl-C, or a reader that went away (`| head`), stops the benchmark between two samples; the
 * scratch directory is then removed once nothing is writing into it any more.
 */
const stopped = new AbortController();
let readerGone = false;
const out = (line = "") => readerGone || process.stdout.write(`${line}\n`);
process.stdout.on("error", (err) => {
  if (err.code !== "EPIPE") throw err;
  readerGone = true;
  stopped.abort(new Error("stdout was closed"));
});
process.on("SIGINT", () => {
  // A second Ctrl-C means now.
  if (stopped.signal.aborted) process.exit(130);
  stopped.abort(new Error("interrupted"));
});
// Progress goes to stderr and only to a terminal, so that piped output is the report alone.
const onSample = process.stderr.isTTY
  ? (key, round, runs, sample) => process.stderr.write(`\r\x1b[K  ${key} ${round}/${runs}: ${fmtMs(sample.ms)}`)
  : undefined;
const clearProgress = () => process.stderr.isTTY && process.stderr.write("\r\x1b[K");

const msOf = (samples) => samples.map((s) => s.ms);

/** One subject's figures: its command, median, min, every sample, and the client's CPU. */
function printSubject(label, command, samples) {
  const ms = msOf(samples);
  const cpu = samples.every((s) => s.cpuMs !== undefined) ? `, client CPU median ${fmtMs(median(samples.map((s) => s.cpuMs)))}` : "";
  out(`  ${label}: ${command}`);
  out(`      median ${fmtMs(median(ms))}, min ${fmtMs(min(ms))}${cpu}; samples ${ms.map(Math.round).join(" ")}`);
}

/** One row per figure for the closing table. */
const summary = [];
function record(figure, value, goal, met) {
  summary.push([figure, value, goal ?? "none set", met === undefined ? "-" : met ? "met" : "NOT met"]);
}

async function preflight() {
  if (!existsSync(join(ROOT, "dist", "bin", "cli.js"))) {
    throw new Error("dist/bin/cli.js is missing: run `npm run build` first.");
  }
  const engine = await runTimed(["docker", "version", "--format", "{{.Server.Version}}"], { expectExit: 0 });
  const image = await runTimed(["docker", "image", "inspect", "--format", "{{.Id}}", IMAGE], { expectExit: 0 }).catch(() => {
    throw new Error(`The sandbox image ${IMAGE} is missing: build it with \`npm run sandbox:image\`.`);
  });
  out(`OpsGuard benchmark, ${new Date().toISOString()}`);
  out(`  node ${process.version}, ${availableParallelism()} CPUs, Docker engine ${engine.stdout.trim()}, image ${IMAGE} ${image.stdout.trim().slice(7, 19)}`);
  out(`  load average at start ${loadavg().map((l) => l.toFixed(2)).join(" ")} (other work on this machine adds noise; alternation spreads it evenly)`);
  out(`  ${RUNS} run(s) per figure (${BATCH_RUNS} for batch), alternated, after 1 warm-up round`);
  out(`  "client CPU": user+system CPU of the spawned command itself (node or the docker CLI), not of dockerd or the container`);
}

// ---------------------------------------------------------------------------------------------
// Figure 1: one entry-mode remediation against the three plain containers it needs at minimum.

/** The run's node log (internal/run.log): one JSON line per node, with startedAt and durationMs. */
async function readTimeline(artifacts) {
  const text = await readFile(join(artifacts, "internal", "run.log"), "utf8");
  return text.trim().split("\n").map((line) => JSON.parse(line)).filter((e) => e.event === "node");
}

function cliRunSubject(key, argv, artifacts) {
  return {
    key,
    run: async () => {
      const sample = await runTimed(argv, { cwd: WORK, expectExit: 0 });
      // Read right away: the next run writes the same directory.
      return { ...sample, timeline: await readTimeline(artifacts) };
    },
  };
}

function threeDockerRuns(key, argv, expectExit) {
  return { key, run: () => runSequence([0, 1, 2].map(() => ({ argv, expectExit }))) };
}

async function figureOverhead({ title, figure, mode, baselineCommand, baselineExit, goal, scratch, demoCopy }) {
  out();
  out(title);
  const artifacts = join(scratch, `${mode}-artifacts`);
  const cli = ["node", "dist/bin/cli.js", "--repo", "demo_repo", "--error", "ValueError", "--candidate", "demo_repo/fixes/app.py"];
  const cliArgv = [...cli, ...(mode === "pytest" ? ["--mode", "pytest"] : []), "--artifacts", artifacts];
  const dockerArgv = hardenedDockerRun(demoCopy, baselineCommand);
  const samples = await alternate(
    [cliRunSubject("cli", cliArgv, artifacts), threeDockerRuns("docker", dockerArgv, baselineExit)],
    { runs: RUNS, onSample, signal: stopped.signal },
  );
  clearProgress();
  printSubject("A", shellLine(cliArgv), samples.get("cli"));
  printSubject("B", `3 in a row, timed as one sample: ${shellLine(dockerArgv)}`, samples.get("docker"));
  const ratio = median(msOf(samples.get("cli"))) / median(msOf(samples.get("docker")));
  const minRatio = min(msOf(samples.get("cli"))) / min(msOf(samples.get("docker")));
  out(`  => ratio A/B: ${fmtX(ratio)} of medians (${fmtX(minRatio)} of mins)${goal ? `; goal <= ${goal}` : ""}`);
  record(figure, fmtX(ratio), goal ? `<= ${goal}x` : undefined, goal ? ratio <= goal : undefined);
  return samples;
}

// ---------------------------------------------------------------------------------------------
// Figure 2: answers that need no sandbox at all.

async function figureQuickAnswers() {
  out();
  out("2. Answers without a sandbox: --help and a usage error (goal <= 0.3 s each)");
  const help = ["node", "dist/bin/cli.js", "--help"];
  const usage = ["node", "dist/bin/cli.js", "--repo", "demo_repo"];
  // The floor any Node CLI pays before its first import.
  const bare = ["node", "-e", "0"];
  const samples = await alternate(
    [
      { key: "help", run: () => runTimed(help, { cwd: WORK, expectExit: 0 }) },
      { key: "usage", run: () => runTimed(usage, { cwd: WORK, expectExit: USAGE_EXIT }) },
      { key: "bare", run: () => runTimed(bare, { cwd: WORK, expectExit: 0 }) },
    ],
    { runs: RUNS, onSample, signal: stopped.signal },
  );
  clearProgress();
  printSubject("A", shellLine(help), samples.get("help"));
  printSubject("B", `${shellLine(usage)}   (exit ${USAGE_EXIT} expected)`, samples.get("usage"));
  printSubject("floor", `${shellLine(bare)}   (Node start-up alone, for reference)`, samples.get("bare"));
  for (const [key, name] of [["help", "2. --help wall time"], ["usage", "2. usage error wall time"]]) {
    const value = median(msOf(samples.get(key)));
    out(`  => ${name}: ${fmtS(value)} median; goal <= 0.300 s`);
    record(name, fmtS(value), "<= 0.300 s", value <= 300);
  }
  return samples;
}

// ---------------------------------------------------------------------------------------------
// Figure 4: a batch of eight jobs at concurrency 1 and 2.

async function figureBatch(scratch) {
  out();
  out(`4. Batch scaling: 8 --candidate jobs (4x demo_repo, 4x test_large_repo), entry mode, ${BATCH_RUNS} run(s) each, no warm-up (the figures before warmed the machine)`);
  const jobsFile = join(scratch, "jobs.jsonl");
  const line = (repo, error) =>
    JSON.stringify({ repo: join(WORK, repo), error, candidate: [join(WORK, repo, "fixes", "app.py")] });
  const jobs = [0, 1, 2, 3].flatMap(() => [line("demo_repo", "ValueError"), line("test_large_repo", "ZeroDivisionError")]);
  await writeFile(jobsFile, `${jobs.join("\n")}\n`);
  out(`  jobs file ${jobsFile}, lines like: ${jobs[0]}`);

  const subject = (concurrency) => {
    const artifacts = join(scratch, `batch-c${concurrency}`);
    const argv = ["node", "dist/bin/cli.js", "batch", jobsFile, "--concurrency", String(concurrency), "--artifacts", artifacts];
    return {
      argv,
      key: `c${concurrency}`,
      run: async () => {
        const sample = await runTimed(argv, { cwd: WORK, expectExit: 0 });
        const report = JSON.parse(await readFile(join(artifacts, "batch_report.json"), "utf8"));
        return { ...sample, poolMs: report.wallSeconds * 1000, jobMs: report.jobs.map((j) => j.durationSeconds * 1000) };
      },
    };
  };
  const c1 = subject(1);
  const c2 = subject(2);
  const samples = await alternate([c1, c2], { runs: BATCH_RUNS, warmup: 0, onSample, signal: stopped.signal });
  clearProgress();
  for (const [label, s] of [["A", c1], ["B", c2]]) {
    const got = samples.get(s.key);
    printSubject(label, shellLine(s.argv), got);
    out(`      inside the process: pool ${fmtMs(median(got.map((g) => g.poolMs)))} median, one job ${fmtMs(median(got.flatMap((g) => g.jobMs)))} median; start-up and exit outside the pool ${fmtMs(median(got.map((g) => g.ms - g.poolMs)))}`);
  }
  const speedup = median(msOf(samples.get("c1"))) / median(msOf(samples.get("c2")));
  out(`  => speed-up c1/c2: ${fmtX(speedup)} of medians; goal >= 1.6x`);
  record("4. batch speed-up, c1 -> c2", fmtX(speedup), ">= 1.6x", speedup >= 1.6);
}

// ---------------------------------------------------------------------------------------------
// Figure 5: where one entry-mode run spends its time.

const importProbe = (what, code) => ({ what, argv: ["node", "-e", code] });
const IMPORT_PROBES = [
  importProbe("Node start-up alone", "0"),
  importProbe("the parser (yargs), all --help loads", 'await import("./dist/cli/parser.js")'),
  importProbe("dockerode", 'await import("dockerode")'),
  importProbe("@langchain/langgraph", 'await import("@langchain/langgraph")'),
  importProbe("langgraph + the model SDKs", 'await import("@langchain/langgraph"); await import("@langchain/openai"); await import("@langchain/groq")'),
  importProbe("the proposer choice (providers, SDKs)", 'await import("./dist/proposers/proposerForState.js")'),
  importProbe("the graph and its nodes", 'await import("./dist/graph/remediate.js")'),
  importProbe("everything the run command loads", 'await import("./dist/cli/run.js")'),
];

/** The nodes that each run one sandbox container in an entry-mode run that succeeds first time. */
const CONTAINER_NODES = ["reproduce", "verify"];

/** Splits each CLI run's wall time using the node log's timestamps against spawn and exit. */
function timelineBreakdown(samples) {
  const perRun = samples.map((s) => {
    const events = s.timeline;
    const first = Date.parse(events[0].startedAt);
    const reportEvent = events.find((e) => e.node === "report");
    const reportAt = Date.parse(reportEvent.startedAt);
    const nodes = {};
    for (const e of events) if (e.node !== "report") nodes[e.node] = (nodes[e.node] ?? 0) + e.durationMs;
    return {
      startup: first - s.startEpoch,
      nodes,
      // LangGraph's own steps between one node's end and the next one's start.
      between: reportAt - first - sum(Object.values(nodes)),
      // The report node logs 0 ms for itself; this is its real work plus printing and exit.
      tail: s.endEpoch - reportAt,
      containers: sum(CONTAINER_NODES.map((n) => nodes[n] ?? 0)),
      wall: s.ms,
    };
  });
  const nodeNames = [...new Set(perRun.flatMap((r) => Object.keys(r.nodes)))];
  const rows = [
    ["process start -> first node (Node start-up, imports, yargs, graph build)", median(perRun.map((r) => r.startup))],
    ...nodeNames.map((n) => [`node ${n}`, median(perRun.map((r) => r.nodes[n] ?? 0))]),
    ["between nodes (LangGraph steps)", median(perRun.map((r) => r.between))],
    ["report node (writes artifacts) + output + process exit", median(perRun.map((r) => r.tail))],
  ];
  return { rows, wall: median(perRun.map((r) => r.wall)), containers: median(perRun.map((r) => r.containers)) };
}

async function figureBreakdown(scratch, demoCopy, entry) {
  const entrySamples = entry.get("cli");
  out();
  out("5. Where one entry-mode CLI run spends its time");

  out(`5a. Node start-up and imports (each probe a fresh process, ${RUNS} runs round-robin; probes share modules, so they do not add up)`);
  const probes = await alternate(
    IMPORT_PROBES.map((p, i) => ({ key: `p${i}`, run: () => runTimed(p.argv, { cwd: WORK, expectExit: 0 }) })),
    { runs: RUNS, onSample, signal: stopped.signal },
  );
  clearProgress();
  const probeMedian = (i) => median(msOf(probes.get(`p${i}`)));
  IMPORT_PROBES.forEach((p, i) => printSubject(p.what, shellLine(p.argv), probes.get(`p${i}`)));
  const bare = probeMedian(0);
  out(`  => imports of the run command on top of bare Node: ${fmtMs(probeMedian(7) - bare)}; model SDKs on top of langgraph: ${fmtMs(probeMedian(4) - probeMedian(3))} (loaded only when a model is asked)`);

  out();
  out(`5b. Per node, from internal/run.log of figure 1's ${entrySamples.length} CLI runs (timestamps against spawn and exit; medians, which need not add up exactly)`);
  const { rows, wall, containers } = timelineBreakdown(entrySamples);
  out(table([["segment", "median", "share"], ...rows.map(([name, ms]) => [name, fmtMs(ms), `${((100 * ms) / wall).toFixed(0)}%`])], { rightAligned: [1, 2] }).replace(/^/gm, "  "));
  const baseline = median(msOf(entry.get("docker")));
  out(`  whole run ${fmtMs(wall)} median; its container nodes (${CONTAINER_NODES.join(", ")}) ${fmtMs(containers)}, figure 1's three docker runs ${fmtMs(baseline)};`);
  out(`  outside the containers: ${fmtMs(wall - containers)}; container nodes minus plain docker runs: ${fmtMs(containers - baseline)}`);

  out();
  const cycleArgv = ["node", "bench/sandbox-cycle.mjs", demoCopy, String(RUNS)];
  out(`5c. One sandbox cycle in-process (createDockerSandbox from dist/sandbox/docker.js) vs docker run --rm, alternated inside: ${shellLine(cycleArgv)}`);
  const child = await runTimed(cycleArgv, { cwd: WORK, expectExit: 0 });
  const cycle = JSON.parse(child.stdout);
  const sandboxMs = cycle.cycle.sandbox.map((s) => s.ms);
  printSubject("A", `sandbox.run(workspace, ${JSON.stringify(cycle.cycle.command)}): create, attach, start, wait, inspect, remove`, cycle.cycle.sandbox);
  const phaseNames = Object.keys(cycle.cycle.sandbox[0].phases);
  out(`      per engine call, median: ${phaseNames.map((p) => `${p} ${fmtMs(median(cycle.cycle.sandbox.map((s) => s.phases[p])))}`).join(", ")}`);
  printSubject("B", shellLine(cycle.cycle.dockerRun), cycle.cycle.docker);
  const cycleRatio = median(sandboxMs) / median(msOf(cycle.cycle.docker));
  out(`  => in-process cycle / docker run --rm: ${fmtX(cycleRatio)} of medians`);
  record("5. one sandbox cycle / docker run --rm", fmtX(cycleRatio));

  record("5. imports of the run command (over bare Node)", fmtMs(probeMedian(7) - bare));
}

// ---------------------------------------------------------------------------------------------
// Figure 6: a cached environment image against the plain sandbox image, containers counted.

async function figureEnvironment() {
  out();
  const argv = ["node", "bench/environment.mjs", "--runs", String(RUNS), "--json"];
  out(`6. A cached environment image (demo_repo plus requirements.txt, image found by tag) vs the plain sandbox image, one remediation each, alternated inside (goal: 0 extra container starts): ${shellLine(argv)}`);
  const child = await runTimed(argv, { cwd: WORK, expectExit: 0 });
  const env = JSON.parse(child.stdout);
  printSubject("A", `remediate(demo_repo + requirements.txt) in ${env.cached.image}, reused in every run: ${env.cached.everyRunReused}`, env.cached.samples);
  printSubject("B", `remediate(demo_repo) in ${env.base.image}`, env.base.samples);
  out(`  containers started per remediation: A ${env.startsPerRemediation.cached.join("/")}, B ${env.startsPerRemediation.base.join("/")}`);
  out(`  => ratio A/B: ${fmtX(env.ratio)} of medians; extra container starts: ${env.extraStarts}`);
  record("6. cached environment / plain image", fmtX(env.ratio));
  record("6. extra container starts, cached environment", String(env.extraStarts), "0", env.extraStarts === 0);
}

// ---------------------------------------------------------------------------------------------

async function main() {
  await preflight();
  const scratch = await mkdtemp(join(tmpdir(), "opsguard-bench-"));
  try {
    // The baseline mounts a copy, as OpsGuard mounts its own copy and never the repository.
    WORK = await snapshotProject(ROOT, join(scratch, "project"));
    stopped.signal.throwIfAborted();
    out(`  every command runs from ${WORK}: a copy of ${ROOT}'s package.json, dist/, bench/, sandbox/, demo_repo/, test_large_repo/ (node_modules linked), so a concurrent rebuild cannot disturb it`);
    const demoCopy = await copyRepo(join(WORK, "demo_repo"), join(scratch, "demo_repo"));
    const entry = await figureOverhead({
      title: "1. Entry-mode remediation overhead: the whole CLI run vs three plain hardened docker runs (goal <= 1.3)",
      figure: "1. entry-mode overhead (CLI / 3 docker runs)",
      mode: "entry",
      baselineCommand: ["python3", "app.py"],
      baselineExit: 1, // the bug: ValueError
      goal: 1.3,
      scratch,
      demoCopy,
    });
    await figureQuickAnswers();
    await figureOverhead({
      title: "3. Pytest-mode remediation overhead: the whole CLI run vs three plain hardened docker pytest runs",
      figure: "3. pytest-mode overhead (CLI / 3 docker runs)",
      mode: "pytest",
      baselineCommand: ["python3", "-m", "pytest", "-p", "no:cacheprovider", "-rA", "tests"],
      baselineExit: 1, // two of demo_repo's tests fail before the fix
      scratch,
      demoCopy,
    });
    await figureBatch(scratch);
    await figureBreakdown(scratch, demoCopy, entry);
    await figureEnvironment();

    out();
    out(`Summary (medians; load average at end ${loadavg().map((l) => l.toFixed(2)).join(" ")})`);
    out(table([["figure", "value", "goal", "status"], ...summary], { rightAligned: [1] }).replace(/^/gm, "  "));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

main().catch((err) => {
  clearProgress();
  if (stopped.signal.aborted) {
    process.stderr.write(`bench: stopped (${stopped.signal.reason.message}); scratch files removed\n`);
    process.exitCode = readerGone ? 141 : 130;
    return;
  }
  process.stderr.write(`bench: ${err.message}\n`);
  process.exitCode = 1;
});
