#!/usr/bin/env node
/**
 * What setup plus localisation cost on a repository of 2,000 Python files (issue 13: under a second).
 * The real setup node (gate 1, test hashes, the workspace copy), then the real propose node up to the
 * request a model would get: the Python files listed, the traceback's files and their imports read,
 * a 428-line module on the failing path shown as an outline. No container and no model: the
 * reproduction is a recorded traceback and the proposer only keeps the request. Prints each run and
 * the median; exits 1 when the median is over a second.
 * usage: node bench/localise.mjs [--runs N]   (after npm run build)
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const { createWorkspaceManager } = await import(join(ROOT, "dist/workspace/workspace.js"));
const { setup } = await import(join(ROOT, "dist/nodes/setup.js"));
const { propose } = await import(join(ROOT, "dist/nodes/propose.js"));
const { OpsGuardState } = await import(join(ROOT, "dist/state/state.js"));
const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 5;

const FILES = 2000;
const PACKAGES = 40;
const scratch = await mkdtemp(join(tmpdir(), "opsguard-bench-localise-"));
const repo = join(scratch, "repo");
// 40 packages of 50 modules; each module imports its neighbour, so the import graph is real.
for (let p = 0; p < PACKAGES; p += 1) {
  mkdirSync(join(repo, `pkg${p}`), { recursive: true });
  writeFileSync(join(repo, `pkg${p}`, "__init__.py"), "");
  for (let m = 1; m < FILES / PACKAGES; m += 1) {
    const next = m + 1 < FILES / PACKAGES ? `from pkg${p} import mod${m + 1}\n` : "";
    writeFileSync(join(repo, `pkg${p}`, `mod${m}.py`), `${next}\n\ndef value_${m}(x):\n    return x * ${m}\n`.repeat(3));
  }
}
mkdirSync(join(repo, "billing"));
writeFileSync(join(repo, "billing", "__init__.py"), "");
writeFileSync(join(repo, "billing", "ledger.py"), readFileSync(join(ROOT, "test/fixtures/outline/ledger.py")));
writeFileSync(join(repo, "app.py"), "from billing import ledger\nfrom pkg3 import mod1\n\n\ndef main():\n    print(ledger.apply_discount(100, 'WELCOME'))\n\n\nmain()\n");
const traceback = [
  "Traceback (most recent call last):",
  '  File "/workspace/app.py", line 9, in <module>',
  '  File "/workspace/app.py", line 6, in main',
  '  File "/workspace/billing/ledger.py", line 52, in apply_discount',
  "KeyError: 'WELCOME'",
].join("\n");

const workspaces = createWorkspaceManager(scratch);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const times = [];
const setupTimes = [];
const localiseTimes = [];
try {
  for (let i = 0; i < runs; i += 1) {
    let request;
    const deps = { workspaces, proposerFor: () => ({ propose: async (r) => ((request = r), null) }) };
    let state = OpsGuardState.parse({ repo, error: "KeyError", artifacts: join(scratch, `artifacts${i}`) });
    const started = performance.now();
    state = { ...state, ...(await setup(state, { deps })).update };
    if (!state.workspace) throw new Error(`setup refused the repository: ${state.reason}`);
    const setupMs = performance.now() - started;
    state.reproduction = { command: ["python", "app.py"], exitCode: 1, endReason: "exited", image: "opsguard-sandbox:py3.11", stdout: "", stderr: traceback, durationMs: 0 };
    await propose(state, { deps });
    const ms = performance.now() - started;
    const localiseMs = ms - setupMs;
    await workspaces.remove(state.workspace);
    times.push(ms);
    setupTimes.push(setupMs);
    localiseTimes.push(localiseMs);
    const shown = [request.file, ...(request.context ?? [])];
    const outlined = shown.filter((f) => f.view !== undefined).map((f) => f.path);
    console.log(`run ${i + 1}: ${ms.toFixed(0)} ms (setup ${setupMs.toFixed(0)}, localisation ${localiseMs.toFixed(0)}); shown ${shown.map((f) => f.path).join(", ")} (outline: ${outlined.join(", ") || "none"})`);
  }
  const verdict = median(times) < 1000 ? "under a second" : "OVER a second";
  console.log(`median setup + localisation on ${FILES + 3} Python files: ${median(times).toFixed(0)} ms (${verdict}; min ${Math.min(...times).toFixed(0)} ms; setup ${median(setupTimes).toFixed(0)} ms, localisation ${median(localiseTimes).toFixed(0)} ms)`);
  process.exitCode = median(times) < 1000 ? 0 : 1;
} finally {
  await rm(scratch, { recursive: true, force: true });
}
