/** Writes the proposal's bytes into the private workspace (never the repository) and records the diff. */
import type { NodeFn } from "../graph/deps.js";
import { currentAttempt, updateCurrent } from "../graph/attempts.js";
import { diffSummary, unifiedDiff } from "../tools/patch.js";
import { safeWrite } from "../tools/safeWrite.js";
import { sourceBytes } from "../tools/sourceText.js";

export const apply: NodeFn = async (state) => {
  const attempt = currentAttempt(state);
  const diffs: string[] = [];
  for (const file of attempt.files) {
    const before = file.path === state.original!.path ? state.original!.content : "";
    // Never through a link: a refused fix must not reach a file outside the workspace.
    await safeWrite(state.workspace!, file.path, sourceBytes(file.content));
    diffs.push(unifiedDiff(file.path, before, file.content));
  }
  const { linesAdded, linesRemoved } = diffSummary(state.original!.content, attempt.files[0]!.content);
  return { update: { attempts: updateCurrent(state, { diff: diffs.join("") }) }, summary: `+${linesAdded} -${linesRemoved} lines` };
};
