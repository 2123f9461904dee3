/**
 * Writes the attempt's files' bytes into the private workspace (never the repository, never through
 * a link) and records one multi-file diff. Files an earlier attempt changed and this one does not
 * are put back first, so every attempt is judged on the original code plus its own changes only.
 */
import { mkdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { NodeFn } from "./deps.js";
import { currentAttempt, originalOf, updateCurrent } from "../state/attempts.js";
import { changeSetDiff, diffSummary } from "../reports/patch.js";
import { checkNoLinks, safeWrite } from "../workspace/safeWrite.js";
import { sourceBytes } from "../python/sourceText.js";

export const apply: NodeFn = async (state) => {
  const attempt = currentAttempt(state);
  const workspace = state.workspace!;
  const changing = new Set(attempt.files.map((f) => f.path));
  for (const before of state.baseline ?? []) {
    if (changing.has(before.path)) continue;
    if (before.sha256 === null) {
      await checkNoLinks(workspace, before.path);
      await rm(join(workspace, before.path), { force: true });
    } else await safeWrite(workspace, before.path, sourceBytes(before.content));
  }
  let added = 0;
  let removed = 0;
  const changes = [];
  for (const file of attempt.files) {
    const existed = state.baseline?.find((b) => b.path === file.path)?.sha256 !== null;
    // Never through a link: a refused fix must not reach a file outside the workspace.
    await checkNoLinks(workspace, file.path);
    await mkdir(dirname(join(workspace, file.path)), { recursive: true, mode: 0o755 });
    await safeWrite(workspace, file.path, sourceBytes(file.content));
    const before = originalOf(state, file.path);
    changes.push({ path: file.path, before: existed ? before : null, after: file.content });
    const summary = diffSummary(before, file.content);
    added += summary.linesAdded;
    removed += summary.linesRemoved;
  }
  const files = attempt.files.length > 1 ? ` in ${attempt.files.length} files` : "";
  return { update: { attempts: updateCurrent(state, { diff: changeSetDiff(changes) }) }, summary: `+${added} -${removed} lines${files}` };
};
