import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll } from "vitest";

/** A temporary directory with the given files, readable by the sandbox user, removed after the file's tests. */
export function tempRepo(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "opsguard-test-"));
  chmodSync(dir, 0o755);
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
    writeFileSync(path, content);
  }
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
