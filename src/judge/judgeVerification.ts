/**
 * Decides whether a verification run proves the fix. Exit 0 is necessary, never sufficient:
 * pytest mode needs fail-to-pass accounting over unbroken evidence streams (sealed where the tests'
 * use of the changed code allows it); entry mode needs the failing code path to run again and
 * complete. Before either, the runtime guard's streams: a forbidden operation, tampering or a broken
 * guard stream refuses the fix whatever its results say. Pure.
 */
import type { Classification, OpsGuardState, SandboxRun } from "../state/state.js";
import { parsePytestOutcomes } from "./classifier.js";
import { entryEvidenceFrom, judgeEntryEvidence } from "../evidence/entry.js";
import { guardRefusals, type GuardStream } from "../evidence/guardStream.js";
import { assemblePytestEvidence, type PytestEvidence } from "../evidence/pytest.js";
import { allGuarded, mergeSealedOutcomes } from "../evidence/sealedOutcomes.js";
import { accountTests } from "./testAccounting.js";
import type { TestOutcome } from "../state/state.js";
import { addedTypeIn, changedComparisonIn } from "./addedTypes.js";

export type Proof = NonNullable<OpsGuardState["proof"]>;
export type Judgement = { ok: true; proof: Proof; testsAfter?: Record<string, TestOutcome> } | { ok: false; reason: string; testsAfter?: Record<string, TestOutcome> };

/** A pytest run, the records its plugin streamed and what the runtime guard streamed. */
export interface PytestRun {
  run: SandboxRun;
  records: unknown[];
  /** The guard's stream in the pytest process; when present it must reach its end record too. */
  guard?: GuardStream;
}

/** A verification run: its guard stream, and for a sealed run the code side's as well. */
export interface VerificationRun extends PytestRun {
  guard: GuardStream;
  codeGuard?: GuardStream;
}

/**
 * Unbroken streams, or why not: a process that exits early or is killed leaves no complete record.
 * The plugin's records and the guard's are numbered separately; each must be unbroken to its end.
 */
function completeEvidence(which: string, { run, records, guard }: PytestRun): PytestEvidence | string {
  const evidence = assemblePytestEvidence(records);
  if (!evidence) return `the ${which} ended without OpsGuard's evidence (${run.endReason}, exit ${run.exitCode})`;
  if (!evidence.complete) return `the ${which}'s evidence is incomplete: ${evidence.broken} (${run.endReason}, exit ${run.exitCode})`;
  if (guard && !guard.end) return `the ${which}'s guard stream has no end record (${run.endReason}, exit ${run.exitCode})`;
  return evidence;
}

export function judgePytest(state: OpsGuardState, inProcess: PytestRun, sealed?: PytestRun): Judgement {
  const evidence = completeEvidence("test run", inProcess);
  if (typeof evidence === "string") return { ok: false, reason: evidence };
  const { run } = inProcess;
  const sealedEvidence = sealed ? completeEvidence("sealed test run", sealed) : "no sealed run was made";
  if (sealed && typeof sealedEvidence === "string") return { ok: false, reason: sealedEvidence };
  const { outcomes: testsAfter, trust } =
    typeof sealedEvidence === "string" ? allGuarded(evidence, sealedEvidence) : mergeSealedOutcomes(evidence, sealedEvidence);
  if (run.exitCode !== evidence.exitstatus) {
    return { ok: false, testsAfter, reason: `the process exit code ${run.exitCode} disagrees with pytest's own status ${evidence.exitstatus}` };
  }
  // The printed summary and the plugin's record come through different channels; a forged
  // report rarely fools both the same way.
  for (const [id, printed] of parsePytestOutcomes(run.stdout)) {
    const recorded = evidence.outcomes[id];
    if (recorded && recorded !== printed) {
      return { ok: false, testsAfter, reason: `pytest printed ${printed} for ${id} but recorded ${recorded}: the results were tampered with` };
    }
  }
  const failing = Object.values(evidence.outcomes).some((o) => o === "failed" || o === "error");
  if ((evidence.exitstatus === 0) === failing) {
    return { ok: false, testsAfter, reason: `pytest's status ${evidence.exitstatus} disagrees with its test outcomes` };
  }
  const accounting = accountTests(state.testsBefore ?? {}, testsAfter);
  if (!accounting.proven) return { ok: false, testsAfter, reason: accounting.problems.join("; ") };
  if (run.exitCode !== 0) return { ok: false, testsAfter, reason: `the suite still exits ${run.exitCode}` };
  const f2pIds = Object.keys(accounting.failToPass);
  if (state.requireSealed) {
    const unsealed = f2pIds.filter((id) => trust[id]?.level !== "sealed");
    if (unsealed.length > 0) {
      const listed = unsealed.map((id) => `${id} (${trust[id]?.note ?? "not sealed"})`).join("; ");
      return { ok: false, testsAfter, reason: `--require-sealed: fail-to-pass evidence is only guarded for ${listed}` };
    }
  }
  // Without --require-sealed a test may rest on guarded evidence, but not because the fix returns
  // a type of its own there: that is the fix choosing to be judged where its objects decide.
  const originals = (state.baseline ?? []).map(({ path, content }) => ({ path, content }));
  const changedFiles = (state.attempts?.at(-1)?.files ?? []).map(({ path, content }) => ({ path, content }));
  for (const id of f2pIds) {
    if (trust[id]?.level !== "guarded") continue;
    const added = addedTypeIn(trust[id]?.note, originals);
    if (added) {
      return {
        ok: false,
        testsAfter,
        reason: `${id} is only guarded because the fix returns a ${added}, a type the fix adds: a fail-to-pass test must stay sealed, so return plain data there`,
      };
    }
    const recompared = changedComparisonIn(trust[id]?.note, originals, changedFiles);
    if (recompared) {
      return {
        ok: false,
        testsAfter,
        reason: `${id} is only guarded, and the fix changes how the ${recompared} it returns there compares: the verdict would rest on the fix's own comparison`,
      };
    }
  }
  const sealedF2p = f2pIds.filter((id) => trust[id]?.level === "sealed").length;
  const p2p = Object.keys(accounting.passToPass).length;
  const unobserved = Object.keys(accounting.unobserved).length;
  return {
    ok: true,
    testsAfter,
    proof: {
      summary:
        `${f2pIds.length} fail-to-pass test(s) now pass (${sealedF2p} sealed), ${p2p} pass-to-pass test(s) still pass` +
        (unobserved ? `, ${unobserved} test(s) the original never reached pass` : ""),
      failToPass: accounting.failToPass,
      passToPass: accounting.passToPass,
      neutral: accounting.neutral,
      ...(unobserved ? { unobserved: accounting.unobserved } : {}),
      trust,
    },
  };
}

/** Entry mode: the failing path, judged on the guard's stream (its end record and call outcomes). */
export function judgeEntry(state: OpsGuardState, run: SandboxRun, after: Classification, guard: GuardStream): Judgement {
  if (run.exitCode !== 0 || after.errorType !== "NO_ERROR") {
    return { ok: false, reason: `still failing in the sandbox (exit ${run.exitCode}, ${run.endReason}): ${after.reason}` };
  }
  if (!state.failureSite) return { ok: true, proof: { summary: "exits 0 with nothing on stderr; the failure left no traceback to trace" } };
  const entry = entryEvidenceFrom(guard.records);
  const verdict = judgeEntryEvidence(state.failureSite, entry);
  if (!verdict.ok) return { ok: false, reason: verdict.reason };
  return { ok: true, proof: { summary: verdict.summary, watched: entry?.watched ?? {} } };
}

/**
 * The guard's refusals (forbidden operations, tampering, a broken stream) come first in both
 * modes: they are what the code did, whatever its results say, and outcomes from a run the fix
 * interfered with are not kept. A sealed run adds the guards of its two sides; the code side's is
 * where the changed code ran there.
 */
export function judgeVerification(state: OpsGuardState, inProcess: VerificationRun, after: Classification, sealed?: VerificationRun): Judgement {
  const refusals = [
    ...guardRefusals(inProcess.guard),
    ...(sealed ? guardRefusals(sealed.guard).map((r) => `${r} (sealed run, test side)`) : []),
    ...(sealed?.codeGuard ? guardRefusals(sealed.codeGuard).map((r) => `${r} (sealed run, code side)`) : []),
  ];
  const [refusal] = refusals;
  if (refusal) return { ok: false, reason: refusal };
  return state.mode === "pytest" ? judgePytest(state, inProcess, sealed) : judgeEntry(state, inProcess.run, after, inProcess.guard);
}
