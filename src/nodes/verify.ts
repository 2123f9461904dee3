/** Gate 5: the reproduction runs again on the fixed workspace and must now prove the fix. */
import type { NodeFn } from "../graph/deps.js";
import { refuseCurrent, updateCurrent } from "../graph/attempts.js";
import { classifyFailure } from "../tools/classifier.js";
import { watchList } from "../tools/entryEvidence.js";
import { judgeVerification } from "../tools/judgeVerification.js";
import { diffHashes, hashTestFiles } from "../tools/testFiles.js";
import { runWithEvidence } from "./evidenceRun.js";
import { describeRun } from "./sandboxOptions.js";

export const verify: NodeFn = async (state, context) => {
  const watch: Record<string, string> =
    state.mode === "entry" && state.failureSite ? { OPSGUARD_WATCH: JSON.stringify(watchList(state.failureSite)) } : {};
  const { run, evidence, forged } = await runWithEvidence(state, context, watch);
  const tampered = diffHashes(state.testHashes ?? {}, await hashTestFiles(state.workspace!));
  const judgement = forged
    ? { ok: false as const, reason: "the output carries a forged OpsGuard evidence line" }
    : tampered.length > 0
      ? { ok: false as const, reason: `test files changed during the run: ${tampered.join(", ")}` }
      : judgeVerification(state, run, classifyFailure({ mode: state.mode, result: run }), evidence);
  const testsAfter = "testsAfter" in judgement && judgement.testsAfter ? { testsAfter: judgement.testsAfter } : {};
  if (judgement.ok) {
    return {
      update: {
        verification: run,
        ...testsAfter,
        proof: judgement.proof,
        attempts: updateCurrent(state, { outcome: "accepted" }),
        status: "SUCCESS",
        reason: `The fix was proven in the sandbox: ${judgement.proof.summary}.`,
      },
      summary: `proven, ${judgement.proof.summary} (${describeRun(run)})`,
    };
  }
  return {
    update: { verification: run, ...testsAfter, ...refuseCurrent(state, "verify", judgement.reason) },
    summary: `refused, ${judgement.reason}`,
  };
};
