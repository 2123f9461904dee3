/** Writes the proposal into the private workspace (never the repository) and records the diff. */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { NodeFn } from "../graph/deps.js";
import { currentAttempt, updateCurrent } from "../graph/attempts.js";
import { diffSummary, unifiedDiff } from "../tools/patch.js";

export const apply: NodeFn = async (state) => {
  const attempt = currentAttempt(state);
  const diffs: string[] = [];
  for (const file of attempt.files) {
    const before = file.path === state.original!.path ? state.original!.content : "";
    await writeFile(join(state.workspace!, file.path), file.content, { mode: 0o644 });
    diffs.push(unifiedDiff(file.path, before, file.content));
  }
  const { linesAdded, linesRemoved } = diffSummary(state.original!.content, attempt.files[0]!.content);
  return { update: { attempts: updateCurrent(state, { diff: diffs.join("") }) }, summary: `+${linesAdded} -${linesRemoved} lines` };
};
