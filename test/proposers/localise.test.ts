/** Localisation and the block answer format: pure, table-driven. */
import { describe, expect, it } from "vitest";
import { filesFromBlocks, parseFileBlocks } from "../../src/proposers/fileBlocks.js";
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
    const paths = async (over: Partial<typeof input & { budgetTokens: number; failingTests: string[] }>) => (await localise({ ...input, ...over })).map((file) => file.path);
    // The innermost frame's imports come before the outer frame's.
    expect(await paths({})).toEqual(["app.py", "reports/weekly.py", "reports/amounts.py", "reports/__init__.py"]);
    // A file over what is left of the budget is left out; smaller ones after it still fit.
    expect(await paths({ budgetTokens: 50 })).toEqual(["app.py", "reports/amounts.py", "reports/__init__.py"]);
    expect(await paths({ budgetTokens: 1 })).toEqual(["app.py"]);
    expect(await paths({ output: "", failingTests: ["tests/test_weekly.py::test_total"] })).toEqual(["app.py", "reports/weekly.py", "reports/amounts.py"]);
  });
});

describe("block answers", () => {
  const allowed = ["app.py", "reports/weekly.py"];
  const files = new Map([["app.py", "print(0)\n"], ["reports/weekly.py", "def f():\n    return 1\n"], ["tests/test_x.py", "def test_x():\n    pass\n"]]);
  const current = async (path: string) => files.get(path);
  const blocks = (answer: string, outlined: string[] = []) => filesFromBlocks(answer, allowed, current, outlined);

  it("reads one block per file, path lines in the forms models write", async () => {
    const answer = "app.py\n```python\nprint(1)\n```\n\n**reports/weekly.py**\n```\ndef f():\n    return 2\n```\n";
    expect(await blocks(answer)).toEqual({
      ok: true,
      files: [{ path: "app.py", content: "print(1)\n" }, { path: "reports/weekly.py", content: "def f():\n    return 2\n" }],
    });
  });

  it("applies SEARCH/REPLACE edits to the file as it is, next to whole-file blocks, and adds a new file", async () => {
    const answer = [
      "reports/weekly.py", "```python", "<<<<<<< SEARCH", "    return 1", "=======", "    return 2", ">>>>>>> REPLACE", "```",
      "app.py", "```python", "print(1)", "```",
      "reports/extra.py", "```python", "<<<<<<< SEARCH", "=======", "X = 1", ">>>>>>> REPLACE", "```",
    ].join("\n");
    expect(parseFileBlocks(answer)).toMatchObject({ ok: true, blocks: [{ path: "reports/weekly.py", edits: [{ search: "    return 1\n", replace: "    return 2\n" }] }, { path: "app.py" }, { path: "reports/extra.py" }] });
    expect(await blocks(answer, ["reports/weekly.py"])).toEqual({
      ok: true,
      files: [{ path: "reports/weekly.py", content: "def f():\n    return 2\n" }, { path: "app.py", content: "print(1)\n" }, { path: "reports/extra.py", content: "X = 1\n" }],
    });
  });

  it.each([
    ["Here is the fix:\napp.py\n```python\nx = 1\n```\n", "text outside the file blocks at line 1"],
    ["app.py\n```python\nx = 1\n```\nThat should do it.\n", "text outside the file blocks at line 5"],
    ["app.py\nx = 1\n", "is not followed by a fenced code block"],
    ["app.py\n```python\nx = 1\n", "is never closed: the answer looks cut off"],
    ["tests/test_x.py\n```python\nx = 1\n```\n", "tests/test_x.py is not one of the files shown (app.py, reports/weekly.py)"],
    ["../outside.py\n```python\nx = 1\n```\n", "../outside.py is not a path inside the repository"],
    ["app.py\n```\nx = 1\n```\napp.py\n```\nx = 2\n```\n", "app.py has two blocks"],
    ["", "the answer has no file block"],
    ["reports/weekly.py\n```\nfixed\n<<<<<<< SEARCH\n    return 1\n=======\n    return 2\n>>>>>>> REPLACE\n```\n", 'text outside the SEARCH/REPLACE edits for reports/weekly.py ("fixed")'],
    ["reports/weekly.py\n```\n<<<<<<< SEARCH\n    return 3\n=======\n    return 2\n>>>>>>> REPLACE\n```\n", 'a SEARCH for reports/weekly.py matches nothing in it (first line "return 3")'],
    ["reports/weekly.py\n```\ndef f():\n    return 2\n```\n", "reports/weekly.py was shown as an outline, so a whole file for it would lose what you did not see; answer it with SEARCH/REPLACE edits"],
  ])("%j is refused", async (answer, reason) => {
    const result = await blocks(answer, ["reports/weekly.py"]);
    expect(result.ok ? "" : result.reason).toContain(reason);
  });
});
