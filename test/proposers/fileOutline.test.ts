/** Large files shown as an outline with what the failure points at in full: on a real 428-line module. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isLargeFile, outlineFile } from "../../src/proposers/fileOutline.js";
import { localise } from "../../src/proposers/localise.js";
import { ROOT } from "../support/built.js";

const LEDGER = readFileSync(join(ROOT, "test/fixtures/outline/ledger.py"), "utf8");
const lineOf = (text: string) => LEDGER.split("\n").findIndex((line) => line.includes(text)) + 1;
const APPLY_DISCOUNT = `def apply_discount(cents, code):
    """The amount after the discount \`code\` gives, in whole cents."""
    percent = DISCOUNTS[code]
    return cents - math.floor(cents * percent / 100)
`;

describe("outlineFile", () => {
  it("shows the function holding a frame's line in full and the rest as headers with ... bodies", async () => {
    const view = await outlineFile(LEDGER, { lines: [lineOf("percent = DISCOUNTS[code]")], names: [] });
    expect(view).toContain(APPLY_DISCOUNT);
    expect(view).toContain("def surcharge_rule_17(cents, quantity):\n    ...\n");
    expect(view).toContain("def invoice_total(ledger, code):\n    ...\n");
    expect(view).not.toContain("threshold = 1700");
    // Short module statements stay as they are, longer ones show their first line; classes their members' headers.
    expect(view).toContain('from dataclasses import dataclass, field\nimport math\n\nCURRENCY = "EUR"\nDISCOUNTS = { ...\n');
    expect(view).toContain('class Ledger:\n    """Lines of one customer, in the order they were booked."""\n\n    currency = CURRENCY\n\n    def __init__(self, customer):\n        ...\n');
    expect(view).toContain("@dataclass\nclass Line:\n    sku: str\n");
    expect(view.split("\n").length).toBeLessThan(LEDGER.split("\n").length / 2);
    // Every line shown is a line of the file, or an elided body: what a SEARCH may quote.
    const lines = new Set(LEDGER.split("\n"));
    for (const line of view.split("\n")) if (!lines.has(line)) expect(line.trim(), line).toMatch(/\.\.\.$/);
  });

  it("shows what the failing tests call in full, a method inside its class's outline", async () => {
    const view = await outlineFile(LEDGER, { lines: [], names: ["invoice_total", "largest"] });
    expect(view).toContain('def invoice_total(ledger, code):\n    gross = ledger.total()\n');
    expect(view).toContain("    def largest(self):\n        if not self.lines:\n            return None\n");
    expect(view).toContain("    def total(self):\n        ...\n");
    expect(view).toContain("def apply_discount(cents, code):\n    ...\n");
  });

  it("calls a file large from 400 lines, or from half the budget once it is over 60 lines", () => {
    expect(isLargeFile(LEDGER, 1_000_000)).toBe(true);
    const short = "x = 1\n".repeat(50);
    expect(isLargeFile(short, 10)).toBe(false);
    expect(isLargeFile("x = 1\n".repeat(100), 1000)).toBe(true);
    expect(isLargeFile("x = 1\n".repeat(100), 10_000)).toBe(false);
  });
});

describe("localise with a large file", () => {
  const texts = new Map([
    ["app.py", "from billing import ledger\n"],
    ["billing/__init__.py", ""],
    ["billing/ledger.py", LEDGER],
    ["tests/test_billing.py", "from billing.ledger import Ledger, invoice_total\n\n\nclass TestInvoice:\n    def test_total(self):\n        assert invoice_total(Ledger('c'), 'NONE') == 0\n"],
  ]);
  const base = { target: "app.py", files: new Set(texts.keys()), read: async (path: string) => texts.get(path), protectedPaths: new Set(["tests/test_billing.py"]) };

  it("gives it a view with the traceback's function in full, and counts the view against the budget", async () => {
    const output = `Traceback (most recent call last):\n  File "/workspace/app.py", line 9, in <module>\n  File "/workspace/billing/ledger.py", line ${lineOf("percent = DISCOUNTS[code]")}, in apply_discount\nKeyError: 'NONE'\n`;
    const shown = await localise({ ...base, output });
    const ledger = shown.find((file) => file.path === "billing/ledger.py")!;
    expect(shown.map((file) => file.path)).toEqual(["app.py", "billing/ledger.py", "billing/__init__.py"]);
    expect(shown[0]!.view).toBeUndefined();
    expect(ledger.view).toContain(APPLY_DISCOUNT);
    expect(ledger.view).not.toContain("threshold = 1700");
    // The whole file (about 3,400 tokens) would not fit 2,000 tokens; its outline does.
    expect((await localise({ ...base, output, budgetTokens: 2000 })).map((file) => file.path)).toContain("billing/ledger.py");
  });

  it("shows in full what a failing test method calls", async () => {
    const shown = await localise({ ...base, output: "", failingTests: ["tests/test_billing.py::TestInvoice::test_total"] });
    const ledger = shown.find((file) => file.path === "billing/ledger.py")!;
    expect(ledger.view).toContain("def invoice_total(ledger, code):\n    gross = ledger.total()\n");
    expect(ledger.view).toContain("def apply_discount(cents, code):\n    ...\n");
  });
});
