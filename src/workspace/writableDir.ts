/**
 * Makes sure a directory OpsGuard must write to can be written, before any work starts: a file in
 * its place, a missing permission or a read-only disk become one line that says what to do.
 */
import { mkdir, open, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { InfraError, UsageError } from "../errors.js";

function problem(flag: string, dir: string, err: NodeJS.ErrnoException): Error {
  switch (err.code) {
    case "EEXIST":
    case "ENOTDIR":
      return new UsageError(`${flag} ${dir} is not a directory (a file is in the way): pass a directory path.`);
    case "EACCES":
    case "EPERM":
      return new UsageError(`${flag} ${dir} is not writable (permission denied): pass a directory you can write to.`);
    case "EROFS":
      return new InfraError("DISK_UNWRITABLE", `${flag} ${dir} is on a read-only file system: pass a directory on a writable disk.`);
    case "ENOSPC":
    case "EDQUOT":
      return new InfraError("DISK_UNWRITABLE", `${flag} ${dir} is on a full disk: free some space or pass another directory.`);
    default:
      return new InfraError("DISK_UNWRITABLE", `${flag} ${dir} cannot be written (${err.code ?? err.message}): pass another directory.`);
  }
}

/** mkdir -p one level at a time: a recursive mkdir reports ENOENT where one level says EROFS or EACCES. */
async function makeDirs(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (info?.isDirectory()) return;
  if (info) throw Object.assign(new Error("not a directory"), { code: "ENOTDIR" });
  if (dirname(dir) !== dir) await makeDirs(dirname(dir));
  await mkdir(dir).catch(async (err: NodeJS.ErrnoException) => {
    if (err.code !== "EEXIST" || !(await stat(dir)).isDirectory()) throw err;
  });
}

/** Creates `dir` if needed and proves a file can be written in it; throws UsageError or InfraError. */
export async function ensureWritableDir(dir: string, flag: string): Promise<void> {
  try {
    await makeDirs(dir);
    const probe = join(dir, `.opsguard-probe-${process.pid}`);
    const handle = await open(probe, "wx");
    await handle.close();
    await rm(probe, { force: true });
  } catch (err) {
    throw problem(flag, dir, err as NodeJS.ErrnoException);
  }
}
