/**
 * The import names a repository itself provides: every `.py` file's stem and every directory's name,
 * at any depth (`src/mypkg`, `tests/helpers.py`, `lib/util/`). A missing module with one of these
 * names is a path or packaging problem in the code, never a dependency to install.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";

const SKIPPED = new Set([".git", ".hg", ".svn", "__pycache__", ".pytest_cache", ".mypy_cache", "node_modules", ".venv", "venv", ".tox"]);
/** Enough for any repository OpsGuard is meant for; the walk stops there rather than crawl a huge tree. */
const MAX_ENTRIES = 50_000;

export async function repoModuleNames(root: string): Promise<Set<string>> {
  const names = new Set<string>();
  let seen = 0;
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (++seen > MAX_ENTRIES) return;
      if (entry.isDirectory()) {
        if (SKIPPED.has(entry.name)) continue;
        names.add(entry.name);
        await walk(join(dir, entry.name));
      } else if (/\.pyi?$/.test(entry.name)) {
        names.add(entry.name.replace(/\.pyi?$/, ""));
      }
    }
  };
  await walk(root);
  return names;
}
