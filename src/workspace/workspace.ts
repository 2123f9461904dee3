/**
 * Temporary workspaces: a copy of what the user's repository is (see repoFiles.ts) that the fix is
 * written into and the proof hashes; each sandbox run gets a throwaway writable copy of it
 * (runCopy.ts). The user's repository is never written. A link to
 * a file inside the repository becomes a relative link inside the workspace; a link that leads out
 * of the repository is not copied, so nothing in the workspace reaches outside it. Workspaces are
 * removed at the end of a run and on SIGINT/SIGTERM; those of killed runs by the next run.
 */
import { chmod, copyFile, lstat, mkdir, mkdtemp, readdir, realpath, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { registerCleanup } from "../system/cleanup.js";
import { isAlive } from "../system/processAlive.js";
import { insideRoot, listRepoFiles, type RepoEntry } from "./repoFiles.js";

export interface WorkspaceOptions {
  /** Absolute paths never copied (the artifacts directory, when it lies inside the repository). */
  exclude?: string[];
}

export interface WorkspaceManager {
  /** Copies `repo` into a fresh directory that the sandbox user can read; returns its path. */
  create(repo: string, options?: WorkspaceOptions): Promise<string>;
  remove(workspace: string): Promise<void>;
}

const PREFIX = "opsguard-ws-";
/** Workspaces carry their owner's pid, so that the next run can remove those of a killed one. */
const OWNED = /^opsguard-ws-(\d+)-/;
/** Copies at once: enough to keep the disk busy, few enough to stay clear of file-descriptor limits. */
const CONCURRENCY = 64;

async function inBatches<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += CONCURRENCY) await Promise.all(items.slice(i, i + CONCURRENCY).map(work));
}

/** Removes workspaces under `root` whose owning process is gone. Returns how many. */
export async function sweepStaleWorkspaces(root: string): Promise<number> {
  const names = await readdir(root).catch(() => [] as string[]);
  const stale = names.filter((name) => {
    const pid = Number(OWNED.exec(name)?.[1]);
    return Number.isInteger(pid) && pid !== process.pid && !isAlive(pid);
  });
  await Promise.all(stale.map((name) => rm(join(root, name), { recursive: true, force: true })));
  return stale.length;
}

/** Where a link inside the repository leads, relative to the repository; undefined when it leads out. */
async function linkTarget(realRepo: string, repo: string, entry: RepoEntry): Promise<string | undefined> {
  const target = await realpath(join(repo, entry.path)).catch(() => undefined);
  return target === undefined ? undefined : insideRoot(realRepo, target);
}

async function copyInto(repo: string, workspace: string, entries: RepoEntry[], exclude: string[]): Promise<void> {
  const realRepo = await realpath(repo);
  const dirs = new Set<string>();
  for (const entry of entries) for (let dir = dirname(entry.path); dir !== "." && !dirs.has(dir); dir = dirname(dir)) dirs.add(dir);
  for (const dir of [...dirs].sort()) {
    await mkdir(join(workspace, dir));
    await chmod(join(workspace, dir), 0o755); // whatever the umask: the sandbox user must list it
  }
  await inBatches(entries, async (entry) => {
    const destination = join(workspace, entry.path);
    if (entry.kind === "file") {
      await copyFile(join(repo, entry.path), destination);
      await chmod(destination, ((await lstat(join(repo, entry.path))).mode & 0o777) | 0o444);
      return;
    }
    const target = await linkTarget(realRepo, repo, entry);
    if (target === undefined || exclude.some((dir) => insideRoot(dir, join(realRepo, target)) !== undefined)) return;
    const pointsAt = relative(dirname(destination), join(workspace, target)) || ".";
    await symlink(pointsAt, destination);
  });
}

export function createWorkspaceManager(root = tmpdir()): WorkspaceManager {
  const cleanups = new Map<string, () => void>();
  let swept: Promise<number> | undefined;
  return {
    async create(repo, options = {}) {
      swept ??= sweepStaleWorkspaces(root).catch(() => 0);
      await swept;
      const realRepo = await realpath(repo);
      const exclude = await Promise.all((options.exclude ?? []).map((dir) => realpath(dir).catch(() => resolve(dir))));
      const excludedInside = exclude.map((dir) => insideRoot(realRepo, dir)).filter((dir): dir is string => !!dir);
      const workspace = await mkdtemp(join(root, `${PREFIX}${process.pid}-`));
      cleanups.set(workspace, registerCleanup(() => rm(workspace, { recursive: true, force: true })));
      try {
        await chmod(workspace, 0o755);
        await copyInto(realRepo, workspace, await listRepoFiles(realRepo, excludedInside), exclude);
      } catch (err) {
        await this.remove(workspace);
        throw err;
      }
      return workspace;
    },
    async remove(workspace) {
      await rm(workspace, { recursive: true, force: true });
      cleanups.get(workspace)?.();
      cleanups.delete(workspace);
    },
  };
}

