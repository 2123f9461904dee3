/**
 * Writes a proven multi-file fix into the user's repository, all or nothing: every file must still
 * have the hash that was checked (an added file must still be absent), none may be a symbolic link,
 * each is staged as a temporary file first, and if one rename fails the ones already renamed are put
 * back as they were.
 */
import { lstat, mkdir, open, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { sha256 } from "../system/hash.js";
import { checkNoLinks } from "./safeWrite.js";

export interface FileToWrite {
  path: string;
  /** The hash the file had when the run started; null when the fix adds it. */
  expectedSha256: string | null;
  bytes: Buffer;
}

export type WriteBackSetResult = { ok: true; written: { path: string; sha256: string }[] } | { ok: false; reason: string };

interface Staged {
  file: FileToWrite;
  target: string;
  temporary: string;
  before: Buffer | undefined;
}

export async function writeBackSet(repo: string, files: readonly FileToWrite[]): Promise<WriteBackSetResult> {
  const staged: Staged[] = [];
  const unstage = () => Promise.all(staged.map((s) => rm(s.temporary, { force: true })));
  for (const file of files) {
    const target = join(repo, file.path);
    try {
      await checkNoLinks(repo, file.path);
    } catch (err) {
      return fail(await unstage(), `${(err as Error).message}; nothing was written`);
    }
    const info = await lstat(target).catch(() => undefined);
    if (info?.isSymbolicLink()) return fail(await unstage(), `${file.path} is a symbolic link in the repository; OpsGuard never writes through one`);
    const before = info ? await readFile(target) : undefined;
    if (file.expectedSha256 === null && before !== undefined) {
      return fail(await unstage(), `${file.path} was added to the repository since the run started; nothing was written`);
    }
    if (file.expectedSha256 !== null && before === undefined) return fail(await unstage(), `${file.path} no longer exists in the repository; nothing was written`);
    if (file.expectedSha256 !== null && sha256(before!) !== file.expectedSha256) {
      return fail(await unstage(), `${file.path} changed in the repository since the run started; nothing was written`);
    }
    const temporary = `${target}.opsguard-${process.pid}-${Date.now()}.tmp`;
    try {
      await mkdir(dirname(target), { recursive: true });
      // "wx" is O_CREAT|O_EXCL: it fails rather than follow a link planted at the temporary name.
      const handle = await open(temporary, "wx", info ? info.mode & 0o7777 : 0o644);
      try {
        await handle.writeFile(file.bytes);
      } finally {
        await handle.close();
      }
    } catch (err) {
      if (!(err as NodeJS.ErrnoException).code?.startsWith("EEXIST")) await rm(temporary, { force: true });
      return fail(await unstage(), `could not write ${file.path}: ${(err as Error).message}; nothing was written`);
    }
    staged.push({ file, target, temporary, before });
  }
  const renamed: Staged[] = [];
  for (const s of staged) {
    try {
      await rename(s.temporary, s.target);
      renamed.push(s);
    } catch (err) {
      // Put back what was already replaced, so the repository is as it was.
      for (const done of renamed) {
        if (done.before === undefined) await rm(done.target, { force: true });
        else await writeFile(done.target, done.before);
      }
      await unstage();
      return { ok: false, reason: `could not write ${s.file.path}: ${(err as Error).message}; the repository was left as it was` };
    }
  }
  return { ok: true, written: files.map((f) => ({ path: join(repo, f.path), sha256: sha256(f.bytes) })) };
}

function fail(_: unknown, reason: string): WriteBackSetResult {
  return { ok: false, reason };
}
