/**
 * A fix is a set of file changes: whole files changed or added at repository-relative paths. This
 * module turns a unified diff into such a set against the files as they are, and says which paths
 * a fix may never touch. Pure (the originals come through `read`).
 */
import { applyPatch, parsePatch, type StructuredPatch } from "diff";
import { ROOT_CONFIG, isTestFileByName } from "../workspace/testFiles.js";
import { insideRepo } from "../state/runInputs.js";
import type { ProposedFile } from "./proposer.js";

export type ChangeResult = { ok: true; files: ProposedFile[] } | { ok: false; reason: string };

const DEV_NULL = "/dev/null";

/** The repository path a diff header names: git's a/ and b/ prefixes and diff -u's timestamps removed. */
function headerPath(name: string, prefix: "a/" | "b/"): string {
  const path = name.split("\t")[0]!.trim();
  return path.startsWith(prefix) ? path.slice(prefix.length) : path;
}

function firstLineOf(hunk: StructuredPatch["hunks"][number]): string {
  const line = hunk.lines.find((l) => l.startsWith("-") || l.startsWith(" ")) ?? "";
  return line.slice(1).trim().slice(0, 60);
}

/**
 * Applies a unified diff (git diff or diff -u; any number of files) to the current files.
 * `read(path)` gives a file's content, or undefined when it does not exist.
 */
export async function filesFromDiff(text: string, read: (path: string) => Promise<string | undefined>): Promise<ChangeResult> {
  let patches: StructuredPatch[];
  try {
    patches = parsePatch(text);
  } catch (err) {
    return { ok: false, reason: `the diff cannot be read: ${(err as Error).message}` };
  }
  patches = patches.filter((p) => p.hunks.length > 0 || p.newFileName);
  if (patches.length === 0 || patches.every((p) => p.hunks.length === 0)) return { ok: false, reason: "the diff changes no file" };
  const files: ProposedFile[] = [];
  for (const patch of patches) {
    const oldName = patch.oldFileName ?? "";
    const newName = patch.newFileName ?? "";
    if (newName === DEV_NULL) return { ok: false, reason: `the diff deletes ${headerPath(oldName, "a/")}; a fix may change or add files, not delete them` };
    const path = insideRepo(headerPath(newName, "b/"));
    if (!path) return { ok: false, reason: `the diff names ${newName}, which is not a path inside the repository` };
    if (files.some((f) => f.path === path)) return { ok: false, reason: `the diff changes ${path} twice` };
    const adding = oldName === DEV_NULL;
    const current = await read(path);
    if (adding && current !== undefined) return { ok: false, reason: `the diff adds ${path}, which already exists` };
    if (!adding && current === undefined) return { ok: false, reason: `the diff changes ${path}, which does not exist in the repository` };
    const result = applyPatch(current ?? "", patch);
    if (result === false) {
      // Name the first hunk that does not apply on its own.
      const index = patch.hunks.findIndex((hunk) => applyPatch(current ?? "", { ...patch, hunks: [hunk] }) === false);
      const hunk = patch.hunks[Math.max(index, 0)]!;
      return {
        ok: false,
        reason: `hunk ${Math.max(index, 0) + 1} of ${patch.hunks.length} for ${path} (at line ${hunk.oldStart}, "${firstLineOf(hunk)}") does not apply: its context or removed lines are not in the file`,
      };
    }
    files.push({ path, content: result });
  }
  return { ok: true, files };
}

/**
 * Why a fix may not change or add `path`, or undefined when it may. Test files, conftest files and
 * pytest configuration judge the fix; only Python source can pass gates 3 to 5.
 */
export function changeProblem(path: string, protectedPaths: ReadonlySet<string>, exempt?: string): string | undefined {
  if (path === exempt) return undefined;
  const name = path.split("/").at(-1)!;
  if (protectedPaths.has(path) || name === "conftest.py" || (ROOT_CONFIG.includes(path)) || isTestFileByName(path)) {
    return `${path} is a test, conftest or pytest configuration file, which a fix may never change or add`;
  }
  if (!path.endsWith(".py")) return `${path} is not a Python file; a fix changes Python source only`;
  return undefined;
}
