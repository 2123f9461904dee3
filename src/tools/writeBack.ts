/**
 * Writes a proven fix into the user's repository: only if the file there is still the one that was
 * checked (same hash), and atomically (temporary file, then rename), so it is never half-written.
 */
import { readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { sha256 } from "./hash.js";

export type WriteBackResult = { ok: true; path: string; sha256: string } | { ok: false; reason: string };

export async function writeBack(repo: string, path: string, expectedSha256: string, content: string): Promise<WriteBackResult> {
  const target = join(repo, path);
  const current = await readFile(target).catch(() => undefined);
  if (current === undefined) return { ok: false, reason: `${path} no longer exists in the repository` };
  if (sha256(current) !== expectedSha256) {
    return { ok: false, reason: `${path} changed in the repository since the run started; the fix was not written` };
  }
  const { mode } = await stat(target);
  const temporary = `${target}.opsguard-${process.pid}.tmp`;
  try {
    await writeFile(temporary, content, { mode });
    await rename(temporary, target);
  } catch (err) {
    await rm(temporary, { force: true });
    return { ok: false, reason: `could not write ${path}: ${(err as Error).message}` };
  }
  return { ok: true, path: target, sha256: sha256(content) };
}
