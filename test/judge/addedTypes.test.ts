import { describe, expect, it } from "vitest";
import { addedTypeIn } from "../../src/judge/addedTypes.js";

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
