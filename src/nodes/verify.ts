/**
 * Gates 4 and 5 in one container: the fixed files must compile with the sandbox's own Python, then
 * the reproduction runs again on the fixed workspace and must prove the fix. Each gate keeps its own
 * evidence and its own refusal.
 */
import type { NodeFn } from "../graph/deps.js";
import { currentAttempt, refuseCurrent, updateCurrent } from "../graph/attempts.js";
import { classifyFailure } from "../tools/classifier.js";
import { watchList } from "../tools/entryEvidence.js";
import { judgeEntry, judgePytest } from "../tools/judgeVerification.js";
import { CompileEvidence } from "../tools/pytestEvidence.js";
import { compileThenRunCommand } from "../tools/sandbox.js";
import { diffHashes, hashTestFiles } from "../tools/testFiles.js";
import { runWithEvidence } from "./evidenceRun.js";
import { runSealed } from "./sealedRun.js";
import { describeRun } from "./sandboxOptions.js";

export const verify: NodeFn = async (state, context) => {
  const files = currentAttempt(state).files.map((f) => f.path);
  const watch: Record<string, string> =
    state.mode === "entry" && state.failureSite ? { OPSGUARD_WATCH: JSON.stringify(watchList(state.failureSite)) } : {};
  const command = compileThenRunCommand(files, state.reproductionCommand!);
  // Pytest mode runs the suite twice at once: in-process as before, and sealed.
  const [{ run, evidence, records, forged }, sealed] = await Promise.all([
    runWithEvidence(state, context, watch, command),
    state.mode === "pytest" ? runSealed(state, context, files) : undefined,
  ]);

  const compileError = CompileEvidence.safeParse(state.mode === "pytest" ? records[0] : evidence);
  if (!forged && compileError.success) {
    const { file, error } = compileError.data.compile;
    const reason = `does not compile: ${error.split("\n").at(-1)} (${file})`;
    return { update: refuseCurrent(state, "compile", reason), summary: `refused, ${reason}` };
  }

  const tampered = diffHashes(state.testHashes ?? {}, await hashTestFiles(state.workspace!, Object.keys(state.testHashes ?? {})));
  const judgement = forged || sealed?.forged
    ? { ok: false as const, reason: "the output carries a forged OpsGuard evidence line" }
    : tampered.length > 0
      ? { ok: false as const, reason: `test files changed during the run: ${tampered.join(", ")}` }
      : state.mode === "pytest"
        ? judgePytest(state, { run, records }, sealed)
        : judgeEntry(state, run, classifyFailure({ mode: state.mode, result: run }), evidence);
  const testsAfter = judgement.testsAfter ? { testsAfter: judgement.testsAfter } : {};
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
      summary: `compiles; proven, ${judgement.proof.summary} (${describeRun(run)})`,
    };
  }
  return {
    update: { verification: run, ...testsAfter, ...refuseCurrent(state, "verify", judgement.reason) },
    summary: `refused, ${judgement.reason}`,
  };
};
