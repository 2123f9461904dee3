/** Runs the reproduction in a fresh sandbox container, and keeps where (or which tests) it failed. */
import type { NodeFn } from "../graph/deps.js";
import { findFailureSite } from "../tools/failureSite.js";
import { assemblePytestEvidence, outcomesOf } from "../tools/pytestEvidence.js";
import { runWithEvidence } from "./evidenceRun.js";
import { describeRun } from "./sandboxOptions.js";

export const reproduce: NodeFn = async (state, context) => {
  const { run, records } = await runWithEvidence(state, context);
  const tries = (state.reproAttempts ?? 0) + 1;
  const summary = `try ${tries}: ${describeRun(run)}`;
  if (state.mode === "pytest") {
    // A stream cut by the wall-clock limit still counts: what ended before the kill is known, the
    // test running at the kill failed, and the tests that never started were not observed.
    const evidence = assemblePytestEvidence(records);
    const testsBefore = evidence ? outcomesOf(evidence) : {};
    const cut = evidence && !evidence.complete ? `; evidence ${evidence.broken}` : "";
    return { update: { reproduction: run, reproAttempts: tries, testsBefore }, summary: summary + cut };
  }
  const failureSite = findFailureSite(run.stderr, run.endReason);
  return { update: { reproduction: run, reproAttempts: tries, ...(failureSite ? { failureSite } : {}) }, summary };
};
