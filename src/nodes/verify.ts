/** Gate 5: the reproduction runs again on the fixed workspace, and must now succeed. */
import type { NodeFn } from "../graph/deps.js";
import { refuseCurrent, updateCurrent } from "../graph/attempts.js";
import { classifyFailure } from "../tools/classifier.js";
import { describeRun, sandboxOptions } from "./sandboxOptions.js";

export const verify: NodeFn = async (state, { deps, signal }) => {
  const verification = await deps.sandbox.run(state.workspace!, state.reproductionCommand!, sandboxOptions(state, signal));
  const after = classifyFailure({ mode: state.mode, result: verification });
  if (verification.exitCode === 0 && after.errorType === "NO_ERROR") {
    return {
      update: {
        verification,
        attempts: updateCurrent(state, { outcome: "accepted" }),
        status: "SUCCESS",
        reason: `The fix was verified in the sandbox: ${describeRun(verification)}.`,
      },
      summary: `verified, ${describeRun(verification)}`,
    };
  }
  const reason = `still failing in the sandbox (${describeRun(verification)}): ${after.reason}`;
  return { update: { verification, ...refuseCurrent(state, "verify", reason) }, summary: `refused, ${reason}` };
};
