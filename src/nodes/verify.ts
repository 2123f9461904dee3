/**
 * Gates 4 and 5 in one container: the fixed files must compile with the sandbox's own Python, then
 * the reproduction runs again on the fixed workspace and must prove the fix. Each gate keeps its own
 * evidence and its own refusal.
 */
import type { NodeFn } from "./deps.js";
import { currentAttempt, refuseCurrent, updateCurrent } from "../state/attempts.js";
import { classifyFailure } from "../judge/classifier.js";
import { failingCall, watchList } from "../evidence/entry.js";
import { judgeVerification } from "../judge/judgeVerification.js";
import { CompileEvidence } from "../evidence/pytest.js";
import { compileThenRunCommand } from "../sandbox/docker.js";
import { hashTestFiles, tamperedTestFiles } from "../workspace/testFiles.js";
import { sha256 } from "../system/hash.js";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { OpsGuardState } from "../state/state.js";
import { runWithEvidence } from "../evidence/run.js";
import { runSealed } from "../evidence/sealedRun.js";
import { describeRun } from "../evidence/sandboxOptions.js";

/** The fixed files that the run itself rewrote or removed in its copy. */
async function changedFixFiles(state: OpsGuardState, runCopy: string): Promise<string[]> {
  const changed: string[] = [];
  for (const file of currentAttempt(state).files) {
    const content = await readFile(join(runCopy, file.path)).catch(() => undefined);
    if (content === undefined) changed.push(`${file.path} is missing`);
    else if (sha256(content) !== file.sha256) changed.push(`${file.path} changed`);
  }
  return changed;
}

export const verify: NodeFn = async (state, context) => {
  const files = currentAttempt(state).files.map((f) => f.path);
  // The changed files are the code under judgement: the guard refuses them frame, gc, exec, ... access.
  const settings: Record<string, string> = { OPSGUARD_CHANGED: JSON.stringify(files) };
  if (state.mode === "entry" && state.failureSite) {
    settings.OPSGUARD_WATCH = JSON.stringify(watchList(state.failureSite));
    // A fix of several files may rename the failing function: the guard reports a call of that
    // file with the failing call's arguments under any name.
    const call = failingCall(state.failureSite);
    if (call && typeof call.fingerprint === "string") settings.OPSGUARD_FAILING = JSON.stringify([call.path ?? call.file, call.fingerprint]);
  }
  const command = compileThenRunCommand(files, state.reproductionCommand!);
  // The run writes into its own copy of the workspace: what it did to the tests and the fix is read there.
  let tampered: string[] = [];
  const afterRun = async (runCopy: string) => {
    tampered = [...tamperedTestFiles(state.testHashes ?? {}, await hashTestFiles(runCopy, Object.keys(state.testHashes ?? {}))), ...(await changedFixFiles(state, runCopy))];
  };
  // Pytest mode runs the suite twice at once: in-process as before, and sealed.
  const [inProcess, sealed] = await Promise.all([
    runWithEvidence(state, context, settings, command, { afterRun }),
    state.mode === "pytest" ? runSealed(state, context, files) : undefined,
  ]);
  const { run, evidence, records, forged } = inProcess;

  const compileError = CompileEvidence.safeParse(state.mode === "pytest" ? records[0] : evidence);
  if (!forged && compileError.success) {
    const { file, error } = compileError.data.compile;
    const reason = `does not compile: ${error.split("\n").at(-1)} (${file})`;
    return { update: refuseCurrent(state, "compile", reason), summary: `refused, ${reason}` };
  }

  const judgement = forged || sealed?.forged
    ? { ok: false as const, reason: "the output carries a forged OpsGuard evidence line" }
    : tampered.length > 0
      ? { ok: false as const, reason: `test files or fixed files changed during the run: ${tampered.join(", ")}` }
      : judgeVerification(state, inProcess, classifyFailure({ mode: state.mode, result: run }), sealed);
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
