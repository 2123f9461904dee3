/**
 * Fail-to-pass accounting, as SWE-bench's harness does it: the tests that fail on the original
 * must pass after the fix, and the tests that passed must still pass. Pure.
 */
import type { TestOutcome, TestPair } from "../state/state.js";

/** Re-exported for src/evidence/sealedOutcomes.ts, which imports it from here. */

export interface TestAccounting {
  failToPass: Record<string, TestPair>;
  passToPass: Record<string, TestPair>;
  /** Tests the suite itself skipped (or xfailed) on the original: neither evidence nor harm. */
  neutral: string[];
  /** Tests the original's run never got to (it was killed first): they must pass after the fix. */
  unobserved: Record<string, TestPair>;
  proven: boolean;
  /** One line per test that keeps the fix from being proven. */
  problems: string[];
}

const FAILING = new Set<TestOutcome>(["failed", "error"]);

export function accountTests(before: Record<string, TestOutcome>, after: Record<string, TestOutcome>): TestAccounting {
  const failToPass: Record<string, TestPair> = {};
  const passToPass: Record<string, TestPair> = {};
  const neutral: string[] = [];
  const unobserved: Record<string, TestPair> = {};
  const problems: string[] = [];
  for (const [id, outcome] of Object.entries(before)) {
    const pair = { before: outcome, after: after[id] ?? "missing" };
    if (FAILING.has(outcome)) failToPass[id] = pair;
    else if (outcome === "passed") passToPass[id] = pair;
    else if (outcome === "missing") unobserved[id] = pair;
    else neutral.push(id);
  }
  for (const [id, pair] of Object.entries(failToPass)) {
    if (pair.after !== "passed") problems.push(`fail-to-pass ${id} is ${pair.after} after the fix`);
  }
  for (const [id, pair] of Object.entries(passToPass)) {
    if (pair.after !== "passed") problems.push(`pass-to-pass ${id} broke: ${pair.after} after the fix`);
  }
  for (const [id, pair] of Object.entries(unobserved)) {
    if (pair.after !== "passed") problems.push(`${id} never ran on the original and is ${pair.after} after the fix`);
  }
  if (Object.keys(failToPass).length === 0) problems.push("no test failed on the original code, so nothing proves the fix");
  return { failToPass, passToPass, neutral, unobserved, proven: problems.length === 0, problems };
}
