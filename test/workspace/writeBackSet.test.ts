/** --apply of a multi-file fix on real files: every hash checked first, all or nothing, never through a symlink. */
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sha256 } from "../../src/system/hash.js";
import { writeBackSet } from "../../src/workspace/writeBackSet.js";
import { tempRepo } from "../support/workspace.js";

const A = "a = 1\n";
const B = "b = 1\n";

describe("writeBackSet", () => {
  it("writes changed and added files when every file is as it was", async () => {
    const repo = tempRepo({ "a.py": A, "pkg/b.py": B });
    const result = await writeBackSet(repo, [
      { path: "a.py", expectedSha256: sha256(A), bytes: Buffer.from("a = 2\n") },
      { path: "pkg/new/c.py", expectedSha256: null, bytes: Buffer.from("c = 1\n") },
    ]);
    expect(result.ok).toBe(true);
    expect(readFileSync(join(repo, "a.py"), "utf8")).toBe("a = 2\n");
    expect(readFileSync(join(repo, "pkg/new/c.py"), "utf8")).toBe("c = 1\n");
  });

  it.each([
    ["a file changed since the run started", (repo: string) => writeFileSync(join(repo, "pkg/b.py"), "b = 9\n"), "pkg/b.py changed in the repository since the run started; nothing was written"],
    ["a file the fix adds appeared", (repo: string) => writeFileSync(join(repo, "c.py"), "c = 0\n"), "c.py was added to the repository since the run started; nothing was written"],
    ["a file was removed", (repo: string) => rmSync(join(repo, "pkg/b.py")), "pkg/b.py no longer exists in the repository; nothing was written"],
  ])("writes nothing when %s", async (_name, change, reason) => {
    const repo = tempRepo({ "a.py": A, "pkg/b.py": B });
    change(repo);
    const result = await writeBackSet(repo, [
      { path: "a.py", expectedSha256: sha256(A), bytes: Buffer.from("a = 2\n") },
      { path: "pkg/b.py", expectedSha256: sha256(B), bytes: Buffer.from("b = 2\n") },
      { path: "c.py", expectedSha256: null, bytes: Buffer.from("c = 1\n") },
    ]);
    expect(result).toEqual({ ok: false, reason: expect.stringContaining(reason) });
    expect(readFileSync(join(repo, "a.py"), "utf8")).toBe(A);
    expect(existsSync(join(repo, "a.py.opsguard-" + process.pid + ".tmp"))).toBe(false);
  });

  it("never writes through a symbolic link", async () => {
    const repo = tempRepo({ "a.py": A, "real.py": B });
    mkdirSync(join(repo, "pkg"));
    symlinkSync(join(repo, "real.py"), join(repo, "pkg/b.py"));
    const result = await writeBackSet(repo, [
      { path: "a.py", expectedSha256: sha256(A), bytes: Buffer.from("a = 2\n") },
      { path: "pkg/b.py", expectedSha256: sha256(B), bytes: Buffer.from("b = 2\n") },
    ]);
    expect(result).toEqual({ ok: false, reason: "pkg/b.py is a symbolic link in the repository; OpsGuard never writes through one" });
    expect(readFileSync(join(repo, "real.py"), "utf8")).toBe(B);
    expect(readFileSync(join(repo, "a.py"), "utf8")).toBe(A);
  });
});
