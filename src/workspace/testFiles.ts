/**
 * The files that make up the evidence: they are hashed from the repository, protected from every
 * fix, and checked again after runs. Found without running anything: the root-level pytest
 * configuration, every conftest.py, everything under tests/ and test/ (data the tests read
 * included), and every file named like a test (test_*.py, *_test.py) anywhere. In pytest mode the
 * files pytest actually collected (its own python_files, testpaths, --tests) and its
 * configuration file are added after the reproduction.
 */
import { lstat, readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { sha256 } from "../system/hash.js";

export const ROOT_CONFIG = ["conftest.py", "pytest.ini", "setup.cfg", "tox.ini", "pyproject.toml"];
const TEST_DIRS = new Set(["tests", "test"]);
/** Not searched: version control, caches and environments say nothing about the tests and can be large. */
const SKIPPED_DIRS = new Set([".git", ".hg", ".svn", "__pycache__", ".pytest_cache", ".mypy_cache", ".tox", ".nox", "node_modules", ".venv", "venv"]);

/** Is this repository-relative path a test or configuration file by its name and place alone? */
export function isTestFileByName(path: string): boolean {
  const parts = path.split("/");
  const name = parts.at(-1)!;
  if (parts.length === 1 && ROOT_CONFIG.includes(name)) return true;
  if (name === "conftest.py") return true;
  if (parts.slice(0, -1).some((dir) => TEST_DIRS.has(dir))) return true;
  return /^test_.*\.py$/.test(name) || /_test\.py$/.test(name);
}

/** Links are never followed (readdir's entries for links are neither files nor directories): a test file linked from outside the repository is not read. */
async function walk(root: string, dir: string, found: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) await walk(root, path, found);
    } else if (entry.isFile()) {
      const rel = relative(root, path).split("\\").join("/");
      if (isTestFileByName(rel)) found.push(rel);
    }
  }
}

/** Repository-relative paths of the test files found by name under `root`. */
export async function findTestFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  await walk(root, root, found);
  return found.sort();
}

/**
 * Relative path -> sha256 of every test file under `root`: those found by name plus `known`
 * (files pytest collected, recorded hashes to check again). A known file that is gone is left out,
 * so that `diffHashes` reports it missing.
 */
export async function hashTestFiles(root: string, known: readonly string[] = []): Promise<Record<string, string>> {
  const paths = [...new Set([...(await findTestFiles(root)), ...known])].sort();
  const hashes: Record<string, string> = {};
  for (const path of paths) {
    if (!(await lstat(join(root, path)).catch(() => undefined))?.isFile()) continue;
    const content = await readFile(join(root, path)).catch(() => undefined);
    if (content !== undefined) hashes[path] = sha256(content);
  }
  return hashes;
}

/** Relative path -> text of the given Python test files (what special-cased inputs are compared against). */
export async function readTestSources(root: string, paths: readonly string[]): Promise<Record<string, string>> {
  const sources: Record<string, string> = {};
  for (const path of paths) {
    if (!path.endsWith(".py")) continue;
    const text = await readFile(join(root, path), "utf8").catch(() => undefined);
    if (text !== undefined) sources[path] = text;
  }
  return sources;
}

/**
 * What a run did to the test files: changed or removed ones, and added ones pytest could load
 * (Python files, root configuration). Other new files (a test's output, a cache) are the suite's business.
 */
export function tamperedTestFiles(expected: Record<string, string>, actual: Record<string, string>): string[] {
  const loadable = (path: string) => path.endsWith(".py") || ROOT_CONFIG.includes(path);
  return diffHashes(expected, Object.fromEntries(Object.entries(actual).filter(([path]) => path in expected || loadable(path))));
}

/** One line per difference between two hash maps, or none. */
export function diffHashes(expected: Record<string, string>, actual: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const [path, hash] of Object.entries(expected)) {
    if (!(path in actual)) problems.push(`${path} is missing`);
    else if (actual[path] !== hash) problems.push(`${path} changed`);
  }
  for (const path of Object.keys(actual)) if (!(path in expected)) problems.push(`${path} was added`);
  return problems;
}
