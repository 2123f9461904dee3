/**
 * The files that make up the evidence in pytest mode: everything under tests/ and the root-level
 * pytest configuration. Their hashes are taken from the repository and checked again after runs.
 */
import { lstat, readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { sha256 } from "./hash.js";

const ROOT_CONFIG = ["conftest.py", "pytest.ini", "setup.cfg", "tox.ini", "pyproject.toml"];
const SKIPPED_DIRS = new Set(["__pycache__", ".pytest_cache"]);

/** Links are never followed: a test file linked from outside the repository is not read. */
async function walk(dir: string): Promise<string[]> {
  if (!(await lstat(dir).catch(() => undefined))?.isDirectory()) return [];
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && !SKIPPED_DIRS.has(entry.name)) files.push(...(await walk(path)));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}

/** Relative path -> sha256 of every test file under `root`. */
export async function hashTestFiles(root: string): Promise<Record<string, string>> {
  const files = [...(await walk(join(root, "tests"))), ...ROOT_CONFIG.map((name) => join(root, name))];
  const hashes: Record<string, string> = {};
  for (const file of files.sort()) {
    if (!(await lstat(file).catch(() => undefined))?.isFile()) continue;
    const content = await readFile(file).catch(() => undefined);
    if (content !== undefined) hashes[relative(root, file)] = sha256(content);
  }
  return hashes;
}

/** Relative path -> text of the Python test files (what special-cased inputs are compared against). */
export async function readTestSources(root: string): Promise<Record<string, string>> {
  const sources: Record<string, string> = {};
  for (const file of await walk(join(root, "tests"))) {
    if (file.endsWith(".py")) sources[relative(root, file)] = await readFile(file, "utf8");
  }
  return sources;
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
