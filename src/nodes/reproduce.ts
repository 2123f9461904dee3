/** Runs the reproduction in a fresh sandbox container, and keeps where (or which tests) it failed. */
import type { NodeFn } from "./deps.js";
import { collectionProblem } from "../judge/collectionGate.js";
import { findFailureSite, withFingerprints } from "../python/failureSite.js";
import { assemblePytestEvidence, outcomesOf } from "../evidence/pytest.js";
import { hashTestFiles } from "../workspace/testFiles.js";
import { runWithEvidence } from "../evidence/run.js";
import { describeRun } from "../evidence/sandboxOptions.js";
import { protectedTarget } from "./setup.js";

export const reproduce: NodeFn = async (state, context) => {
  const { run, records, forged, guard } = await runWithEvidence(state, context);
  const tries = (state.reproAttempts ?? 0) + 1;
  const summary = `try ${tries}: ${describeRun(run)}`;
  if (state.mode === "pytest") {
    // A stream cut by the wall-clock limit still counts: what ended before the kill is known, the
    // test running at the kill failed, and the tests that never started were not observed.
    // The original code is the user's own, so what it reports here is trusted (a fix's run never is).
    const evidence = forged ? undefined : assemblePytestEvidence(records);
    const testsBefore = evidence ? outcomesOf(evidence) : {};
    const cut = evidence && !evidence.complete ? `; evidence ${evidence.broken}` : "";
    if (!evidence) return { update: { reproduction: run, reproAttempts: tries, testsBefore }, summary: summary + cut };
    const problem = collectionProblem(evidence, state.tests ?? []);
    if (problem) return { update: { reproduction: run, reproAttempts: tries, testsBefore, status: "FAILED", reason: problem }, summary: problem };
    // Protected from now on: what pytest collected and its configuration file, with everything found by name.
    const inifile = evidence.where?.inifile;
    const known = [...Object.keys(state.testHashes ?? {}), ...evidence.files, ...(inifile ? [inifile] : [])];
    const testHashes = await hashTestFiles(state.workspace!, known);
    const update = { reproduction: run, reproAttempts: tries, testsBefore, testHashes };
    if (state.original && state.original.path in testHashes) {
      const reason = protectedTarget(state.original.path);
      return { update: { ...update, status: "FAILED", reason }, summary: reason };
    }
    return { update, summary: `${summary}, ${Object.keys(testsBefore).length} test(s) from ${evidence.files.length} file(s)${cut}` };
  }
  // The printed traceback says where it failed; the guard's "failure" record adds the arguments
  // each call on the path received (their fingerprints), for the behaviour check at verification.
  const printed = findFailureSite(run.stderr, run.endReason);
  const recorded = guard.records.find((r) => r.k === "failure");
  const failureSite = printed && withFingerprints(printed, recorded?.k === "failure" ? recorded.chain : undefined);
  return { update: { reproduction: run, reproAttempts: tries, ...(failureSite ? { failureSite } : {}) }, summary };
};
