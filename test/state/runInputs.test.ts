/** The pure checks of what runs (--env, --module) and the masking of --env values. */
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { redactEnvValues } from "../../src/system/redactEnv.js";
import { insideRepo, moduleFiles, parseEnvPairs, runInputProblem } from "../../src/state/runInputs.js";

describe("parseEnvPairs", () => {
  it("splits at the first =, keeps empty values", () => {
    expect(parseEnvPairs(["A=1", "URL=postgres://u:p@h/db?x=y", "EMPTY="])).toEqual({ A: "1", URL: "postgres://u:p@h/db?x=y", EMPTY: "" });
  });
  it.each([["NOVALUE"], ["=x"], ["A-B=1"], ["opsguard_nonce=x"]])("%s is a usage error", (pair) => {
    expect(() => parseEnvPairs([pair])).toThrow(UsageError);
  });
});

describe("runInputProblem", () => {
  it.each([
    [{ mode: "entry" as const, module: "jobs.cli", args: ["-v"] }, undefined],
    [{ mode: "entry" as const, module: "jobs..cli" }, "is not a Python module name"],
    [{ mode: "pytest" as const, args: ["-v"] }, "pytest mode runs the tests"],
    [{ mode: "entry" as const, tests: ["tests"] }, "--tests chooses what pytest mode collects; add --mode pytest."],
    [{ mode: "pytest" as const, tests: ["tests/unit", "mypkg"] }, undefined],
    [{ mode: "entry" as const, env: { OPSGUARD_X: "1" } }, "OPSGUARD_X is reserved"],
  ])("%j", (input, problem) => {
    const found = runInputProblem(input);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });
});

describe("moduleFiles and insideRepo", () => {
  it("tries the package's __main__.py, then the module file", () => {
    expect(moduleFiles("jobs.cli")).toEqual(["jobs/cli/__main__.py", "jobs/cli.py"]);
  });
  it.each([
    ["mypkg/pricing.py", "mypkg/pricing.py"],
    ["./mypkg//pricing.py", "mypkg/pricing.py"],
    ["../outside.py", undefined],
    ["/etc/passwd", undefined],
    ["a/../../b.py", undefined],
  ])("%s", (path, expected) => {
    expect(insideRepo(path)).toBe(expected);
  });
});

describe("redactEnvValues", () => {
  it("masks every value of 4 characters or more, longest first, and leaves short ones", () => {
    const env = { TOKEN: "abcd1234", PREFIX: "abcd", LEVEL: "2" };
    expect(redactEnvValues("token=abcd1234 prefix=abcd level 2", env)).toBe("token=[redacted] prefix=[redacted] level 2");
  });
});
