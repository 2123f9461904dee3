import { describe, expect, it } from "vitest";
import {
  bareStrings,
  checkSyntax,
  comments,
  ellipsisStatements,
  hasSyntaxError,
  implementedFunctions,
  listDefinitions,
  namesCalledBy,
  openConstructsAtEnd,
  parsePython,
  statementSpans,
  type SyntaxIssueKind,
} from "../../src/python/pythonSyntax.js";

const lines = (...rows: string[]): string => `${rows.join("\n")}\n`;

describe("checkSyntax", () => {
  it.each([
    ["a plain function", lines("def divide(a, b):", "    return a / b")],
    ["a decorated class with a Protocol stub", lines("from typing import Protocol", "", "class Rounder(Protocol):", "    def round(self, x: float) -> float: ...")],
    ["an async function with a match statement", lines("async def route(cmd):", "    match cmd:", "        case 'go':", "            return 1", "        case _:", "            return 0")],
    ["a file of comments only", lines("# nothing here yet")],
  ])("accepts %s", async (_name, source) => {
    await expect(checkSyntax(source)).resolves.toEqual({ ok: true });
    await expect(hasSyntaxError(source)).resolves.toBe(false);
  });

  it.each<[string, string, SyntaxIssueKind, number, number, boolean]>([
    ["an operator with no right side mid-file", lines("def f(a):", "    return a", "", "def g(b):", "    return b +* 2", "", "def h():", "    return 3"), "unexpected", 5, 5, false],
    ["a missing colon mid-file", lines("def f()", "    return 1", "", "print(f())"), "unexpected", 1, 1, false],
    ["an invalid last line that is complete", lines("def g(b):", "    return b +* 2"), "unexpected", 2, 5, false],
    ["a missing closing parenthesis in a signature", lines("def f(:", "    pass", "", "x = 1"), "missing", 1, 7, false],
    ["an empty body in the middle", lines("def f():", "def g():", "    pass"), "no_body", 1, 1, false],
    ["a body holding only a comment", lines("def f():", "    # later", "", "x = 1"), "no_body", 1, 1, false],
    ["a single-quoted string left open mid-file", lines("x = 'abc", "y = 2"), "unclosed_string", 1, 5, false],
    ["a dangling operator at the end", lines("def f(a, b):", "    return a +"), "unexpected", 2, 5, true],
    ["an open call at the end", lines("x = foo(1,", "    2,"), "unexpected", 1, 1, true],
    ["a def with no body at the end", lines("import os", "", "def main():"), "no_body", 3, 1, true],
    ["a method with no body at the end", lines("class A:", "    def m(self):"), "no_body", 2, 5, true],
    ["a decorator with no definition at the end", lines("class A:", "    @property"), "unexpected", 2, 5, true],
    ["an unclosed docstring", lines("def f():", '    """Compute.', "", "    This function returns"), "unclosed_string", 2, 5, true],
    ["an unclosed string on the last line", 'x = "abc', "unclosed_string", 1, 5, true],
    ["a Python 2 print statement the grammar still accepts", lines("def f():", "    print 'done'"), "unexpected", 2, 5, false],
    ["a Python 2 backtick repr", lines("x = `y`"), "unexpected", 1, 5, false],
    ["statements swept into an error before a missing colon", lines('"""Doc."""', "import math", "", "def f(a) -> int", "    return a", "", "def g(values):", "    return math.fsum(values)"), "unexpected", 5, 5, false],
  ])("reports %s", async (_name, source, kind, line, column, atEndOfFile) => {
    const check = await checkSyntax(source);
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.first).toMatchObject({ kind, line, column });
    expect(check.atEndOfFile !== undefined).toBe(atEndOfFile);
    expect(check.first.description).not.toContain("\n");
  });

  it("parses concurrently with one cached grammar", async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => hasSyntaxError(i % 2 ? "x = (" : "x = 1")));
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i % 2 === 1));
  });
});

describe("listDefinitions", () => {
  it.each([
    ["functions and classes in order", lines("def a():", "    pass", "", "class B:", "    pass", "", "async def c():", "    pass"), ["a", "B", "c"]],
    [
      "decorated definitions and methods of top-level classes",
      lines(
        "import functools",
        "",
        "@functools.cache",
        "def fib(n):",
        "    return n if n < 2 else fib(n - 1) + fib(n - 2)",
        "",
        "@dataclass",
        "class Point:",
        "    x: int",
        "",
        "    @property",
        "    def norm(self):",
        "        return abs(self.x)",
        "",
        "    def shift(self, d):",
        "        def inner():",
        "            return d",
        "        return Point(self.x + inner())",
      ),
      ["fib", "Point", "Point.norm", "Point.shift"],
    ],
    ["overloads collapse into one name", lines("@overload", "def f(x: int) -> int: ...", "@overload", "def f(x: str) -> str: ...", "def f(x):", "    return x"), ["f"]],
    ["nothing in a script", lines("print('hello')"), []],
    ["no nested classes or nested functions", lines("def outer():", "    def inner():", "        pass", "    class Local:", "        def m(self):", "            pass"), ["outer"]],
  ])("lists %s", async (_name, source, expected) => {
    await expect(listDefinitions(source)).resolves.toEqual(expected);
  });
});

describe("openConstructsAtEnd", () => {
  it.each([
    ["a balanced file", lines("x = [1, (2, 3)]", "y = {'a': '('}"), []],
    ["brackets in comments and strings", lines("x = 1  # (", "s = ')' + \"[\""), []],
    ["an open call", lines("total = sum(", "    values,"), [{ kind: "bracket", opener: "(", line: 1, column: 12 }]],
    ["nested open brackets", "data = {'a': [1, 2,", [
      { kind: "bracket", opener: "{", line: 1, column: 8 },
      { kind: "bracket", opener: "[", line: 1, column: 14 },
    ]],
    ["an open triple-quoted string", lines("def f():", '    """Doc', "    more"), [{ kind: "string", opener: '"""', line: 2, column: 5 }]],
    ["an escaped quote does not close", 'x = "say \\"hi', [{ kind: "string", opener: '"', line: 1, column: 5 }]],
    ["a single-quoted string closes at the end of its line", lines("x = 'abc", "y = 2"), []],
  ])("finds %s", (_name, source, expected) => {
    expect(openConstructsAtEnd(source)).toEqual(expected);
  });
});

describe("placeholder facts", () => {
  const source = lines(
    '"""Module doc."""',
    "from typing import Protocol",
    "",
    "class Store(Protocol):",
    "    def get(self, key: str) -> str: ...",
    "",
    "class NotFound(KeyError): ...",
    "",
    "class Cache:",
    "    def get(self, key):",
    '        """Look up a key."""',
    "        ...",
    "",
    "    def size(self):",
    "        raise NotImplementedError",
    "",
    "    def clear(self):",
    "        self.items = {}",
    "        if self.items:",
    "            ...",
    "",
    "...",
    "Shape = tuple[int, ...]",
    "# ... rest unchanged",
  );

  it("locates `...` statements with their scope, ignoring `...` inside expressions", async () => {
    const found = await parsePython(source, ellipsisStatements);
    expect(found).toEqual([
      { line: 5, scope: "Store.get", scopeKind: "function", soleStatement: true },
      { line: 7, scope: "NotFound", scopeKind: "class", soleStatement: true },
      { line: 12, scope: "Cache.get", scopeKind: "function", soleStatement: true },
      { line: 20, scope: "Cache.clear", scopeKind: "function", soleStatement: false },
      { line: 22, scope: "", scopeKind: "module", soleStatement: false },
    ]);
  });

  it("knows which functions do real work", async () => {
    await expect(parsePython(source, (root) => [...implementedFunctions(root)])).resolves.toEqual(["Cache.clear"]);
  });

  it("lists comments and bare strings with their lines", async () => {
    await expect(parsePython(source, comments)).resolves.toEqual([{ line: 24, text: "# ... rest unchanged" }]);
    await expect(parsePython(source, bareStrings)).resolves.toEqual([
      { line: 1, text: '"""Module doc."""' },
      { line: 11, text: '"""Look up a key."""' },
    ]);
  });
});

describe("statement spans and calls", () => {
  const source = lines(
    "import os  # why",
    "",
    "@cache",
    "def total(",
    "    rows,",
    "    rate,",
    "):",
    "    return sum(rows) * rate",
    "",
    "class Repo:",
    "    name = 'r'",
    "    def get(self): return os.getcwd()",
  );

  it("gives each statement's lines, a definition's header end and body start, and a class's members", async () => {
    expect(await parsePython(source, statementSpans)).toEqual([
      { start: 1, end: 1 },
      { start: 3, end: 8, definition: { name: "total", kind: "function", headerEnd: 7, bodyStart: 8, body: [] } },
      {
        start: 10,
        end: 12,
        definition: {
          name: "Repo",
          kind: "class",
          headerEnd: 10,
          bodyStart: 11,
          body: [{ start: 11, end: 11 }, { start: 12, end: 12, definition: { name: "get", kind: "function", headerEnd: 12, bodyStart: 12, body: [] } }],
        },
      },
    ]);
  });

  it("names what a function at a dotted path calls", async () => {
    const test = lines("class TestRepo:", "    def test_get(self):", "        repo = make_repo(build.default())", "        assert repo.get() == os.getcwd()");
    expect(await parsePython(test, (root) => namesCalledBy(root, "TestRepo.test_get"))).toEqual(["make_repo", "default", "get", "getcwd"]);
    expect(await parsePython(test, (root) => namesCalledBy(root, "test_missing"))).toEqual([]);
  });
});
