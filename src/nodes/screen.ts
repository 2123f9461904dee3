/** Gate 3b: refuses candidates that game the evidence instead of fixing the bug (see gamingScreen). */
import type { NodeFn } from "../graph/deps.js";
import { currentAttempt, refuseCurrent } from "../graph/attempts.js";
import { screenCandidate } from "../tools/gamingScreen.js";
import { readTestSources } from "../tools/testFiles.js";

export const screen: NodeFn = async (state) => {
  const file = currentAttempt(state).files[0]!;
  const testSources = await readTestSources(state.workspace!, Object.keys(state.testHashes ?? {}));
  const verdict = await screenCandidate(state.original!.content, file.content, { testSources });
  if (verdict.ok) return { update: {}, summary: "no gaming found" };
  const reason = `${verdict.code}: ${verdict.reason}`;
  return { update: refuseCurrent(state, "screen", reason), summary: `refused, ${reason}` };
};
