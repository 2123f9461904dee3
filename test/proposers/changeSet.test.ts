/** Diffs into whole files, the paths a fix may touch, and renames across a multi-file fix. Pure. */
import { describe, expect, it } from "vitest";
import { changeProblem, filesFromDiff } from "../../src/proposers/changeSet.js";
import { changeSetDiff } from "../../src/reports/patch.js";
import { validateCandidate } from "../../src/judge/validator.js";

const FILES: Record<string, string> = { "app.py": "a = 1\nb = 2\nc = 3\n", "lib/util.py": "def f():\n    return 1\n" };
const read = async (path: string) => FILES[path];

describe("filesFromDiff", () => {
  it("reads what changeSetDiff writes (changed and added files) back into whole files", async () => {
    const diff = changeSetDiff([
      { path: "app.py", before: FILES["app.py"]!, after: "a = 1\nb = 20\nc = 3\n" },
      { path: "lib/new.py", before: null, after: "X = 1\n" },
    ]);
    expect(await filesFromDiff(diff, read)).toEqual({ ok: true, files: [{ path: "app.py", content: "a = 1\nb = 20\nc = 3\n" }, { path: "lib/new.py", content: "X = 1\n" }] });
  });

  it("takes diff -u output without a/ b/ prefixes, timestamps included", async () => {
    const diff = "--- lib/util.py\t2026-12-01 10:00:00.000000000 +0000\n+++ lib/util.py\t2026-12-01 10:01:00.000000000 +0000\n@@ -1,2 +1,2 @@\n def f():\n-    return 1\n+    return 2\n";
    expect(await filesFromDiff(diff, read)).toEqual({ ok: true, files: [{ path: "lib/util.py", content: "def f():\n    return 2\n" }] });
  });

  it.each([
    ["--- a/app.py\n+++ /dev/null\n@@ -1,3 +0,0 @@\n-a = 1\n-b = 2\n-c = 3\n", "the diff deletes app.py; a fix may change or add files, not delete them"],
    ["--- a/nope.py\n+++ b/nope.py\n@@ -1 +1 @@\n-x\n+y\n", "the diff changes nope.py, which does not exist in the repository"],
    ["--- /dev/null\n+++ b/app.py\n@@ -0,0 +1 @@\n+x\n", "the diff adds app.py, which already exists"],
    ["--- a/../etc/passwd\n+++ b/../etc/passwd\n@@ -1 +1 @@\n-x\n+y\n", "which is not a path inside the repository"],
    ["--- a/app.py\n+++ b/app.py\n@@ -1,3 +1,3 @@\n a = 1\n-b = 9\n+b = 2\n c = 3\n", 'hunk 1 of 1 for app.py (at line 1, "a = 1") does not apply'],
    ["just words\n", "the diff changes no file"],
  ])("%j is refused", async (diff, reason) => {
    const result = await filesFromDiff(diff, read);
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.reason).toContain(reason);
  });
});

describe("changeProblem", () => {
  it.each([
    ["tests/test_app.py", "is a test, conftest or pytest configuration file"],
    ["pkg/conftest.py", "is a test, conftest or pytest configuration file"],
    ["pyproject.toml", "is a test, conftest or pytest configuration file"],
    ["mypkg/test_pricing.py", "is a test, conftest or pytest configuration file"],
    ["checks/check_x.py", "is a test, conftest or pytest configuration file"],
    ["data/prices.json", "is not a Python file"],
    ["mypkg/pricing.py", undefined],
  ])("%s", (path, problem) => {
    const found = changeProblem(path, new Set(["checks/check_x.py"]));
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });

  it("lets entry mode fix its own target even if it is named like a test", () => {
    expect(changeProblem("test_script.py", new Set(), "test_script.py")).toBeUndefined();
  });
});

describe("validateCandidate with allowRenames", () => {
  const before = "def load(rows):\n    return rows\n\n\ndef summary(rows):\n    return len(load(rows))\n";
  const renamed = before.replace("def summary", "def weekly_summary");
  it("counts a definition replaced in the same scope as renamed in a multi-file fix, and as lost otherwise", async () => {
    expect(await validateCandidate(before, renamed, { allowRenames: true })).toEqual({ ok: true });
    expect((await validateCandidate(before, renamed)).ok).toBe(false);
    const dropped = "def load(rows):\n    return rows\n";
    expect(await validateCandidate(before, dropped, { allowRenames: true })).toMatchObject({ ok: false, code: "CONTENT_LOSS" });
  });
});
