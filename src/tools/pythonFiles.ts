/** The repository's Python files as path -> text, for localisation (caches, environments and huge files left out). */
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";

const SKIPPED_DIRS = new Set([".git", ".hg", ".svn", "__pycache__", ".pytest_cache", ".mypy_cache", ".tox", ".nox", "node_modules", ".venv", "venv"]);
const MAX_FILE_BYTES = 512 * 1024;

export async function readPythonFiles(root: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) await walk(path);
      } else if (entry.isFile() && entry.name.endsWith(".py")) {
        const text = await readFile(path, "utf8").catch(() => undefined);
        if (text !== undefined && text.length <= MAX_FILE_BYTES) files.set(relative(root, path).split("\\").join("/"), text);
      }
    }
  };
  await walk(root);
  return files;
}
