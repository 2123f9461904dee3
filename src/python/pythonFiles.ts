/** The repository's Python files by path (caches and environments left out), for localisation: a listing, no reads. */
import { readdir } from "node:fs/promises";
import { join, relative } from "node:path";

const SKIPPED_DIRS = new Set([".git", ".hg", ".svn", "__pycache__", ".pytest_cache", ".mypy_cache", ".tox", ".nox", "node_modules", ".venv", "venv"]);

export async function listPythonFiles(root: string): Promise<Set<string>> {
  const files = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    await Promise.all(
      entries.map(async (entry) => {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) {
          if (!SKIPPED_DIRS.has(entry.name)) await walk(path);
        } else if (entry.isFile() && entry.name.endsWith(".py")) files.add(relative(root, path).split("\\").join("/"));
      }),
    );
  };
  await walk(root);
  return files;
}
