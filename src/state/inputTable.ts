/**
 * A run's inputs, each declared once: its state key (a field of OpsGuardInput, which Studio's form
 * shows), its CLI flag, whether a batch job line may carry it (under the flag's name), its Zod
 * schema with its default, its text and the rule a given value breaks. Derived from it: OpsGuardInput
 * (state.ts), the run command's flags (cli/options/run.ts), JobLine (batch/jobs.ts), and the one
 * mapping of given values to an input, `toRunInput` (runInputs.ts), which the CLI and batch share.
 * An input whose schema is a list is repeatable: the flag given again, a JSON list in a job line.
 *
 * Not run inputs, so not here: the run command's --json and --checkpoint (cli/options/run.ts), the
 * batch command's own flags (cli/options/batch.ts) and a job line's "name" (batch/jobs.ts).
 */
import { z } from "zod";

export const Mode = z.enum(["entry", "pytest"]);
export type Mode = z.infer<typeof Mode>;

export const ProviderName = z.enum(["nvidia", "groq", "openai"]);
export type ProviderName = z.infer<typeof ProviderName>;

/** Where a given path must point; every given path is resolved against the caller's directory. */
export type PathKind = "directory" | "file" | "file or directory" | "any";

interface Meta {
  /** The CLI's long flag; a job line's key too, when `batch` is set. */
  flag: string;
  /** A job line may carry it (the batch command sets `artifacts` itself, and the rest are the CLI's). */
  batch: boolean;
  /** Help text and Studio's field description. */
  describe: string;
  /** What --help shows as the default when the default is not the whole story. */
  shownDefault?: string;
  /** The value is a path (or a list of paths): resolved, and checked to be this kind of thing. */
  path?: PathKind;
  /** What the user gives differs from the state's field (`--env KEY=VALUE` pairs become a record). */
  given?: Kind;
  /** The CLI leaves the default to the graph, so that giving the flag can be told from not giving it. */
  graphDefault?: boolean;
  /** Set on every mapped input even when not given (to its default): candidates [] says "ask a model". */
  always?: boolean;
}

/** A kind of value and the rule a given value of it breaks, said after the flag's name. */
interface Kind<T extends z.ZodType = z.ZodType> {
  schema: T;
  /** `--timeout must be a positive number of seconds`. */
  rule: string;
  /** The rule's message names the value: `--python 3 must be a version like 3.13`. */
  showValue?: boolean;
}

const kind = <T extends z.ZodType>(schema: T, rule: string, showValue = false): Kind<T> => ({ schema, rule, showValue });

export interface RunInputSpec<S extends z.ZodType = z.ZodType> extends Omit<Meta, "given"> {
  /** The field of OpsGuardInput, described. */
  schema: S;
  /** What a given value is checked against (`given`, else the field without its default), and its rule. */
  value: z.ZodType;
  rule: string;
  showValue: boolean;
  required: boolean;
  default?: unknown;
}

function spec<T extends z.ZodType, S extends z.ZodType>(value: Kind<T>, schema: S, meta: Meta, isRequired: boolean) {
  const given = meta.given ?? value;
  return { ...meta, schema: schema.describe(meta.describe), value: given.schema, rule: given.rule, showValue: given.showValue ?? false, required: isRequired };
}
const required = <T extends z.ZodType>(value: Kind<T>, meta: Meta): RunInputSpec<T> => spec(value, value.schema, meta, true);
const optional = <T extends z.ZodType>(value: Kind<T>, meta: Meta): RunInputSpec<z.ZodOptional<T>> => spec(value, value.schema.optional(), meta, false);
const withDefault = <T extends z.ZodType, D extends z.util.NoUndefined<z.output<T>>>(value: Kind<T>, fallback: D, meta: Meta): RunInputSpec<z.ZodDefault<T>> & { default: D } => ({
  ...spec(value, value.schema.default(fallback), meta, false),
  default: fallback,
});

const text = (what: string) => kind(z.string().min(1), `must be ${what}`);
const paths = (what: string) => kind(z.array(z.string().min(1)), `must be a list of ${what}`);
const seconds = kind(z.number().positive(), "must be a positive number of seconds");
const wholeAtLeastOne = kind(z.number().int().min(1), "must be a whole number of at least 1");
const yesNo = kind(z.boolean(), "must be true or false");
const provider = kind(ProviderName, `must be one of ${ProviderName.options.join(", ")}`);

function isHttpUrl(text: string): boolean {
  try {
    return ["http:", "https:"].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

/** In --help order. The keys are OpsGuardInput's. */
export const RUN_INPUTS = {
  repo: required(text("a path to the repository"), { flag: "repo", batch: true, path: "directory", describe: "Repository with the failing code (never modified without --apply)" }),
  error: required(kind(z.string().min(1).refine((s) => s.trim() !== ""), "is empty: describe what goes wrong, e.g. --error ValueError"), { flag: "error", batch: true, describe: "What goes wrong, in words (it goes into the model's prompt)" }),
  entry: withDefault(text("a file name"), "app.py", { flag: "entry", batch: true, graphDefault: true, describe: "Python file to run from the repository root (the root is on sys.path), and by default the file that gets fixed" }),
  module: optional(text("a module name"), { flag: "module", batch: true, describe: "Run `python -m MODULE` instead of an entry file (a package's __main__.py, relative imports work)" }),
  args: optional(kind(z.array(z.string()), "must be a list of strings"), { flag: "arg", batch: true, describe: "An argument for the entry file or module (repeatable, in order)" }),
  env: optional(kind(z.record(z.string(), z.string()), "must be a map of names to strings"), { flag: "env", batch: true, given: kind(z.array(z.string()), "must be a list of KEY=VALUE strings"), describe: "Set in the environment of every sandbox run (--env KEY=VALUE, repeatable); the values are masked in all output, logs and reports" }),
  tests: optional(paths("paths"), { flag: "tests", batch: true, shownDefault: "what the repository's pytest configuration says", describe: "Pytest mode: a path or node id pytest collects from (repeatable)" }),
  target: optional(text("a file path"), { flag: "target", batch: true, shownDefault: "the entry file, or the module's file", describe: "The file that gets fixed" }),
  mode: withDefault(kind(Mode, "must be entry or pytest"), "entry", { flag: "mode", batch: true, describe: "Run the entry file (or module), or the tests pytest collects" }),
  candidates: withDefault(paths("file paths"), [], { flag: "candidate", batch: true, path: "file or directory", always: true, describe: "A fix to try instead of asking a model, one per attempt (repeatable): the whole new target file, a .diff/.patch of any number of files, or a directory of whole files at repository paths" }),
  artifacts: withDefault(kind(z.string(), "must be a directory path"), "artifacts", { flag: "artifacts", batch: false, path: "any", describe: "Directory for the reports, the diff and the log" }),
  timeoutSeconds: withDefault(seconds, 30, { flag: "timeout", batch: true, describe: "Wall-clock limit of each sandbox run, in seconds" }),
  testTimeoutSeconds: withDefault(seconds, 10, { flag: "test-timeout", batch: true, describe: "Time limit of each test in pytest mode, in seconds" }),
  requireSealed: optional(yesNo, { flag: "require-sealed", batch: true, shownDefault: "false", describe: "Pytest mode: refuse a fix unless every fail-to-pass test was proven sealed (tests and fix in separate processes)" }),
  applyFix: withDefault(yesNo, false, { flag: "apply", batch: false, describe: "Write the proven fix into the repository (atomically, only if the files there are unchanged)" }),
  reviewFix: withDefault(yesNo, false, { flag: "review", batch: false, describe: "Pause for a person to approve or reject a proven fix (before --apply writes it)" }),
  image: optional(text("an image name"), { flag: "image", batch: true, shownDefault: "$OPSGUARD_IMAGE or opsguard-sandbox:py3.11", describe: "Sandbox image" }),
  contextTokens: optional(wholeAtLeastOne, { flag: "context-tokens", batch: true, shownDefault: "12000", describe: "Token budget of the files a model is shown besides the target, chosen from what the failure points at" }),
  python: optional(kind(z.string().regex(/^\d+\.\d+$/), "must be a version like 3.13", true), { flag: "python", batch: true, shownDefault: "requires-python, else the image's", describe: "Python version of the sandbox, e.g. 3.13 (the image's family tagged py3.13)" }),
  requirements: optional(paths("file paths"), { flag: "requirements", batch: true, path: "file", describe: "A requirements file to install instead of the requirements*.txt found (repeatable)" }),
  install: optional(yesNo, { flag: "install", batch: true, shownDefault: "true", describe: "Install the repository's declared dependencies into an environment image (--no-install: skip)" }),
  maxReproAttempts: withDefault(wholeAtLeastOne, 2, { flag: "max-repro-attempts", batch: true, describe: "Reproduction tries before NOT_REPRODUCIBLE" }),
  maxFixAttempts: withDefault(wholeAtLeastOne, 3, { flag: "max-fix-attempts", batch: true, describe: "Fix tries before FAILED" }),
  maxTokens: optional(wholeAtLeastOne, { flag: "max-tokens", batch: true, describe: "Token budget of the whole run: prompt and completion of every model call; the run ends FAILED before a call would exceed it" }),
  provider: optional(provider, { flag: "provider", batch: true, shownDefault: "nvidia, with groq as fallback", describe: "Model provider" }),
  model: optional(text("a model name"), { flag: "model", batch: true, describe: "Model name for the provider" }),
  baseUrl: optional(kind(z.string().refine(isHttpUrl), "is not an http(s) URL: pass one like http://127.0.0.1:8000/v1", true), { flag: "base-url", batch: true, describe: "Base URL of an OpenAI-compatible server (implies --provider openai when none is given)" }),
  fallback: optional(provider, { flag: "fallback", batch: true, describe: "Provider to try when the chosen one fails" }),
};

export type RunInputKey = keyof typeof RUN_INPUTS;

/** OpsGuardInput's shape: each input's schema under its state key. */
export const runInputShape = Object.fromEntries(Object.entries(RUN_INPUTS).map(([key, spec]) => [key, spec.schema])) as {
  [K in RunInputKey]: (typeof RUN_INPUTS)[K]["schema"];
};

export const RUN_INPUT_SPECS: readonly (RunInputSpec & { key: RunInputKey })[] = Object.entries(RUN_INPUTS).map(([key, spec]) => ({
  ...(spec as RunInputSpec),
  key: key as RunInputKey,
}));

/** The keys a batch job line may carry besides its name, in --help order. */
export const BATCH_KEYS = RUN_INPUT_SPECS.filter((spec) => spec.batch).map((spec) => spec.flag);
