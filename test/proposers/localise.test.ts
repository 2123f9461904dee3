/** Localisation and the block answer format: pure, table-driven. */
import { describe, expect, it } from "vitest";
import { parseFileBlocks } from "../../src/proposers/fileBlocks.js";
import { framesIn, importsOf, localise } from "../../src/proposers/localise.js";

const TRACEBACK = [
  "Traceback (most recent call last):",
  '  File "app.py", line 11, in <module>',
  '  File "app.py", line 7, in main',
  '  File "/workspace/reports/weekly.py", line 6, in summary',
  '  File "/workspace/reports/weekly.py", line 2, in load',
  '  File "/usr/lib/python3.11/json/__init__.py", line 346, in loads',
  "KeyError: 'amount'",
].join("\n");

const TEXTS = new Map([
  ["app.py", "from reports import weekly\n"],
  ["reports/__init__.py", ""],
  ["reports/weekly.py", "from reports.amounts import amount\n".padEnd(400, "#")],
  ["reports/amounts.py", "X = 1\n"],
  ["tests/test_weekly.py", "import reports.weekly\n"],
  ["big.py", "x".repeat(100_000)],
]);
const FILES = new Set(TEXTS.keys());
const read = async (path: string) => TEXTS.get(path);

describe("localise", () => {
  it("reads in-repository frames innermost first, from tracebacks and pytest's failure lines", () => {
    expect(framesIn(TRACEBACK)).toEqual(["reports/weekly.py", "app.py"]);
    expect(framesIn("reports/weekly.py:2: KeyError\ntests/test_weekly.py:5: in test_total\n")).toEqual(["tests/test_weekly.py", "reports/weekly.py"]);
  });

  it("resolves repository imports", () => {
    expect(importsOf("import reports.weekly\nfrom reports import amounts, weekly as w\nimport os\n", FILES)).toEqual([
      "reports/weekly.py", "reports/__init__.py", "reports/amounts.py",
    ]);
  });

  it("ranks the target, the frames, then the imports, leaves tests out, and keeps to the budget", async () => {
    const input = { target: "app.py", output: TRACEBACK, files: FILES, read, protectedPaths: new Set(["tests/test_weekly.py"]) };
    // The innermost frame's imports come before the outer frame's.
    expect(await localise(input)).toEqual(["app.py", "reports/weekly.py", "reports/amounts.py", "reports/__init__.py"]);
    // A file over what is left of the budget is left out; smaller ones after it still fit.
    expect(await localise({ ...input, budgetTokens: 50 })).toEqual(["app.py", "reports/amounts.py", "reports/__init__.py"]);
    expect(await localise({ ...input, budgetTokens: 1 })).toEqual(["app.py"]);
    expect(await localise({ ...input, output: "", failingTests: ["tests/test_weekly.py::test_total"] })).toEqual(["app.py", "reports/weekly.py", "reports/amounts.py"]);
  });
});

describe("parseFileBlocks", () => {
  const allowed = ["app.py", "reports/weekly.py"];
  it("reads one block per file, path lines in the forms models write", () => {
    const answer = "app.py\n```python\nprint(1)\n```\n\n**reports/weekly.py**\n```\ndef f():\n    return 2\n```\n";
    expect(parseFileBlocks(answer, allowed)).toEqual({
      ok: true,
      files: [{ path: "app.py", content: "print(1)\n" }, { path: "reports/weekly.py", content: "def f():\n    return 2\n" }],
    });
  });

  it.each([
    ["Here is the fix:\napp.py\n```python\nx = 1\n```\n", "text outside the file blocks at line 1"],
    ["app.py\n```python\nx = 1\n```\nThat should do it.\n", "text outside the file blocks at line 5"],
    ["app.py\nx = 1\n", "is not followed by a fenced code block"],
    ["app.py\n```python\nx = 1\n", "is never closed: the answer looks cut off"],
    ["tests/test_x.py\n```python\nx = 1\n```\n", "tests/test_x.py is not one of the files shown (app.py, reports/weekly.py)"],
    ["app.py\n```\nx = 1\n```\napp.py\n```\nx = 2\n```\n", "app.py has two blocks"],
    ["", "the answer has no file block"],
  ])("%j is refused", (answer, reason) => {
    const result = parseFileBlocks(answer, allowed);
    expect(result.ok ? "" : result.reason).toContain(reason);
  });
});
