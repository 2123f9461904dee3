import { describe, expect, it } from "vitest";
import { accountTests } from "../../src/judge/testAccounting.js";
import type { TestOutcome } from "../../src/state/state.js";

const before: Record<string, TestOutcome> = { "t::bug": "failed", "t::crash": "error", "t::ok": "passed", "t::skip": "skipped", "t::xf": "xfailed" };

describe("accountTests", () => {
  it.each([
    ["every fail-to-pass passes, nothing broke", { "t::bug": "passed", "t::crash": "passed", "t::ok": "passed", "t::skip": "skipped", "t::xf": "xfailed" }, true, []],
    ["a fail-to-pass test is skipped after", { "t::bug": "skipped", "t::crash": "passed", "t::ok": "passed" }, false, ["fail-to-pass t::bug is skipped after the fix"]],
    ["a fail-to-pass test is xfailed after", { "t::bug": "xfailed", "t::crash": "passed", "t::ok": "passed" }, false, ["fail-to-pass t::bug is xfailed after the fix"]],
    ["a fail-to-pass test went missing", { "t::crash": "passed", "t::ok": "passed" }, false, ["fail-to-pass t::bug is missing after the fix"]],
    ["a pass-to-pass test broke", { "t::bug": "passed", "t::crash": "passed", "t::ok": "error" }, false, ["pass-to-pass t::ok broke: error after the fix"]],
    ["neutral tests may do anything", { "t::bug": "passed", "t::crash": "passed", "t::ok": "passed", "t::skip": "failed" }, true, []],
  ] as const)("%s", (_name, after, proven, problems) => {
    const result = accountTests(before, after as Record<string, TestOutcome>);
    expect(result.proven).toBe(proven);
    expect(result.problems).toEqual(problems);
    expect(result.neutral).toEqual(["t::skip", "t::xf"]);
  });

  it("nothing failing before proves nothing", () => {
    expect(accountTests({ "t::ok": "passed" }, { "t::ok": "passed" }).problems).toEqual(["no test failed on the original code, so nothing proves the fix"]);
  });
});

describe("accountTests: tests the original never reached", () => {
  it("must pass after the fix", () => {
    const result = accountTests({ "t::hung": "failed", "t::later": "missing" }, { "t::hung": "passed", "t::later": "failed" });
    expect(result.unobserved).toEqual({ "t::later": { before: "missing", after: "failed" } });
    expect(result.problems).toEqual(["t::later never ran on the original and is failed after the fix"]);
  });
});
