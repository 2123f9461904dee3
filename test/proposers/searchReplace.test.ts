/** Search/replace edits: parsed from a block's fence, applied to the file as it is. Pure, table-driven. */
import { describe, expect, it } from "vitest";
import { applyEdits, parseEdits } from "../../src/proposers/searchReplace.js";

const FILE = [
  "def load(rows):",
  "    return [row['amount'] for row in rows]",
  "",
  "",
  "def summary(rows):",
  "    amounts = load(rows)",
  "    return {'count': len(amounts), 'total': sum(amounts)}",
  "",
].join("\n");

const edit = (search: string, replace: string) => ({ search, replace });

describe("parseEdits", () => {
  it("reads one or more edits, blank lines between them", () => {
    const body = "<<<<<<< SEARCH\nold\n=======\nnew\n>>>>>>> REPLACE\n\n<<<<<<< SEARCH\n=======\nadded\n>>>>>>> REPLACE";
    expect(parseEdits(body, "a.py")).toEqual({ ok: true, edits: [edit("old\n", "new\n"), edit("", "added\n")] });
  });

  it("keeps a REPLACE that deletes the lines empty", () => {
    expect(parseEdits("<<<<<<< SEARCH\nx = 1\n=======\n>>>>>>> REPLACE", "a.py")).toEqual({ ok: true, edits: [edit("x = 1\n", "")] });
  });

  it.each([
    ["Change this:\n<<<<<<< SEARCH\nold\n=======\nnew\n>>>>>>> REPLACE", 'text outside the SEARCH/REPLACE edits for a.py ("Change this:")'],
    ["<<<<<<< SEARCH\nold\n=======\nnew\n", "an edit for a.py is not closed"],
    ["<<<<<<< SEARCH\nold\n>>>>>>> REPLACE", "an edit for a.py is not closed"],
    ["<<<<<<< SEARCH\nold\n<<<<<<< SEARCH\n=======\nnew\n>>>>>>> REPLACE", "an edit for a.py is not closed"],
  ])("%j is refused", (body, reason) => {
    const parsed = parseEdits(body, "a.py");
    expect(parsed.ok ? "" : parsed.reason).toContain(reason);
  });
});

describe("applyEdits", () => {
  it("replaces the one place a SEARCH matches, edits in order, each on the result of the one before", () => {
    const result = applyEdits(FILE, [
      edit("    return [row['amount'] for row in rows]\n", "    return [row.get('amount', 0) for row in rows]\n"),
      edit("def summary(rows):\n    amounts = load(rows)\n", "def weekly_summary(rows):\n    amounts = load(rows)\n"),
      edit("def weekly_summary(rows):\n", "def weekly_summary(rows):\n    \"\"\"Count and total.\"\"\"\n"),
    ], "reports/weekly.py");
    expect(result).toEqual({
      ok: true,
      content: FILE.replace("row['amount']", "row.get('amount', 0)").replace("def summary(rows):", "def weekly_summary(rows):\n    \"\"\"Count and total.\"\"\""),
    });
  });

  it("matches with the indentation shifted by one prefix and trailing spaces ignored, and indents the REPLACE as the file is", () => {
    const result = applyEdits(FILE, [edit("amounts = load(rows)  \nreturn {'count': len(amounts), 'total': sum(amounts)}\n", "amounts = load(rows)\nif not amounts:\n    return {}\nreturn {'count': len(amounts)}\n")], "w.py");
    expect(result).toEqual({
      ok: true,
      content: FILE.replace("    return {'count': len(amounts), 'total': sum(amounts)}", "    if not amounts:\n        return {}\n    return {'count': len(amounts)}"),
    });
    // Too much indentation is shifted back the same way.
    const deeper = applyEdits(FILE, [edit("        amounts = load(rows)\n", "        amounts = list(load(rows))\n")], "w.py");
    expect(deeper).toEqual({ ok: true, content: FILE.replace("amounts = load(rows)", "amounts = list(load(rows))") });
  });

  it("keeps the file's CRLF line ends and its missing final newline", () => {
    expect(applyEdits("a = 1\r\nb = 2\r\n", [edit("b = 2\n", "b = 3\n")], "c.py")).toEqual({ ok: true, content: "a = 1\r\nb = 3\r\n" });
    expect(applyEdits("a = 1\nb = 2", [edit("b = 2\n", "b = 3\n")], "c.py")).toEqual({ ok: true, content: "a = 1\nb = 3" });
  });

  it("creates a file that does not exist from empty SEARCHes, and fills an empty one", () => {
    expect(applyEdits(undefined, [edit("", "X = 1\n"), edit("", "Y = 2\n")], "new.py")).toEqual({ ok: true, content: "X = 1\nY = 2\n" });
    expect(applyEdits("", [edit("", "X = 1\n")], "pkg/__init__.py")).toEqual({ ok: true, content: "X = 1\n" });
  });

  it.each([
    [[edit("    return [row['value'] for row in rows]\n", "x\n")], `a SEARCH for w.py matches nothing in it (first line "return [row['value'] for row in rows]"); copy the lines exactly as the file has them`],
    [[edit("    amounts = load(rows)\n", "x\n"), edit("    amounts = load(rows)\n", "y\n")], 'a SEARCH for w.py matches nothing in it (first line "amounts = load(rows)")'],
    [[edit("\n\n", "x\n")], "a SEARCH for w.py is empty, but w.py exists; quote the lines to replace"],
    [[edit("", "x\n")], "a SEARCH for w.py is empty, but w.py exists"],
    [[edit("rows\n", "x\n")], 'a SEARCH for w.py matches nothing in it (first line "rows")'],
  ])("refuses %j", (edits, reason) => {
    const result = applyEdits(FILE, edits, "w.py");
    expect(result.ok ? "" : result.reason).toContain(reason);
  });

  it("refuses a SEARCH that matches several places, exactly or once relaxed, naming the count", () => {
    const twice = "x = 1\n\ndef f():\n    x = 1\n";
    expect(applyEdits(`${twice}x = 1\n`, [edit("x = 1\n", "x = 2\n")], "t.py")).toEqual({
      ok: false,
      reason: 'a SEARCH for t.py matches 2 places in it (first line "x = 1"); include more lines so it matches one place',
    });
    expect(applyEdits("def f():\n    y = 1\n\ndef g():\n    y = 1\n", [edit("y = 1\n", "y = 2\n")], "t.py")).toMatchObject({ ok: false, reason: expect.stringContaining("matches 2 places in it") });
  });

  it("refuses a SEARCH with text on a file that does not exist", () => {
    expect(applyEdits(undefined, [edit("x = 1\n", "x = 2\n")], "gone.py")).toEqual({
      ok: false,
      reason: 'a SEARCH for gone.py quotes "x = 1", but gone.py does not exist; create a file with an empty SEARCH',
    });
  });
});
