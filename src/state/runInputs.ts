/**
 * What the user runs, checked: `--env KEY=VALUE` pairs, environment names OpsGuard reserves for
 * itself, module names with the files `python -m NAME` would run, and the one mapping of given
 * values (flags or a job line) to a run's input. Pure but for `toRunInput` finding the given paths.
 */
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { UsageError } from "../errors.js";
import { RUN_INPUT_SPECS, RUN_INPUTS, type PathKind, type RunInputSpec } from "./inputTable.js";
import type { OpsGuardInput } from "./state.js";

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MODULE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** Why an environment name cannot be set by the user, or undefined when it can. */
export function envNameProblem(name: string): string | undefined {
  if (!ENV_NAME.test(name)) return `${JSON.stringify(name)} is not a valid environment variable name (letters, digits and _, not starting with a digit)`;
  // The runners' nonce and settings travel in OPSGUARD_*: a user value there would corrupt the evidence.
  if (name.toUpperCase().startsWith("OPSGUARD_")) return `${name} is reserved: OpsGuard's own runners use the OPSGUARD_ prefix`;
  return undefined;
}

/** `["KEY=VALUE", ...]` -> `{KEY: VALUE}`; the value may be empty and may contain "=". */
export function parseEnvPairs(pairs: readonly string[], flag = "--env"): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new UsageError(`${flag} ${JSON.stringify(pair.split("=")[0] ?? pair)} must have the form KEY=VALUE.`);
    const name = pair.slice(0, at);
    const problem = envNameProblem(name);
    if (problem) throw new UsageError(`${flag}: ${problem}.`);
    env[name] = pair.slice(at + 1);
  }
  return env;
}

/** The first problem with a whole environment map (for library and Studio callers), or undefined. */
export function envProblem(env: Record<string, string>): string | undefined {
  for (const name of Object.keys(env)) {
    const problem = envNameProblem(name);
    if (problem) return problem;
  }
  return undefined;
}

export function isModuleName(name: string): boolean {
  return MODULE_NAME.test(name);
}

/** The repository-relative files `python -m NAME` may run, in the order Python tries them. */
export function moduleFiles(name: string): string[] {
  const path = name.split(".").join("/");
  return [`${path}/__main__.py`, `${path}.py`];
}

/** What a run's inputs combine wrongly, or undefined. Shared by the CLI (exit 64) and setup (FAILED). */
export function runInputProblem(input: { mode: "entry" | "pytest"; module?: string | undefined; args?: readonly string[]; tests?: readonly string[] | undefined; env?: Record<string, string> }): string | undefined {
  if (input.module !== undefined && !isModuleName(input.module)) {
    return `--module ${JSON.stringify(input.module)} is not a Python module name (like jobrunner or mypkg.cli).`;
  }
  if (input.mode === "entry" && (input.tests?.length ?? 0) > 0) return "--tests chooses what pytest mode collects; add --mode pytest.";
  if (input.mode === "pytest" && (input.module !== undefined || (input.args?.length ?? 0) > 0)) {
    return "--module and --arg choose what entry mode runs; pytest mode runs the tests (point it with --tests PATH).";
  }
  const envIssue = envProblem(input.env ?? {});
  return envIssue ? `--env: ${envIssue}.` : undefined;
}

/** A repository-relative path, or undefined when the path leaves the repository. */
export function insideRepo(path: string): string | undefined {
  const parts = path.replaceAll("\\", "/").split("/").filter((p) => p !== "" && p !== ".");
  if (path.startsWith("/") || parts.length === 0 || parts.includes("..")) return undefined;
  return parts.join("/");
}

/** How a caller names a flag in its messages: the CLI says `--timeout`, a jobs file `"timeout"`. */
export interface FlagNames {
  /** The flag alone: `--timeout` or `"timeout"`. */
  key(flag: string): string;
  /** The flag followed by its value: `--repo DIR` or `repo DIR`. */
  withValue(flag: string, value: string): string;
}

export const CLI_NAMES: FlagNames = { key: (flag) => `--${flag}`, withValue: (flag, value) => `--${flag} ${value}` };
export const JOB_LINE_NAMES: FlagNames = { key: (flag) => `"${flag}"`, withValue: (flag, value) => `${flag} ${value}` };

export interface RunInputContext {
  /** Which inputs the caller may give: a job line carries only the batch ones. */
  scope: "cli" | "batch";
  /** The directory given paths are relative to: the working directory, or the jobs file's. */
  base: string;
  names: FlagNames;
  /** What is at a path (a seam for tests; the file system by default). */
  kindOf?: (path: string) => Promise<"file" | "directory" | "other" | undefined>;
}

async function statKind(path: string): Promise<"file" | "directory" | "other" | undefined> {
  const found = await stat(path).catch(() => undefined);
  return found === undefined ? undefined : found.isFile() ? "file" : found.isDirectory() ? "directory" : "other";
}

const NOT_THERE: Record<Exclude<PathKind, "any">, string> = {
  directory: "is not a directory",
  file: "is not a file",
  "file or directory": "is not a file. Give the whole new file, a .diff/.patch, or a directory of whole files",
};

/** A given path, resolved against the caller's directory and checked to be what its input needs. */
export async function checkedPath(spec: RunInputSpec, given: string, context: Pick<RunInputContext, "base" | "names" | "kindOf">): Promise<string> {
  const path = resolve(context.base, given);
  const kind = spec.path ?? "any";
  if (kind === "any") return path;
  const found = await (context.kindOf ?? statKind)(path);
  const fits = kind === "file or directory" ? found === "file" || found === "directory" : found === kind;
  if (!fits) throw new UsageError(`${context.names.withValue(spec.flag, given)} ${NOT_THERE[kind]}.`);
  return path;
}

/** The problem with one given value, or undefined: the table's rule, named the caller's way. */
export function givenValueProblem(spec: RunInputSpec, value: unknown, names: FlagNames): string | undefined {
  if (spec.value.safeParse(value).success) return undefined;
  return `${spec.showValue ? names.withValue(spec.flag, String(value)) : names.key(spec.flag)} ${spec.rule}.`;
}

/**
 * Given values keyed by flag name (parsed flags, or a job line) -> the run's input, checked: each
 * value against its rule, paths resolved and found, the inputs against each other. What is not
 * given stays out, so the graph's defaults (OpsGuardInput) apply. Throws a UsageError naming the
 * flag the caller's way. The one mapping the CLI and batch share.
 */
export async function toRunInput(given: Readonly<Record<string, unknown>>, context: RunInputContext): Promise<OpsGuardInput> {
  const { names } = context;
  const input: Record<string, unknown> = {};
  for (const spec of RUN_INPUT_SPECS) {
    if (context.scope === "batch" && !spec.batch) continue;
    const value = given[spec.flag] ?? (spec.always ? spec.default : undefined);
    if (value === undefined) {
      if (spec.required) throw new UsageError(`${names.key(spec.flag)} is required.`);
      continue;
    }
    const problem = givenValueProblem(spec, value, names);
    if (problem) throw new UsageError(problem);
    if (spec.key === "env") input.env = parseEnvPairs(value as string[], names.key(spec.flag));
    else if (spec.path === undefined) input[spec.key] = value;
    else if (Array.isArray(value)) input[spec.key] = await Promise.all(value.map((path: string) => checkedPath(spec, path, context)));
    else input[spec.key] = await checkedPath(spec, value as string, context);
  }
  const run = input as OpsGuardInput;
  if (run.module !== undefined && given[RUN_INPUTS.entry.flag] !== undefined) {
    throw new UsageError(`${names.key("module")} and ${names.key("entry")} both say what runs: give one of them (${names.key("target")} chooses the file to fix).`);
  }
  const mode = run.mode ?? RUN_INPUTS.mode.default;
  if (run.requireSealed && mode !== "pytest") throw new UsageError(`${names.key("require-sealed")} needs ${names.key("mode")} pytest: only a test suite can be run sealed.`);
  const problem = runInputProblem({ mode, module: run.module, args: run.args ?? [], tests: run.tests, env: run.env ?? {} });
  if (problem) throw new UsageError(problem);
  return run;
}
