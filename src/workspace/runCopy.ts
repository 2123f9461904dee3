/**
 * A throwaway writable copy of a workspace for one sandbox run, so code that writes where it runs
 * (`out/orders.csv`, caches, sqlite files) works, while its writes never reach the repository, the
 * workspace the proof hashes, or a later run. The sandbox user (nobody) may write everywhere in it;
 * what a run changed is checked afterwards by the caller, and the copy is removed.
 */
import { chmod, cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { registerCleanup } from "../system/cleanup.js";
import { isAlive } from "../system/processAlive.js";

/** Run copies carry their owner's pid, so that a later process removes those a killed one left. */
const OWNED = /^opsguard-run-(\d+)-/;
const swept = new Map<string, Promise<void>>();

/** Removes run copies under `root` whose owning process is gone (once per directory and process). */
export function sweepStaleRunCopies(root: string): Promise<void> {
  let sweep = swept.get(root);
  if (!sweep) {
    sweep = readdir(root)
      .catch(() => [] as string[])
      .then(async (names) => {
        const stale = names.filter((name) => {
          const pid = Number(OWNED.exec(name)?.[1]);
          return Number.isInteger(pid) && pid !== process.pid && !isAlive(pid);
        });
        await Promise.all(stale.map((name) => rm(join(root, name), { recursive: true, force: true })));
      });
    swept.set(root, sweep);
  }
  return sweep;
}

/** Every directory enterable and writable, every file writable, by the sandbox user. */
async function openToSandbox(dir: string): Promise<void> {
  await chmod(dir, 0o777);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await openToSandbox(path);
    else if (entry.isFile()) await chmod(path, 0o666);
  }
}

export interface RunCopy {
  path: string;
  remove(): Promise<void>;
}

/** Copies `workspace` next to itself (the engine can mount the copy wherever it can mount the workspace). */
export async function createRunCopy(workspace: string): Promise<RunCopy> {
  await sweepStaleRunCopies(dirname(workspace));
  const path = await mkdtemp(join(dirname(workspace), `opsguard-run-${process.pid}-`));
  const unregister = registerCleanup(() => rm(path, { recursive: true, force: true }));
  try {
    await cp(workspace, path, { recursive: true, verbatimSymlinks: true });
    await openToSandbox(path);
  } catch (err) {
    await rm(path, { recursive: true, force: true });
    unregister();
    throw err;
  }
  return {
    path,
    async remove() {
      await rm(path, { recursive: true, force: true });
      unregister();
    },
  };
}
