/** Runs the reproduction in a fresh sandbox container, and keeps where (or which tests) it failed. */
import type { NodeFn } from "../graph/deps.js";
import { findFailureSite } from "../tools/failureSite.js";
import { outcomesOf, PytestEvidence } from "../tools/pytestEvidence.js";
import { runWithEvidence } from "./evidenceRun.js";
import { describeRun } from "./sandboxOptions.js";

export const reproduce: NodeFn = async (state, context) => {
  const { run, evidence } = await runWithEvidence(state, context);
  const tries = (state.reproAttempts ?? 0) + 1;
  const summary = `try ${tries}: ${describeRun(run)}`;
  if (state.mode === "pytest") {
    const parsed = PytestEvidence.safeParse(evidence);
    const testsBefore = parsed.success ? outcomesOf(parsed.data) : {};
    return { update: { reproduction: run, reproAttempts: tries, testsBefore }, summary };
  }
  const failureSite = findFailureSite(run.stderr, run.endReason);
  return { update: { reproduction: run, reproAttempts: tries, ...(failureSite ? { failureSite } : {}) }, summary };
};
