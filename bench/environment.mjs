#!/usr/bin/env node
/**
 * `node bench/environment.mjs [--runs 7] [--json]`: what a cached environment image costs per
 * remediation, measured side by side in one run against the built library (run `npm run build`
 * first). `npm run bench` runs it as figure 6.
 *
 * Both subjects remediate a copy of demo_repo with its shipped fix (entry mode, --candidate)
 * through OpsGuard's own graph, in alternation after one warm-up round (which builds the image):
 *   base       demo_repo as it is: no dependency declared, the base image
 *   cached     demo_repo plus a requirements.txt: its environment image, found by tag and reused
 * Every container OpsGuard creates and starts is counted, through the one Docker client that the
 * sandbox and the environment builder share, so the figure shows both the wall-clock ratio and
 * that reusing the image starts no container of its own (the goal: 0 extra starts).
 * Uses $OPSGUARD_IMAGE (or opsguard-sandbox:py3.11) as the base; it needs pip.
 */
import Docker from "dockerode";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { alternate } from "./lib/alternate.mjs";
import { copyRepo } from "./lib/docker.mjs";
import { fmtMs, fmtX, median, min } from "./lib/stats.mjs";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const { values: flags } = parseArgs({ options: { runs: { type: "string", default: "7" }, json: { type: "boolean", default: false } } });
const RUNS = Number(flags.runs);
if (!Number.isInteger(RUNS) || RUNS < 1) {
  process.stderr.write("bench: --runs must be a whole number of at least 1\n");
  process.exit(64);
}

const { remediate } = await import(join(ROOT, "dist/graph/remediate.js"));
const { defaultDeps } = await import(join(ROOT, "dist/graph/defaultDeps.js"));
const { createDockerSandbox } = await import(join(ROOT, "dist/sandbox/docker.js"));
const { createEnvironmentBuilder } = await import(join(ROOT, "dist/environment/environmentBuilder.js"));

/** A Docker client that counts the containers it creates and the ones it starts. */
const docker = new Docker();
const count = { created: 0, started: 0 };
const createContainer = docker.createContainer.bind(docker);
docker.createContainer = async (...args) => {
  const container = await createContainer(...args);
  count.created += 1;
  const start = container.start.bind(container);
  container.start = (...startArgs) => {
    count.started += 1;
    return start(...startArgs);
  };
  return container;
};

const scratch = await mkdtemp(join(tmpdir(), "opsguard-bench-env-"));
const built = new Set();
try {
  const base = await copyRepo(join(ROOT, "demo_repo"), join(scratch, "base"));
  const cached = await copyRepo(join(ROOT, "demo_repo"), join(scratch, "cached"));
  // pytest is in every base image already: pip finds it installed and needs no index.
  await writeFile(join(cached, "requirements.txt"), `pytest  # bench ${process.pid}\n`, { mode: 0o644 });
  const builder = createEnvironmentBuilder({ docker, progress: () => {}, env: {} });
  const deps = defaultDeps({ sandbox: createDockerSandbox({ docker }), environments: builder });
  const subject = (repo) => async () => {
    const before = { ...count };
    const started = performance.now();
    const state = await remediate(
      { repo, error: "ValueError", candidates: [join(ROOT, "demo_repo/fixes/app.py")], artifacts: join(scratch, "artifacts") },
      { deps },
    );
    const ms = performance.now() - started;
    if (state.status !== "SUCCESS") throw new Error(`the remediation ended ${state.status}: ${state.reason}`);
    if (state.environment?.built) built.add(state.environment.image);
    return {
      ms,
      created: count.created - before.created,
      started: count.started - before.started,
      image: state.environment?.image ?? state.baseImage,
      reused: state.environment ? !state.environment.built : undefined,
    };
  };
  const samples = await alternate([{ key: "base", run: subject(base) }, { key: "cached", run: subject(cached) }], { runs: RUNS });
  const of = (key, field) => samples.get(key).map((s) => s[field]);
  const a = median(of("base", "ms"));
  const b = median(of("cached", "ms"));
  const startsBase = Math.max(...of("base", "started"));
  const startsCached = Math.max(...of("cached", "started"));
  const result = {
    runs: RUNS,
    base: { image: samples.get("base")[0].image, samples: samples.get("base") },
    cached: { image: samples.get("cached")[0].image, everyRunReused: of("cached", "reused").every(Boolean), samples: samples.get("cached") },
    medianMs: { base: a, cached: b },
    ratio: b / a,
    // Per remediation, the worst sample of each: a single extra start anywhere shows.
    extraStarts: startsCached - Math.min(...of("base", "started")),
    startsPerRemediation: { base: [...new Set(of("base", "started"))], cached: [...new Set(of("cached", "started"))] },
  };
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    const out = (line) => process.stdout.write(`${line}\n`);
    const line = (label, key) =>
      `  ${label} median ${fmtMs(median(of(key, "ms")))}, min ${fmtMs(min(of(key, "ms")))}, containers started per remediation ${result.startsPerRemediation[key].join("/")} (created ${[...new Set(of(key, "created"))].join("/")}); samples ${of(key, "ms").map(Math.round).join(" ")}`;
    out(`What a cached environment image costs per remediation (demo_repo, entry mode, --candidate, ${RUNS} alternated runs after one warm-up that built it):`);
    out(line("base image, nothing declared:     ", "base"));
    out(line(`requirements.txt, image reused:   `, "cached"));
    out(`  => cached / base: ${fmtX(result.ratio)} of medians (${fmtMs(b - a)}, ${result.cached.image}, reused in every run: ${result.cached.everyRunReused}); extra container starts: ${result.extraStarts} (goal 0, ${startsBase} for the base image)`);
  }
} finally {
  for (const image of built) await docker.getImage(image).remove({ force: true }).catch(() => undefined);
  await rm(scratch, { recursive: true, force: true });
}
