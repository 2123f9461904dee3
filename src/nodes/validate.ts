/** Gate 3: the proposal must be a whole, parseable, changed Python file with nothing elided. */
import type { NodeFn } from "../graph/deps.js";
import { currentAttempt, refuseCurrent } from "../graph/attempts.js";
import { validateCandidate } from "../tools/validator.js";

export const validate: NodeFn = async (state) => {
  const file = currentAttempt(state).files[0]!;
  const verdict = await validateCandidate(state.original!.content, file.content, { path: file.path });
  if (verdict.ok) return { update: {}, summary: "passed" };
  const reason = `${verdict.code}: ${verdict.reason}`;
  return { update: refuseCurrent(state, "validate", reason), summary: `refused, ${reason}` };
};
