/**
 * Resuming a run whose workspace is gone (the process was killed, the machine restarted, or the run
 * paused for review): the state holds what is needed to rebuild it from the repository and the
 * recorded fix, each checked by hash.
 */
import { mkdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { GraphDeps } from "../nodes/deps.js";
import type { FileContent, OpsGuardState } from "../state/state.js";
import { UsageError } from "../errors.js";
import { sha256 } from "../system/hash.js";
import { diffHashes, hashTestFiles } from "../workspace/testFiles.js";
import { safeWrite } from "../workspace/safeWrite.js";
import { sourceBytes } from "../python/sourceText.js";


/** The files the workspace must hold beyond the repository's own: the fix, once it was applied there. */
function appliedFiles(state: OpsGuardState): FileContent[] {
  const last = state.attempts?.at(-1);
  if (!last) return [];
  if (last.outcome === "accepted" || (last.outcome === "pending" && last.diff !== undefined)) return last.files;
  return [];
}

async function holds(workspace: string, files: FileContent[]): Promise<boolean> {
  for (const file of files) {
    const content = await readFile(join(workspace, file.path)).catch(() => undefined);
    if (!content || sha256(content) !== file.sha256) return false;
  }
  return true;
}

/** Returns the path of a rebuilt workspace, or undefined when the recorded one is still good (or not needed). */
export async function rebuildWorkspace(state: OpsGuardState, deps: GraphDeps): Promise<string | undefined> {
  if (!state.workspace || !state.original) return undefined;
  const applied = appliedFiles(state);
  const expected = applied.length ? applied : [state.original];
  if (await holds(state.workspace, expected)) return undefined;
  // The repository must still hold every file the run read as it was: the target and each file a fix touched.
  const originals = [{ path: state.original.path, sha256: state.original.sha256 as string | null }, ...(state.baseline ?? [])];
  for (const original of originals) {
    const current = await readFile(join(state.repo, original.path)).catch(() => undefined);
    const hash = current === undefined ? null : sha256(current);
    if (hash !== original.sha256) {
      const what = original.sha256 === null ? "was added to" : "changed in";
      throw new UsageError(`${original.path} ${what} ${state.repo} since this run started; start a new run instead of resuming.`);
    }
  }
  const changedTests = diffHashes(state.testHashes ?? {}, await hashTestFiles(state.repo, Object.keys(state.testHashes ?? {})));
  if (changedTests.length) throw new UsageError(`The tests changed since this run started (${changedTests.join(", ")}); start a new run.`);
  const workspace = await deps.workspaces.create(state.repo, { exclude: [state.artifacts] });
  for (const file of applied) {
    await mkdir(dirname(join(workspace, file.path)), { recursive: true, mode: 0o755 });
    await safeWrite(workspace, file.path, sourceBytes(file.content));
  }
  return workspace;
}
