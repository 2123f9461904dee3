/**
 * A throwaway writable copy of a workspace for one sandbox run, so code that writes where it runs
 * (`out/orders.csv`, caches, sqlite files) works, while its writes never reach the repository, the
 * workspace the proof hashes, or a later run. The sandbox user (nobody) may write everywhere in it;
 * what a run changed is checked afterwards by the caller, and the copy is removed.
 */
import { chmod, cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { registerCleanup } from "./cleanup.js";

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
