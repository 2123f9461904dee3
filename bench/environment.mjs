#!/usr/bin/env node
/**
 * `node bench/environment.mjs [--runs 7]`: what a cached environment image costs per remediation,
 * measured side by side in one run against the built library (run `npm run build` first).
 *
 * Both subjects remediate a copy of demo_repo with its shipped fix (entry mode, --candidate)
 * through OpsGuard's own graph, in alternation after one warm-up round (which builds the image):
 *   base       demo_repo as it is: no dependency declared, the base image
 *   cached     demo_repo plus a requirements.txt: its environment image, found by tag and reused
 * Every container OpsGuard creates is counted (the sandbox's and the environment builder's), so the
 * figure shows both the wall-clock difference and that reuse starts no container of its own.
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
import { fmtMs, median, min } from "./lib/stats.mjs";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const { values: flags } = parseArgs({ options: { runs: { type: "string", default: "7" } } });
const RUNS = Number(flags.runs);
if (!Number.isInteger(RUNS) || RUNS < 1) {
  process.stderr.write("bench: --runs must be a whole number of at least 1\n");
  process.exit(64);
}

const { remediate } = await import(join(ROOT, "dist/graph/remediate.js"));
const { defaultDeps } = await import(join(ROOT, "dist/graph/defaultDeps.js"));
const { createDockerSandbox } = await import(join(ROOT, "dist/sandbox/docker.js"));
const { createEnvironmentBuilder } = await import(join(ROOT, "dist/environment/environmentBuilder.js"));

/** A Docker client that counts the containers it creates. */
const docker = new Docker();
let created = 0;
const createContainer = docker.createContainer.bind(docker);
docker.createContainer = (...args) => {
  created += 1;
  return createContainer(...args);
};

const scratch = await mkdtemp(join(tmpdir(), "opsguard-bench-env-"));
try {
  const base = await copyRepo(join(ROOT, "demo_repo"), join(scratch, "base"));
  const cached = await copyRepo(join(ROOT, "demo_repo"), join(scratch, "cached"));
  // pytest is in every base image already: pip finds it installed and needs no index.
  await writeFile(join(cached, "requirements.txt"), `pytest  # bench ${process.pid}\n`, { mode: 0o644 });
  const builder = createEnvironmentBuilder({ docker, progress: () => {}, env: {} });
  const deps = defaultDeps({ sandbox: createDockerSandbox({ docker }), environments: builder });
  const built = new Set();
  const subject = (repo) => async () => {
    const before = created;
    const started = performance.now();
    const state = await remediate(
      { repo, error: "ValueError", candidates: [join(ROOT, "demo_repo/fixes/app.py")], artifacts: join(scratch, "artifacts") },
      { deps },
    );
    const ms = performance.now() - started;
    if (state.status !== "SUCCESS") throw new Error(`the remediation ended ${state.status}: ${state.reason}`);
    if (state.environment?.built) built.add(state.environment.image);
    return { ms, containers: created - before, image: state.environment?.image ?? state.baseImage };
  };
  const samples = await alternate([{ key: "base", run: subject(base) }, { key: "cached", run: subject(cached) }], { runs: RUNS });
  const ms = (key) => samples.get(key).map((s) => s.ms);
  const containers = (key) => [...new Set(samples.get(key).map((s) => s.containers))].join("/");
  const a = median(ms("base"));
  const b = median(ms("cached"));
  const out = (line) => process.stdout.write(`${line}\n`);
  out(`What a cached environment image costs per remediation (demo_repo, entry mode, --candidate, ${RUNS} alternated runs after one warm-up that built it):`);
  out(`  base image, nothing declared:      median ${fmtMs(a)}, min ${fmtMs(min(ms("base")))}, containers per remediation ${containers("base")}; samples ${ms("base").map(Math.round).join(" ")}`);
  out(`  requirements.txt, image reused:    median ${fmtMs(b)}, min ${fmtMs(min(ms("cached")))}, containers per remediation ${containers("cached")}; samples ${ms("cached").map(Math.round).join(" ")}`);
  out(`  a cached environment adds ${fmtMs(b - a)} (${samples.get("cached")[0].image}) and ${Number(containers("cached")) - Number(containers("base"))} container starts`);
  for (const image of built) await docker.getImage(image).remove({ force: true }).catch(() => undefined);
} finally {
  await rm(scratch, { recursive: true, force: true });
}
