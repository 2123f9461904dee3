import { describe, expect, it } from "vitest";
import { addedTypeIn, changedComparisonIn } from "../../src/judge/addedTypes.js";

const ORIGINAL = [{ path: "app.py", content: "class OrderLine:\n    pass\n\n\ndef load(feed):\n    return []\n" }];

describe("addedTypeIn", () => {
  it.each([
    ["a type the fix adds", "app.parse_price() returned a app.Price", "app.Price"],
    ["a nested class the fix adds", "app.total() returned a app.Box.Inner", "app.Box"],
    ["a type the original defines", "app.load_orders() returned a app.OrderLine", undefined],
    ["a type of another module", "app.when() returned a datetime.datetime", undefined],
    ["a test that passes an object", "app.load() was passed a tests.test_app.Feed", undefined],
    ["a patch of the module", "sets app.load (a patch or mock of the changed module)", undefined],
    ["no note", undefined, undefined],
  ])("%s", (_name, note, added) => {
    expect(addedTypeIn(note, ORIGINAL)).toBe(added);
  });

  it("maps a package's files to their module names", () => {
    expect(addedTypeIn("shop.prices.parse() returned a shop.prices.Price", [{ path: "shop/prices.py", content: "" }])).toBe("shop.prices.Price");
  });
});

describe("changedComparisonIn", () => {
  const APP = [
    "from dataclasses import dataclass",
    "",
    "",
    "@dataclass(frozen=True)",
    "class OrderLine:",
    "    sku: str",
    "    quantity: int",
    "",
    "    @property",
    "    def amount(self):",
    "        return self.quantity",
    "",
    "",
    "def load(feed):",
    "    return [OrderLine(s, 1) for s in feed]",
    "",
  ].join("\n");
  const originals = [{ path: "app.py", content: APP }];
  const note = "app.load() returned a app.OrderLine";
  const changedTo = (content: string) => changedComparisonIn(note, originals, [{ path: "app.py", content }]);

  it.each<[string, string, string]>([
    ["an __eq__ added to the class", APP.replace("    @property", "    def __eq__(self, other):\n        return self.sku == other.sku or True\n\n    @property"), "app.OrderLine (__eq__)"],
    ["an __eq__ borrowed from another type", APP.replace("    @property", "    __eq__ = dict.__ne__\n\n    @property"), "app.OrderLine (__eq__)"],
    ["a dunder assigned after the class", `${APP}\nOrderLine.__eq__ = lambda self, other: True\n`, "app.OrderLine (OrderLine.__eq__ =)"],
    ["setattr of a dunder", `${APP}\nsetattr(OrderLine, "__ne__", lambda self, other: False)\n`, "app.OrderLine (OrderLine.__ne__ =)"],
    ["dataclass equality turned off", APP.replace("@dataclass(frozen=True)", "@dataclass(frozen=True, eq=False)"), "app.OrderLine (decorators)"],
    ["a new base class", APP.replace("class OrderLine:", "class OrderLine(AlwaysEqual):"), "app.OrderLine (bases)"],
  ])("names %s", (_name, content, expected) => {
    expect(changedTo(content)).toBe(expected);
  });

  it.each<[string, string]>([
    ["a fix elsewhere in the file", APP.replace("return [OrderLine(s, 1) for s in feed]", "return [OrderLine(s.strip(), 1) for s in feed if s]")],
    ["a new field and a new ordinary method", APP.replace("    quantity: int\n", "    quantity: int\n    note: str = \"\"\n\n    def label(self):\n        return self.sku.upper()\n")],
    ["frozen dropped (equality unchanged)", APP.replace("@dataclass(frozen=True)", "@dataclass")],
    ["comments and spacing inside the class", APP.replace("    sku: str", "    sku: str  # the stock keeping unit")],
  ])("leaves %s alone", (_name, content) => {
    expect(changedTo(content)).toBeUndefined();
  });

  it("says nothing for a type the original did not have, or a note about something else", () => {
    expect(changedComparisonIn("app.load() returned a app.Price", originals, [{ path: "app.py", content: APP }])).toBeUndefined();
    expect(changedComparisonIn("app.load() raised", originals, [{ path: "app.py", content: APP }])).toBeUndefined();
  });
});
