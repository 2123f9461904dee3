/**
 * What the user runs, checked: `--env KEY=VALUE` pairs, environment names OpsGuard reserves for
 * itself, and module names with the files `python -m NAME` would run. Pure.
 */
import { UsageError } from "../errors.js";

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
