#!/usr/bin/env node
/**
 * What shipping a workspace through the engine's API costs against bind-mounting a local copy, on the
 * local engine, side by side in one run (A B A B ...): one hardened run of `python3 -c pass` per sample,
 * with the read-back of the run's copy that the verify node asks for (afterRun). For demo_repo and
 * test_large_repo. Prints each subject's median and min and the ratio of medians.
 * usage: node bench/transport.mjs [--runs N]   (after npm run build and npm run sandbox:image)
 */
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { alternate } from "./lib/alternate.mjs";
import { fmtMs, fmtX, median, min, table } from "./lib/stats.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const { createDockerSandbox } = await import(join(ROOT, "dist/sandbox/docker.js"));
const { TRANSPORT_ENV } = await import(join(ROOT, "dist/sandbox/transport.js"));
const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 7;

const scratch = await mkdtemp(join(tmpdir(), "opsguard-bench-transport-"));
const sandbox = createDockerSandbox();
const rows = [];
try {
  for (const repo of ["demo_repo", "test_large_repo"]) {
    // Run copies are made next to the workspace: keep both in the scratch directory.
    const workspace = join(scratch, repo);
    await cp(join(ROOT, repo), workspace, { recursive: true });
    const sample = (transport) => async () => {
      process.env[TRANSPORT_ENV] = transport;
      const started = performance.now();
      await sandbox.run(workspace, ["python3", "-c", "pass"], { afterRun: async () => undefined });
      return { ms: performance.now() - started };
    };
    const samples = await alternate([{ key: "bind", run: sample("bind") }, { key: "archive", run: sample("archive") }], { runs });
    const bind = samples.get("bind").map((s) => s.ms);
    const archive = samples.get("archive").map((s) => s.ms);
    rows.push([repo, fmtMs(median(bind)), fmtMs(min(bind)), fmtMs(median(archive)), fmtMs(min(archive)), fmtX(median(archive) / median(bind))]);
  }
} finally {
  delete process.env[TRANSPORT_ENV];
  await rm(scratch, { recursive: true, force: true });
}
process.stdout.write(`one hardened run with read-back, ${runs} samples each, alternated\n`);
process.stdout.write(`${table([["repository", "bind median", "bind min", "archive median", "archive min", "archive / bind"], ...rows], { rightAligned: [1, 2, 3, 4, 5] })}\n`);
