/** Gate 3, per changed file: each must be a whole, parseable, changed Python file with nothing elided. */
import type { NodeFn } from "./deps.js";
import { currentAttempt, originalOf, refuseCurrent } from "../state/attempts.js";
import { validateCandidate } from "../judge/validator.js";

export const validate: NodeFn = async (state) => {
  const files = currentAttempt(state).files;
  for (const file of files) {
    const verdict = await validateCandidate(originalOf(state, file.path), file.content, { path: file.path, allowRenames: files.length > 1 });
    if (verdict.ok) continue;
    const reason = `${verdict.code}: ${verdict.reason}${files.length > 1 ? ` (${file.path})` : ""}`;
    return { update: refuseCurrent(state, "validate", reason), summary: `refused, ${reason}` };
  }
  return { update: {}, summary: files.length > 1 ? `passed, ${files.length} files` : "passed" };
};
