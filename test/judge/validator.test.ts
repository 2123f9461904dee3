import { describe, expect, it } from "vitest";
import { validateCandidate, type RefusalCode } from "../../src/judge/validator.js";

const lines = (...rows: string[]): string => `${rows.join("\n")}\n`;

/** The failing file: gcd recurses forever because it has no base case. */
const ORIGINAL = lines(
  '"""Small arithmetic helpers used by the billing job."""',
  "",
  "import math",
  "from typing import Protocol",
  "",
  "",
  "class Rounder(Protocol):",
  '    """Anything that can round an amount."""',
  "",
  "    def round(self, amount: float) -> float: ...",
  "",
  "",
  "class Calculator:",
  '    """Keeps a running total."""',
  "",
  "    def __init__(self, start: float = 0.0) -> None:",
  "        # The running total starts at `start`.",
  "        self.total = start",
  "",
  "    def add(self, amount: float) -> float:",
  '        """Add `amount` to the total and return it."""',
  "        self.total += amount",
  "        return self.total",
  "",
  "    def divide(self, divisor: float) -> float:",
  '        """Divide the total by `divisor`."""',
  "        self.total = self.total / divisor",
  "        return self.total",
  "",
  "",
  "def gcd(a: int, b: int) -> int:",
  '    """Greatest common divisor, by Euclid\'s algorithm.',
  "",
  "    gcd(a, b) == gcd(b, a % b), and gcd(a, 0) == a.",
  '    """',
  "    # Each step shrinks the second argument.",
  "    return gcd(b, a % b)",
  "",
  "",
  "def mean(values: list[float]) -> float:",
  '    """Arithmetic mean of `values` (a non-empty list)."""',
  "    # fsum avoids losing precision on long lists.",
  "    return math.fsum(values) / len(values)",
  "",
  "",
  'if __name__ == "__main__":',
  "    print(gcd(12, 18))",
);

/** The honest fix: only the base case added. */
const FIXED = ORIGINAL.replace("    return gcd(b, a % b)", "    if b == 0:\n        return a\n    return gcd(b, a % b)");

/** An honest fix that also drops every docstring and comment: far shorter, nothing lost. */
const TERSE_FIX = lines(
  "import math",
  "from typing import Protocol",
  "",
  "class Rounder(Protocol):",
  "    def round(self, amount: float) -> float: ...",
  "",
  "class Calculator:",
  "    def __init__(self, start: float = 0.0) -> None:",
  "        self.total = start",
  "",
  "    def add(self, amount: float) -> float:",
  "        self.total += amount",
  "        return self.total",
  "",
  "    def divide(self, divisor: float) -> float:",
  "        self.total = self.total / divisor",
  "        return self.total",
  "",
  "def gcd(a: int, b: int) -> int:",
  "    return a if b == 0 else gcd(b, a % b)",
  "",
  "def mean(values: list[float]) -> float:",
  "    return math.fsum(values) / len(values)",
  "",
  'if __name__ == "__main__":',
  "    print(gcd(12, 18))",
);

/** `FIXED` cut off right after the given text, as a token limit would. */
const cutAfter = (text: string): string => FIXED.slice(0, FIXED.indexOf(text) + text.length);

const lineOf = (source: string, text: string): number => source.split("\n").findIndex((l) => l.includes(text)) + 1;

describe("validateCandidate accepts honest fixes", () => {
  it.each([
    ["a base case `if b == 0: return a`", FIXED],
    ["a fix that drops all docstrings and comments", TERSE_FIX],
    ["a fix with CRLF line endings", FIXED.replace(/\n/g, "\r\n")],
    ["a fix that adds a helper and keeps every name", FIXED.replace("def mean(", "def _check(b: int) -> None:\n    if b < 0:\n        raise ValueError(b)\n\n\ndef mean(")],
    ["a fix that adds an exception class with a `...` body", FIXED.replace("class Calculator:", "class DivisionByZero(ArithmeticError): ...\n\n\nclass Calculator:")],
    ["a fix that adds a comment mentioning existing behaviour", FIXED.replace("    if b == 0:", "    # Keep the existing behaviour for positive inputs.\n    if b == 0:")],
    ["a fix whose docstring shows a markdown example", FIXED.replace('"""Arithmetic mean of `values` (a non-empty list)."""', '"""Arithmetic mean.\n\n    ```python\n    mean([1.0, 2.0])\n    ```\n    """')],
    ["a fix that ends without a newline", FIXED.trimEnd()],
  ])("accepts %s", async (_name, candidate) => {
    await expect(validateCandidate(ORIGINAL, candidate, { path: "mathutil.py" })).resolves.toEqual({ ok: true });
  });

  it("judges by structure, not size: the terse fix is under 60% of the original", async () => {
    expect(TERSE_FIX.length).toBeLessThan(ORIGINAL.length * 0.6);
    await expect(validateCandidate(ORIGINAL, TERSE_FIX)).resolves.toEqual({ ok: true });
  });

  it("accepts a fix of an original that does not parse", async () => {
    const broken = lines("def total(items)", "    return sum(items)", "", "def main():", "    print(total([1, 2]))");
    const repaired = broken.replace("def total(items)", "def total(items):");
    await expect(validateCandidate(broken, repaired)).resolves.toEqual({ ok: true });
  });

  it("leaves syntax newer than its grammar (PEP 696 defaults) to the compile gate, where the current file has it too", async () => {
    const original = lines("def first[T = int](items: list[T]) -> T:", "    return items[1]", "", "", "def last[T = int](items: list[T]) -> T:", "    return items[-1]");
    const fixed = original.replace("items[1]", "items[0]");
    await expect(validateCandidate(original, fixed)).resolves.toEqual({ ok: true });
    // A syntax error in a file the grammar reads is still refused here.
    const plain = lines("def first(items):", "    return items[1]");
    await expect(validateCandidate(plain, plain.replace("def first(items):", "def first(items)"))).resolves.toMatchObject({ ok: false, code: "SYNTAX" });
  });
});

describe("validateCandidate refuses broken answers", () => {
  it.each<[string, string, RefusalCode, RegExp]>([
    ["an empty answer", "", "EMPTY", /empty/],
    ["a whitespace-only answer", "  \n\n\t\n", "EMPTY", /empty/],
    ["the original itself", ORIGINAL, "UNCHANGED", /identical/],
    ["the original with trailing whitespace and newlines", ORIGINAL.replace(/\n/g, "   \n") + "\n\n", "UNCHANGED", /identical/],
    ["a fenced answer", "```python\n" + FIXED + "```\n", "MARKDOWN_FENCE", /fence at line 1 \("```python"\)/],
    ["a fence closing an otherwise bare answer", FIXED + "```\n", "MARKDOWN_FENCE", new RegExp(`fence at line ${FIXED.split("\n").length}`)],
    ["a tilde fence", "~~~\n" + FIXED + "~~~\n", "MARKDOWN_FENCE", /fence at line 1/],
    ["prose before the code", "Here is the fixed code:\n\n" + FIXED, "PROSE", /prose before the code \(line 1: "Here is the fixed code:"\)/],
    ["prose with an apostrophe before the code", "Here's the corrected version of mathutil.py.\n\n" + FIXED, "PROSE", /before the code \(line 1/],
    ["prose after the code", FIXED + "\nThis fix adds the missing base case so the recursion stops.\n", "PROSE", new RegExp(`prose after the code \\(line ${FIXED.split("\n").length + 1}`)],
    ["an explanation section after the code", FIXED + "\nExplanation:\n- Added a base case to `gcd` for `b == 0`.\n", "PROSE", new RegExp(`after the code \\(line ${FIXED.split("\n").length + 1}: "Explanation:"\\)`)],
    ["a refusal in prose", "I cannot fix this file without more context about the billing job.\n", "PROSE", /prose, not Python code/],
    ["a syntax error mid-file", FIXED.replace("def gcd(a: int, b: int) -> int:", "def gcd(a: int, b: int) -> int"), "SYNTAX", new RegExp(`mathutil\\.py does not parse as Python: unexpected "int" at line ${lineOf(FIXED, "def gcd(")}, column 28\\.`)],
    ["an invalid operator mid-file", FIXED.replace("self.total += amount", "self.total += amount)"), "SYNTAX", new RegExp(`at line ${lineOf(FIXED, "self.total += amount")}, column`)],
    ["an answer truncated mid-function", cutAfter("def mean(values: list[float]) -> float:"), "TRUNCATED", new RegExp(`"def mean\\(values: list\\[float\\]\\) -> float:" has no body at line ${lineOf(FIXED, "def mean(")}\\.`)],
    ["an answer truncated inside an open paren", cutAfter("return math.fsum(values"), "TRUNCATED", new RegExp(`"\\(" opened at line ${lineOf(FIXED, "math.fsum(")}, column 21 is never closed`)],
    ["an answer truncated after an operator", cutAfter("return math.fsum(values) /"), "TRUNCATED", new RegExp(`unexpected "return math\\.fsum\\(values\\) /" at line ${lineOf(FIXED, "math.fsum(")}\\.`)],
    ["an answer truncated inside a docstring", cutAfter('"""Arithmetic mean of `values`'), "TRUNCATED", new RegExp(`the """ string opened at line ${lineOf(FIXED, "Arithmetic mean")} is never closed`)],
    ["an answer truncated inside a method", cutAfter("        self.total = self.total /"), "TRUNCATED", /cut off at the end of the file/],
    ["an elision comment at the end", FIXED.replace('if __name__ == "__main__":\n    print(gcd(12, 18))\n', "# ... rest of the file unchanged\n"), "CONTENT_LOSS", new RegExp(`elision marker at line ${lineOf(FIXED, "__main__")} \\("# \\.\\.\\. rest of the file unchanged"\\)`)],
    ["an `# (unchanged)` marker in a body", FIXED.replace("        self.total += amount\n        return self.total", "        # (unchanged)\n        return self.total"), "CONTENT_LOSS", new RegExp(`elision marker at line ${lineOf(FIXED, "self.total += amount")} \\("# \\(unchanged\\)"\\)`)],
    ["an `# existing code` marker", FIXED.replace("    # fsum avoids losing precision on long lists.\n", "    # existing code\n"), "CONTENT_LOSS", new RegExp(`elision marker at line ${lineOf(FIXED, "# fsum avoids")} \\("# existing code"\\)`)],
    ["`pass  # rest unchanged` replacing a body", FIXED.replace("        self.total = self.total / divisor\n        return self.total", "        pass  # rest unchanged"), "CONTENT_LOSS", new RegExp(`elision marker at line ${lineOf(FIXED, "self.total / divisor")} \\("# rest unchanged"\\)`)],
    ["a `...` line standing in for a method body", FIXED.replace("        self.total = self.total / divisor\n        return self.total", "        ..."), "CONTENT_LOSS", new RegExp(`placeholder "\\.\\.\\." at line ${lineOf(FIXED, "self.total / divisor")} in Calculator\\.divide`)],
    ["a `...` line standing in for module code", FIXED.replace('if __name__ == "__main__":\n    print(gcd(12, 18))\n', "...\n"), "CONTENT_LOSS", new RegExp(`placeholder "\\.\\.\\." at line ${lineOf(FIXED, "__main__")} in the module`)],
    ["a string marker standing in for removed code", FIXED.replace("class Calculator:", '"""... other methods omitted ..."""\n\n\nclass Calculator:'), "CONTENT_LOSS", new RegExp(`elision marker at line ${lineOf(FIXED, "class Calculator:")} `)],
    ["a vanished function", FIXED.replace(/\ndef mean[\s\S]*?\n\n\n/, "\n"), "CONTENT_LOSS", /these definitions vanished: mean\./],
    ["a vanished method", FIXED.replace(/\n {4}def divide[\s\S]*?return self\.total\n/, ""), "CONTENT_LOSS", /these definitions vanished: Calculator\.divide\./],
    ["a renamed function whose old name is gone", FIXED.replace("def gcd(", "def greatest_common_divisor("), "CONTENT_LOSS", /these definitions vanished: gcd\./],
    ["an answer of comments only", "# Fixed: the script no longer divides by zero.\n", "CONTENT_LOSS", /only comments, no code/],
    ["a class rewritten as a function", FIXED.replace(/class Calculator:[\s\S]*?(?=\n\ndef gcd)/, "def calculator():\n    return 0\n"), "CONTENT_LOSS", /these definitions vanished: Calculator, Calculator\.__init__, Calculator\.add, Calculator\.divide\./],
  ])("refuses %s", async (_name, candidate, code, reason) => {
    const verdict = await validateCandidate(ORIGINAL, candidate, { path: "mathutil.py" });
    expect(verdict).toMatchObject({ ok: false, code });
    if (verdict.ok) return;
    expect(verdict.reason).toMatch(reason);
    expect(verdict.reason).not.toContain("\n");
  });

  it("reports every kind of loss in one line", async () => {
    const candidate = FIXED.replace(/\n {4}def divide[\s\S]*?return self\.total\n/, "\n    # ... other methods unchanged\n");
    const verdict = await validateCandidate(ORIGINAL, candidate);
    expect(verdict).toEqual({
      ok: false,
      code: "CONTENT_LOSS",
      reason: 'The answer leaves out code of the original: elision marker at line 25 ("# ... other methods unchanged"); these definitions vanished: Calculator.divide.',
    });
  });

  it("allows a `...` placeholder comment the original already had", async () => {
    const original = lines("def handler(event):", "    # ... rest of the handler is generated", "    return event");
    const candidate = original.replace("return event", "return dict(event)");
    await expect(validateCandidate(original, candidate)).resolves.toEqual({ ok: true });
  });

  it("allows `...` bodies kept from an abstract original but refuses one that replaces real code", async () => {
    const original = lines(
      "import abc",
      "",
      "class Repo(abc.ABC):",
      "    @abc.abstractmethod",
      "    def get(self, key): ...",
      "",
      "    def get_or(self, key, default):",
      "        return self.get(key) or default",
    );
    const kept = original.replace("or default", "if self.get(key) is not None else default");
    await expect(validateCandidate(original, kept)).resolves.toEqual({ ok: true });
    const gutted = original.replace("        return self.get(key) or default", "        ...");
    await expect(validateCandidate(original, gutted)).resolves.toMatchObject({ ok: false, code: "CONTENT_LOSS" });
  });
});
