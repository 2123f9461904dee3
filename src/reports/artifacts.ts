/**
 * Writes a run's artifacts as one consistent set: every file is written to a temporary name and
 * renamed into place only when all of them are written, so a crash never leaves half a file or a
 * mix of two runs.
 */
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";

export interface ArtifactWriter {
  /** Writes `files` (relative path -> content) under `dir`; removes `stale` paths; returns absolute paths. */
  write(dir: string, files: Record<string, string | Buffer>, stale?: string[]): Promise<Record<string, string>>;
}

export function createArtifactWriter(): ArtifactWriter {
  return {
    async write(dir, files, stale = []) {
      const root = resolve(dir);
      const suffix = `.tmp-${process.pid}-${Date.now()}`;
      const written: Record<string, string> = {};
      const staged: [string, string][] = [];
      try {
        for (const [name, content] of Object.entries(files)) {
          const target = join(root, name);
          await mkdir(dirname(target), { recursive: true });
          await writeFile(target + suffix, content);
          staged.push([target + suffix, target]);
          written[name] = target;
        }
      } catch (err) {
        await Promise.all(staged.map(([tmp]) => rm(tmp, { force: true })));
        throw err;
      }
      for (const [tmp, target] of staged) await rename(tmp, target);
      await Promise.all(stale.map((name) => rm(join(root, name), { force: true })));
      return written;
    },
  };
}
