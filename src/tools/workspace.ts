/**
 * Temporary workspaces: a copy of the user's repository that the sandbox mounts read-only and the
 * fix is written into. The user's repository is never written. Workspaces are removed at the end of
 * a run and on SIGINT/SIGTERM.
 */
import { chmod, cp, mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { registerCleanup } from "./cleanup.js";

export interface WorkspaceManager {
  /** Copies `repo` into a fresh directory that the sandbox user can read; returns its path. */
  create(repo: string): Promise<string>;
  remove(workspace: string): Promise<void>;
}

/** Not copied: version control and caches say nothing about the bug and can be large. */
const SKIPPED = new Set([".git", ".hg", ".svn", "__pycache__", ".pytest_cache", ".mypy_cache", "node_modules", ".venv"]);

/** The sandbox runs as nobody: every directory must be listable and every file readable by others. */
async function makeReadable(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await makeReadable(path);
    else if (entry.isFile()) await chmod(path, ((await stat(path)).mode & 0o777) | 0o444);
  }
}

export function createWorkspaceManager(root = tmpdir()): WorkspaceManager {
  const cleanups = new Map<string, () => void>();
  return {
    async create(repo) {
      const workspace = await mkdtemp(join(root, "opsguard-ws-"));
      cleanups.set(workspace, registerCleanup(() => rm(workspace, { recursive: true, force: true })));
      await cp(repo, workspace, {
        recursive: true,
        filter: (source) => !SKIPPED.has(basename(source)),
        verbatimSymlinks: true,
      });
      await makeReadable(workspace);
      return workspace;
    },
    async remove(workspace) {
      await rm(workspace, { recursive: true, force: true });
      cleanups.get(workspace)?.();
      cleanups.delete(workspace);
    },
  };
}
