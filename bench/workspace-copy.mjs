#!/usr/bin/env node
/**
 * What setting up a workspace costs on a realistic git work tree: a 200 MB ignored data file, a
 * 22,000-file virtualenv nobody ignored, 150 tracked modules. Side by side in one run: a plain
 * recursive copy that skips a fixed list of names (how OpsGuard copied before) and OpsGuard's copy
 * (what git lists; virtualenvs found by pyvenv.cfg). Prints each run and the ratio of medians.
 * usage: node bench/workspace-copy.mjs [--runs N]   (after npm run build)
 */
import { execFileSync } from "node:child_process";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { mkdirSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const { createWorkspaceManager } = await import(join(ROOT, "dist/workspace/workspace.js"));
const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 3;

const scratch = await mkdtemp(join(tmpdir(), "opsguard-bench-ws-"));
const repo = join(scratch, "repo");
mkdirSync(join(repo, "data"), { recursive: true });
for (let i = 0; i < 150; i += 1) writeFileSync(join(repo, `mod${i}.py`), `x = ${i}\n`);
writeFileSync(join(repo, ".gitignore"), "data/\n");
writeFileSync(join(repo, "data", "big.bin"), "");
truncateSync(join(repo, "data", "big.bin"), 200 * 1024 * 1024);
for (let d = 0; d < 220; d += 1) {
  const dir = join(repo, "venv", "lib", "python3.11", "site-packages", `pkg${d}`);
  mkdirSync(dir, { recursive: true });
  for (let f = 0; f < 100; f += 1) writeFileSync(join(dir, `m${f}.py`), "x = 1\n".repeat(50));
}
writeFileSync(join(repo, "venv", "pyvenv.cfg"), "home = /usr/bin\n");
const git = (...args) => execFileSync("git", ["-c", "user.email=b@example.com", "-c", "user.name=b", ...args], { cwd: repo });
git("init", "-q");
git("add", ".gitignore", ...Array.from({ length: 150 }, (_, i) => `mod${i}.py`));
git("commit", "-qm", "bench");

const SKIPPED = new Set([".git", ".hg", ".svn", "__pycache__", ".pytest_cache", ".mypy_cache", "node_modules", ".venv"]);
async function plainCopy() {
  const target = await mkdtemp(join(scratch, "plain-"));
  const started = performance.now();
  await cp(repo, target, { recursive: true, filter: (source) => !SKIPPED.has(basename(source)), verbatimSymlinks: true });
  const ms = performance.now() - started;
  await rm(target, { recursive: true, force: true });
  return ms;
}
async function opsguardCopy() {
  const manager = createWorkspaceManager(scratch);
  const started = performance.now();
  const workspace = await manager.create(repo);
  const ms = performance.now() - started;
  await manager.remove(workspace);
  return ms;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const plain = [];
const ours = [];
try {
  for (let i = 0; i < runs; i += 1) {
    plain.push(await plainCopy());
    ours.push(await opsguardCopy());
    console.log(`run ${i + 1}: plain copy ${plain.at(-1).toFixed(0)} ms, OpsGuard's copy ${ours.at(-1).toFixed(0)} ms`);
  }
  console.log(`median: plain copy ${median(plain).toFixed(0)} ms, OpsGuard's copy ${median(ours).toFixed(0)} ms: ${(median(plain) / median(ours)).toFixed(1)}x less time`);
} finally {
  await rm(scratch, { recursive: true, force: true });
}
