/** The input table: one declaration per run input, and the one mapping the CLI and batch share. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { BATCH_KEYS, RUN_INPUT_SPECS } from "../../src/state/inputTable.js";
import { CLI_NAMES, JOB_LINE_NAMES, toRunInput } from "../../src/state/runInputs.js";
import { OpsGuardInput } from "../../src/state/state.js";
import { JobLine } from "../../src/batch/jobs.js";
import { ROOT } from "../support/built.js";
import { inputOption } from "../../src/cli/options/run.js";
import { RUN_INPUTS } from "../../src/state/inputTable.js";

const base = mkdtempSync(join(tmpdir(), "opsguard-inputs-"));
afterAll(() => rmSync(base, { recursive: true, force: true }));
mkdirSync(join(base, "shop"));
writeFileSync(join(base, "fix.py"), "print('ok')\n");

describe("the table", () => {
  it("gives every state input a flag of its own, and JobLine the batch ones and a name", () => {
    const flags = RUN_INPUT_SPECS.map((s) => s.flag);
    expect(new Set(flags).size).toBe(flags.length);
    expect(RUN_INPUT_SPECS.map((s) => s.key).sort()).toEqual(Object.keys(OpsGuardInput.shape).sort());
    expect(Object.keys(JobLine.shape).sort()).toEqual([...BATCH_KEYS, "name"].sort());
    expect(BATCH_KEYS).not.toContain("artifacts");
  });

  it("has every flag in README's flag table", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const missing = RUN_INPUT_SPECS.map((s) => (s.flag === "install" ? "no-install" : s.flag)).filter((flag) => !readme.includes(`| \`--${flag}`) && !readme.includes(`\`--${flag}\``));
    expect(missing).toEqual([]);
  });

  it("fills the graph's defaults from the same rows", () => {
    const input = OpsGuardInput.parse({ repo: "r", error: "e" });
    expect(input).toMatchObject({ entry: "app.py", mode: "entry", candidates: [], artifacts: "artifacts", timeoutSeconds: 30, maxReproAttempts: 2, maxFixAttempts: 3 });
  });
});

describe("the run command's flags, derived", () => {
  it.each([
    ["candidate", RUN_INPUTS.candidates, { type: "string", array: true, default: [] }],
    ["mode", RUN_INPUTS.mode, { choices: ["entry", "pytest"], default: "entry" }],
    ["repo", RUN_INPUTS.repo, { type: "string", demandOption: true }],
    // The graph fills --entry's default, so that --module next to an explicit --entry can be told apart.
    ["entry", RUN_INPUTS.entry, { type: "string", defaultDescription: "app.py" }],
    ["install", RUN_INPUTS.install, { type: "boolean", defaultDescription: "true" }],
  ])("--%s", (_flag, spec, expected) => {
    const option = inputOption(spec as never);
    expect(option).toMatchObject(expected);
    if (!("default" in expected)) expect(option).not.toHaveProperty("default");
  });
});

describe("toRunInput", () => {
  const given = { repo: "shop", error: "ValueError", candidate: ["fix.py"], timeout: 5, env: ["A=1"], "max-fix-attempts": 2 };

  it("maps a job line and flags to the same input, paths resolved against the caller's directory", async () => {
    const fromBatch = await toRunInput(given, { scope: "batch", base, names: JOB_LINE_NAMES });
    const fromCli = await toRunInput(given, { scope: "cli", base, names: CLI_NAMES });
    expect(fromBatch).toEqual({ repo: join(base, "shop"), error: "ValueError", candidates: [join(base, "fix.py")], timeoutSeconds: 5, env: { A: "1" }, maxFixAttempts: 2 });
    expect(fromCli).toEqual(fromBatch);
  });

  it.each([
    [{ error: "x" }, "--repo is required.", '"repo" is required.'],
    [{ ...given, timeout: 0 }, "--timeout must be a positive number of seconds.", '"timeout" must be a positive number of seconds.'],
    [{ ...given, "base-url": "nope" }, "--base-url nope is not an http(s) URL", "base-url nope is not an http(s) URL"],
    [{ ...given, repo: "fix.py" }, "--repo fix.py is not a directory.", "repo fix.py is not a directory."],
    [{ ...given, module: "m", entry: "a.py" }, "--module and --entry both say what runs", '"module" and "entry" both say what runs'],
  ])("%j: one rule, named the caller's way", async (values, cli, batch) => {
    for (const [names, message] of [[CLI_NAMES, cli], [JOB_LINE_NAMES, batch]] as const) {
      const err = await toRunInput(values, { scope: "cli", base, names }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toContain(message);
    }
  });

  it("leaves out what a job line may not carry", async () => {
    const input = await toRunInput({ ...given, apply: true, review: true, python: "3.13" }, { scope: "batch", base, names: JOB_LINE_NAMES });
    expect(input).not.toHaveProperty("applyFix");
    expect(input).not.toHaveProperty("reviewFix");
    // Every other run input a job line may carry, as the CLI does.
    expect(input).toHaveProperty("python", "3.13");
  });
});
