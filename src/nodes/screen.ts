/** Gate 3b, per changed file: refuses candidates that game the evidence instead of fixing the bug (see gamingScreen). */
import type { NodeFn } from "./deps.js";
import { currentAttempt, originalOf, refuseCurrent } from "../state/attempts.js";
import { screenCandidate } from "../judge/screen/gamingScreen.js";
import { readTestSources } from "../workspace/testFiles.js";

export const screen: NodeFn = async (state) => {
  const files = currentAttempt(state).files;
  const testSources = await readTestSources(state.workspace!, Object.keys(state.testHashes ?? {}));
  const notes: string[] = [];
  for (const file of files) {
    const verdict = await screenCandidate(originalOf(state, file.path), file.content, { testSources });
    const where = files.length > 1 ? ` (${file.path})` : "";
    if (verdict.ok) {
      for (const note of verdict.notes ?? []) notes.push(`${note}${where}`);
      continue;
    }
    const reason = `${verdict.code}: ${verdict.reason}${where}`;
    return { update: refuseCurrent(state, "screen", reason), summary: `refused, ${reason}` };
  }
  return { update: {}, summary: notes.length ? `nothing refused; notes: ${notes.join("; ")}` : "no gaming found" };
};
