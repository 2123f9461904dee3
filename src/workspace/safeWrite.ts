/**
 * Writing a file under a root without ever writing through a symbolic link: every directory on the
 * way must be a real directory inside the root, and the file is replaced by a rename, which swaps
 * the directory entry (a link there is replaced, its target untouched) and never leaves half a file.
 */
import { lstat, open, rename, rm } from "node:fs/promises";
import { isAbsolute, join, normalize, sep } from "node:path";

export class UnsafePathError extends Error {}

/** Checks `relativePath` under `root`: inside it, and no symbolic link among its directories. */
export async function checkNoLinks(root: string, relativePath: string): Promise<void> {
  const clean = normalize(relativePath);
  if (isAbsolute(clean) || clean === ".." || clean.startsWith(`..${sep}`)) {
    throw new UnsafePathError(`${relativePath} is not a path inside ${root}`);
  }
  const parts = clean.split(sep);
  let current = root;
  for (const part of parts.slice(0, -1)) {
    current = join(current, part);
    const info = await lstat(current).catch(() => undefined);
    if (info?.isSymbolicLink()) throw new UnsafePathError(`${relativePath} goes through the symbolic link ${current}`);
    if (info && !info.isDirectory()) throw new UnsafePathError(`${current} is not a directory`);
  }
}

/** Writes `bytes` to `root/relativePath` atomically; refuses any path that involves a symbolic link. */
export async function safeWrite(root: string, relativePath: string, bytes: Buffer, mode = 0o644): Promise<string> {
  await checkNoLinks(root, relativePath);
  const target = join(root, normalize(relativePath));
  const temporary = `${target}.opsguard-${process.pid}-${Date.now()}.tmp`;
  // "wx" is O_CREAT|O_EXCL: it fails rather than follow a link planted at the temporary name.
  const handle = await open(temporary, "wx", mode);
  try {
    await handle.writeFile(bytes);
    await handle.chmod(mode);
    await handle.close();
    await rename(temporary, target);
  } catch (err) {
    await handle.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw err;
  }
  return target;
}
