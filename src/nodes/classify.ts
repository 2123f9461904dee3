/** Decides what the reproduction showed: a code error to fix, infrastructure, or nothing at all. */
import type { NodeFn } from "../graph/deps.js";
import { classifyFailure } from "../tools/classifier.js";
import { errorMismatch } from "../tools/errorMismatch.js";

export const classify: NodeFn = async (state) => {
  const classification = classifyFailure({ mode: state.mode, result: state.reproduction! });
  const { errorType, reason } = classification;
  const update = { classification, errorType };
  if (errorType === "INFRA_ERROR") {
    return { update: { ...update, status: "INFRA_STOP" as const, reason: `Infrastructure error, no fix attempted: ${reason}` }, summary: `${errorType}: ${reason}` };
  }
  if (errorType === "NO_ERROR" && (state.reproAttempts ?? 0) >= state.maxReproAttempts) {
    return {
      update: {
        ...update,
        status: "NOT_REPRODUCIBLE" as const,
        reason: `The failure did not reproduce in ${state.reproAttempts} tries: ${reason}`,
      },
      summary: `${errorType}: not reproduced, giving up`,
    };
  }
  const mismatch = errorType === "CODE_ERROR" ? errorMismatch(state.error, classification.exception) : undefined;
  if (mismatch && !(state.warnings ?? []).includes(mismatch)) {
    return { update: { ...update, warnings: [...(state.warnings ?? []), mismatch] }, summary: `${errorType}: ${reason} (warning: ${mismatch})` };
  }
  return { update, summary: `${errorType}: ${reason}` };
};
