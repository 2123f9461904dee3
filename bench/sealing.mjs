#!/usr/bin/env node
/**
 * `node bench/sealing.mjs [--runs 7]`: what sealing costs per pytest-mode remediation, measured
 * side by side in one run against the built library (run `npm run build` first).
 *
 * A pytest-mode verification now starts two containers at once: the in-process run it always made
 * and the sealed run (src/evidence/sealedCommand.ts). Both subjects below verify test/fixtures/sealed/repo with its
 * honest fix (every test sealed) through OpsGuard's own sandbox, in alternation after one warm-up round:
 *   in-process  the verification container alone (what a verification cost before sealing)
 *   sealed      both containers concurrently, as the verify node runs them now
 * The ratio is the verification's wall-clock cost of sealing; the extra milliseconds are what a
 * remediation (reproduce + verify) pays for it.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { alternate } from "./lib/alternate.mjs";
import { copyRepo } from "./lib/docker.mjs";
import { fmtMs, fmtX, median, min } from "./lib/stats.mjs";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const { values: flags } = parseArgs({ options: { runs: { type: "string", default: "7" } } });
const RUNS = Number(flags.runs);
if (!Number.isInteger(RUNS) || RUNS < 1) {
  process.stderr.write("bench: --runs must be a whole number of at least 1\n");
  process.exit(64);
}

const { createDockerSandbox, compileThenRunCommand, pytestRunnerCommand, DEFAULT_LIMITS } = await import(join(ROOT, "dist/sandbox/docker.js"));
const { sealedCommand, sealedLayout } = await import(join(ROOT, "dist/evidence/sealedCommand.js"));
const { hashTestFiles } = await import(join(ROOT, "dist/workspace/testFiles.js"));

const scratch = await mkdtemp(join(tmpdir(), "opsguard-bench-sealing-"));
try {
  const workspace = await copyRepo(join(ROOT, "test/fixtures/sealed/repo"), join(scratch, "ws"));
  await writeFile(join(workspace, "app.py"), await readFile(join(ROOT, "test/fixtures/sealed/candidates/honest.py")), { mode: 0o644 });
  const sandbox = createDockerSandbox();
  const reproduction = pytestRunnerCommand(["tests"]);
  const env = { OPSGUARD_NONCE: "0", OPSGUARD_TEST_TIMEOUT: "10", PYTHONPATH: "/opsguard" };
  const inProcess = () => sandbox.run(workspace, compileThenRunCommand(["app.py"], reproduction), { env });
  const layout = sealedLayout(workspace, ["app.py"], Object.keys(await hashTestFiles(workspace)), DEFAULT_LIMITS.tmpfsBytes, join(ROOT, "sandbox/python/opsguard_elsewhere.py"));
  const sealed = () => sandbox.run(workspace, sealedCommand(reproduction), { env: { ...env, OPSGUARD_SEAL_FILES: '["app.py"]' }, layout });
  const timed = (work) => async () => {
    const started = performance.now();
    const results = await work();
    for (const result of [results].flat()) if (result.exitCode !== 0) throw new Error(`a verification failed: ${result.stdout}\n${result.stderr}`);
    return { ms: performance.now() - started };
  };
  const samples = await alternate(
    [
      { key: "in-process", run: timed(inProcess) },
      { key: "sealed", run: timed(() => Promise.all([inProcess(), sealed()])) },
    ],
    { runs: RUNS },
  );
  const ms = (key) => samples.get(key).map((s) => s.ms);
  const a = median(ms("in-process"));
  const b = median(ms("sealed"));
  const out = (line) => process.stdout.write(`${line}\n`);
  out(`What sealing costs per pytest-mode remediation (test/fixtures/sealed, every test sealed, ${RUNS} alternated runs after one warm-up):`);
  out(`  in-process verification alone:             median ${fmtMs(a)}, min ${fmtMs(min(ms("in-process")))}; samples ${ms("in-process").map(Math.round).join(" ")}`);
  out(`  in-process + sealed, concurrently (today):  median ${fmtMs(b)}, min ${fmtMs(min(ms("sealed")))}; samples ${ms("sealed").map(Math.round).join(" ")}`);
  out(`  sealing costs ${fmtX(b / a)} the verification's wall clock, +${fmtMs(b - a)} per remediation`);
} finally {
  await rm(scratch, { recursive: true, force: true });
}
