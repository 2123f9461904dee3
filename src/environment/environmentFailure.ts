/**
 * Failures of the sandbox's environment, not of the code: a module that is neither in the
 * repository nor in the standard library, syntax only a newer Python accepts, a missing pytest
 * plugin, a slow suite cut off by the wall-clock limit. No code change can fix these honestly (a
 * "fix" could only hide them), so the run stops before any model is asked, with the exact remedy.
 * Pure: the facts about the repository are gathered by the caller.
 */
import type { InfraCode } from "../errors.js";
import type { DeclaredRequirement } from "./dependencyFiles.js";
import { distributionFor, provides } from "./distributionNames.js";
import type { NewerSyntax } from "./newerPython.js";
import { missingPytestPlugins } from "./pytestPlugins.js";
import type { SandboxResult } from "../sandbox/sandboxResult.js";
import { slowSuite } from "./slowSuite.js";
import { isStdlibModule } from "./stdlibModules.js";

export type EnvironmentFailureCode = Extract<InfraCode, "MISSING_MODULE" | "NEWER_PYTHON" | "MISSING_PYTEST_PLUGIN" | "SLOW_SUITE">;

export interface EnvironmentFailure {
  code: EnvironmentFailureCode;
  /** What the sandbox lacks, in one sentence. */
  reason: string;
  /** What the user must do, with the exact flag or requirement. */
  remedy: string;
}

export interface EnvironmentFacts {
  /** Import names the repository provides itself (see repoModules.ts). */
  repoModules: ReadonlySet<string>;
  declared: readonly DeclaredRequirement[];
  /** Set when the reproduction's SyntaxError is in a file a newer Python accepts (see newerPython.ts). */
  newerSyntax?: NewerSyntax;
  /** What happened to the declared dependencies: installed into an environment image, skipped (--no-install), or none declared. */
  install?: "installed" | "skipped" | "none";
  /** The run's wall-clock limit and pytest's per-test limit, in ms. */
  timeoutMs: number;
  testTimeoutMs: number;
}

const MISSING_MODULE = /^(?:E\s+)?ModuleNotFoundError: No module named '([\w.]+)'/gm;

/** Top-level names of modules the output says are missing, in order, each once. */
export function missingModules(output: string): string[] {
  const names = [...output.matchAll(MISSING_MODULE)].map((m) => (m[1] ?? "").split(".")[0] ?? "");
  return [...new Set(names.filter(Boolean))];
}

function missingModule(output: string, facts: EnvironmentFacts): EnvironmentFailure | undefined {
  const module = missingModules(output).find((name) => !facts.repoModules.has(name) && !isStdlibModule(name));
  if (!module) return undefined;
  const distribution = distributionFor(module);
  const declared = facts.declared.find((d) => provides(d.name, module));
  const reason = `No module named '${module}': it is neither in the repository nor in Python's standard library, so the sandbox lacks a dependency (this is not a code bug).`;
  const remedy = !declared
    ? `Add ${distribution} to requirements.txt (OpsGuard installs declared dependencies into an environment image), or pass --image with an image that has it.`
    : facts.install === "skipped"
      ? `${declared.requirement} is declared in ${declared.where} but --no-install skipped the installation: run without --no-install, or pass --image with an image that has ${distribution}.`
      : facts.install === "installed"
        ? `${declared.requirement} is declared in ${declared.where} and was installed, yet '${module}' does not import: check that ${declared.requirement} provides it, or pass --image with an image that has ${distribution}.`
        : `${declared.requirement} is declared in ${declared.where} but is not installed in the sandbox image: pass --image with an image that has ${distribution}.`;
  return { code: "MISSING_MODULE", reason, remedy };
}

function newerPython(facts: EnvironmentFacts): EnvironmentFailure | undefined {
  const found = facts.newerSyntax;
  if (!found) return undefined;
  const { construct, compiledBy } = found;
  const checked = compiledBy ? `${compiledBy.image} (Python ${compiledBy.python}) compiles the file` : undefined;
  const reason = construct
    ? `${found.file}:${found.line} uses ${construct.feature}, which the sandbox's Python rejects as a SyntaxError; Python ${construct.python} and later accept it${checked ? ` (${checked})` : ""}.`
    : `${found.file}:${found.line} is a SyntaxError for the sandbox's Python, but ${checked}: the code is written for a newer Python.`;
  return {
    code: "NEWER_PYTHON",
    reason,
    remedy: `Pass --python ${found.python} (or --image with a Python ${construct?.python ?? found.python}+ image).`,
  };
}

function missingPlugin(output: string): EnvironmentFailure | undefined {
  const plugins = missingPytestPlugins(output);
  if (plugins.length === 0) return undefined;
  const names = plugins.map((p) => p.plugin);
  return {
    code: "MISSING_PYTEST_PLUGIN",
    reason: `Tests were skipped or errored because pytest lacks ${names.join(", ")} (${plugins.map((p) => p.evidence).join("; ")}).`,
    remedy: `Add ${names.join(" and ")} to requirements.txt (or requirements-dev.txt; OpsGuard installs declared dependencies into an environment image), or pass --image with an image that has ${names.length > 1 ? "them" : "it"}.`,
  };
}

function slowTests(result: SandboxResult, facts: EnvironmentFacts): EnvironmentFailure | undefined {
  const slow = slowSuite(result, facts.timeoutMs, facts.testTimeoutMs);
  if (!slow) return undefined;
  const total = slow.collected ? ` of ${slow.collected}` : "";
  return {
    code: "SLOW_SUITE",
    reason: `The test run reached the ${facts.timeoutMs / 1000} s limit while tests were still finishing (${slow.completed}${total} done, the last ${((result.quietMs ?? 0) / 1000).toFixed(1)} s before the end): a slow suite, not a hang.`,
    remedy: `Pass --timeout ${slow.suggestedSeconds} (or more).`,
  };
}

/** The environment failure a reproduction shows, if any. */
export function diagnoseEnvironment(mode: "entry" | "pytest", result: SandboxResult, facts: EnvironmentFacts): EnvironmentFailure | undefined {
  const output = `${result.stdout}\n${result.stderr}`;
  return (
    missingModule(output, facts) ??
    newerPython(facts) ??
    (mode === "pytest" ? (missingPlugin(output) ?? slowTests(result, facts)) : undefined)
  );
}
