#!/usr/bin/env node
// Runs the whole vitest suite, then prints the plain closing line `N passed, N failed`
// that CI counts. Extra arguments go to vitest (e.g. a file filter).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dir = mkdtempSync(join(tmpdir(), "opsguard-tests-"));
const report = join(dir, "vitest.json");
const vitest = spawnSync(
  "npx",
  ["--no-install", "vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { stdio: "inherit" },
);
let passed = 0;
let failed = 0;
try {
  const results = JSON.parse(readFileSync(report, "utf8"));
  passed = results.numPassedTests;
  failed = results.numFailedTests + (results.numPendingTests ?? 0) + (results.numTodoTests ?? 0);
  // A file that failed to load has no tests to count: count it as a failure.
  for (const file of results.testResults ?? []) {
    if (file.status === "failed" && (file.assertionResults ?? []).length === 0) failed += 1;
  }
} catch {
  failed += 1;
}
rmSync(dir, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exit(vitest.status === 0 && failed === 0 ? 0 : 1);
