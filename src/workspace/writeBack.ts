/**
 * Writes a proven fix into the user's repository: only if the file there is still the one that was
 * checked (same hash), atomically (temporary file, then rename), so it is never half-written, and
 * never through a symbolic link.
 */
import { lstat, readFile } from "node:fs/promises";
import { join } from "node:path";
import { sha256 } from "../system/hash.js";
import { checkNoLinks, safeWrite } from "./safeWrite.js";

export type WriteBackResult = { ok: true; path: string; sha256: string } | { ok: false; reason: string };

export async function writeBack(repo: string, path: string, expectedSha256: string, bytes: Buffer): Promise<WriteBackResult> {
  const target = join(repo, path);
  try {
    await checkNoLinks(repo, path);
  } catch (err) {
    return { ok: false, reason: `${(err as Error).message}; the fix was not written` };
  }
  const info = await lstat(target).catch(() => undefined);
  if (info?.isSymbolicLink()) return { ok: false, reason: `${path} is now a symbolic link; the fix was not written` };
  const current = info ? await readFile(target).catch(() => undefined) : undefined;
  if (current === undefined) return { ok: false, reason: `${path} no longer exists in the repository` };
  if (sha256(current) !== expectedSha256) {
    return { ok: false, reason: `${path} changed in the repository since the run started; the fix was not written` };
  }
  try {
    await safeWrite(repo, path, bytes, info!.mode & 0o7777);
  } catch (err) {
    return { ok: false, reason: `could not write ${path}: ${(err as Error).message}` };
  }
  return { ok: true, path: target, sha256: sha256(bytes) };
}
