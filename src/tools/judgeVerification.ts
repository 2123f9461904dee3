/**
 * Decides whether a verification run proves the fix. Exit 0 is necessary, never sufficient:
 * pytest mode needs fail-to-pass accounting whose evidence agrees with itself; entry mode needs the
 * failing code path to run again and complete. Pure.
 */
import type { Classification, OpsGuardState, SandboxRun } from "../graph/state.js";
import { parsePytestOutcomes } from "./classifier.js";
import { judgeEntryEvidence } from "./entryEvidence.js";
import { EntryEvidenceSchema, outcomesOf, PytestEvidence } from "./pytestEvidence.js";
import { accountTests, type TestOutcome } from "./testAccounting.js";

export type Proof = NonNullable<OpsGuardState["proof"]>;
export type Judgement = { ok: true; proof: Proof; testsAfter?: Record<string, TestOutcome> } | { ok: false; reason: string; testsAfter?: Record<string, TestOutcome> };

function judgePytest(state: OpsGuardState, run: SandboxRun, evidence: unknown): Judgement {
  const parsed = PytestEvidence.safeParse(evidence);
  if (!parsed.success) return { ok: false, reason: `the test run ended without OpsGuard's evidence (${run.endReason}, exit ${run.exitCode})` };
  const testsAfter = outcomesOf(parsed.data);
  if (run.exitCode !== parsed.data.exitstatus) {
    return { ok: false, testsAfter, reason: `the process exit code ${run.exitCode} disagrees with pytest's own status ${parsed.data.exitstatus}` };
  }
  // The printed summary and the plugin's record come through different channels; a forged
  // report rarely fools both the same way.
  for (const [id, printed] of parsePytestOutcomes(run.stdout)) {
    const recorded = testsAfter[id];
    if (recorded && recorded !== printed) {
      return { ok: false, testsAfter, reason: `pytest printed ${printed} for ${id} but recorded ${recorded}: the results were tampered with` };
    }
  }
  const failing = Object.values(testsAfter).some((o) => o === "failed" || o === "error");
  if ((parsed.data.exitstatus === 0) === failing) {
    return { ok: false, testsAfter, reason: `pytest's status ${parsed.data.exitstatus} disagrees with its test outcomes` };
  }
  const accounting = accountTests(state.testsBefore ?? {}, testsAfter);
  if (!accounting.proven) return { ok: false, testsAfter, reason: accounting.problems.join("; ") };
  if (run.exitCode !== 0) return { ok: false, testsAfter, reason: `the suite still exits ${run.exitCode}` };
  const f2p = Object.keys(accounting.failToPass).length;
  const p2p = Object.keys(accounting.passToPass).length;
  return {
    ok: true,
    testsAfter,
    proof: {
      summary: `${f2p} fail-to-pass test(s) now pass, ${p2p} pass-to-pass test(s) still pass`,
      failToPass: accounting.failToPass,
      passToPass: accounting.passToPass,
      neutral: accounting.neutral,
    },
  };
}

function judgeEntry(state: OpsGuardState, run: SandboxRun, after: Classification, evidence: unknown): Judgement {
  if (run.exitCode !== 0 || after.errorType !== "NO_ERROR") {
    return { ok: false, reason: `still failing in the sandbox (exit ${run.exitCode}, ${run.endReason}): ${after.reason}` };
  }
  if (!state.failureSite) return { ok: true, proof: { summary: "exits 0 with nothing on stderr; the failure left no traceback to trace" } };
  const parsed = EntryEvidenceSchema.safeParse(evidence);
  const verdict = judgeEntryEvidence(state.failureSite, parsed.success ? parsed.data : undefined);
  if (!verdict.ok) return { ok: false, reason: verdict.reason };
  return { ok: true, proof: { summary: verdict.summary, watched: parsed.success ? parsed.data.watched : {} } };
}

export function judgeVerification(state: OpsGuardState, run: SandboxRun, after: Classification, evidence: unknown): Judgement {
  return state.mode === "pytest" ? judgePytest(state, run, evidence) : judgeEntry(state, run, after, evidence);
}
