/**
 * What a repository is, as opposed to what lies in it: in a git work tree, the files git considers
 * part of it (tracked, and untracked but not ignored); elsewhere, everything but what is plainly not
 * source (virtual environments of any name, caches, build output). Symbolic links are reported as
 * links and never followed.
 */
import { execFile } from "node:child_process";
import { lstat, readdir } from "node:fs/promises";
import { join, relative, sep } from "node:path";

export interface RepoEntry {
  /** Relative to the repository root, with the platform's separators. */
  path: string;
  kind: "file" | "link";
}

/** Never source, wherever they appear. */
const SKIPPED_NAMES = new Set([
  ".git", ".hg", ".svn", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".tox", ".nox",
  "node_modules", ".eggs", ".ipynb_checkpoints", ".hypothesis", "htmlcov", ".langgraph_api",
]);
/** Build output, at the repository's top level only (a package may well be called `build`). */
const SKIPPED_AT_ROOT = new Set(["build", "dist"]);
const VENV_MARKER = "pyvenv.cfg";

function skippedName(name: string, atRoot: boolean): boolean {
  return SKIPPED_NAMES.has(name) || name.endsWith(".egg-info") || (atRoot && SKIPPED_AT_ROOT.has(name));
}

function under(path: string, dirs: string[]): boolean {
  return dirs.some((dir) => path === dir || path.startsWith(dir + sep));
}

async function walk(root: string, dir: string, excluded: string[], out: RepoEntry[]): Promise<void> {
  const entries = await readdir(join(root, dir), { withFileTypes: true }).catch(() => []);
  if (dir !== "" && entries.some((entry) => entry.name === VENV_MARKER)) return;
  for (const entry of entries) {
    const path = dir === "" ? entry.name : join(dir, entry.name);
    if (skippedName(entry.name, dir === "") || under(path, excluded)) continue;
    if (entry.isSymbolicLink()) out.push({ path, kind: "link" });
    else if (entry.isDirectory()) await walk(root, path, excluded, out);
    else if (entry.isFile()) out.push({ path, kind: "file" });
  }
}

function gitListing(repo: string): Promise<string[] | undefined> {
  return new Promise((resolve) => {
    execFile(
      "git",
      ["-c", "core.quotePath=false", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
      { cwd: repo, maxBuffer: 256 * 1024 * 1024, encoding: "buffer" },
      (error, stdout) => resolve(error ? undefined : stdout.toString("utf8").split("\0").filter(Boolean)),
    );
  });
}

/**
 * The repository's files. `excluded` are relative directories never listed (the artifacts
 * directory when it lies inside the repository).
 */
export async function listRepoFiles(repo: string, excluded: string[] = []): Promise<RepoEntry[]> {
  const listed = await gitListing(repo);
  const out: RepoEntry[] = [];
  if (listed === undefined) {
    await walk(repo, "", excluded, out);
    return out;
  }
  const paths = [...new Set(listed.map((path) => path.split("/").join(sep)))];
  // A virtual environment that nobody told git to ignore is still not source.
  const venvs = paths.filter((path) => path.endsWith(sep + VENV_MARKER)).map((path) => path.slice(0, -VENV_MARKER.length - 1));
  const kept = paths.filter((path) => !under(path, excluded) && !under(path, venvs) && !path.split(sep).some((part) => SKIPPED_NAMES.has(part)));
  const infos = await Promise.all(kept.map((path) => lstat(join(repo, path)).catch(() => undefined)));
  for (const [i, path] of kept.entries()) {
    const info = infos[i];
    if (!info) continue; // tracked but deleted from the work tree
    if (info.isSymbolicLink()) out.push({ path, kind: "link" });
    else if (info.isFile()) out.push({ path, kind: "file" });
    else if (info.isDirectory()) await walk(repo, path, excluded, out); // a submodule's work tree
  }
  return out;
}

/** `target` relative to `root` when it lies inside it, else undefined. */
export function insideRoot(root: string, target: string): string | undefined {
  const rel = relative(root, target);
  if (rel === "") return "";
  if (rel === ".." || rel.startsWith(`..${sep}`) || rel.startsWith(sep)) return undefined;
  return rel;
}
