/** The `run` command's flags and their parsed type, shared by its declaration and its work. */
import type { Argv } from "yargs";
import { UsageError } from "../../errors.js";

export function runOptions(y: Argv) {
  return y
    .option("repo", { type: "string", demandOption: true, describe: "Repository with the failing code (never modified)" })
    .option("error", { type: "string", demandOption: true, describe: "What goes wrong, in words" })
    .option("entry", { type: "string", describe: "Python file to run from the repository root (the root is on sys.path), and by default the file that gets fixed [default: app.py]" })
    .option("module", { type: "string", describe: "Run `python -m MODULE` instead of an entry file (a package's __main__.py, relative imports work)" })
    .option("arg", { type: "string", array: true, default: [] as string[], describe: "An argument for the entry file or module (repeatable, in order)" })
    .option("env", { type: "string", array: true, default: [] as string[], describe: "KEY=VALUE in the environment of every sandbox run (repeatable); values are masked in all output, logs and reports" })
    .option("tests", { type: "string", array: true, default: [] as string[], describe: "Pytest mode: a path or node id pytest collects from (repeatable) [default: what the repository's pytest configuration says]" })
    .option("target", { type: "string", describe: "The file that gets fixed [default: the entry file, or the module's file]" })
    .option("mode", { choices: ["entry", "pytest"] as const, default: "entry" as const, describe: "Run the entry file (or module), or the tests pytest collects" })
    .option("candidate", { type: "string", array: true, default: [] as string[], describe: "A fix to try instead of asking a model, one per attempt (repeatable): the whole new target file, a .diff/.patch of any number of files, or a directory of whole files at repository paths" })
    .option("artifacts", { type: "string", default: "artifacts", describe: "Directory for the reports, the diff and the log" })
    .option("timeout", { type: "number", default: 30, describe: "Wall-clock limit of each sandbox run, in seconds" })
    .option("test-timeout", { type: "number", default: 10, describe: "Time limit of each test in pytest mode, in seconds" })
    .option("require-sealed", { type: "boolean", default: false, describe: "Pytest mode: refuse a fix unless every fail-to-pass test was proven sealed (tests and fix in separate processes)" })
    .option("apply", { type: "boolean", default: false, describe: "Write the proven fix into the repository (only if the file there is unchanged)" })
    .option("review", { type: "boolean", default: false, describe: "Pause for a person to approve or reject a proven fix (before --apply writes it)" })
    .option("checkpoint", { type: "string", describe: "Checkpoint store: a SQLite file, or postgres://... [default: ARTIFACTS/checkpoints.sqlite]" })
    .option("image", { type: "string", describe: "Sandbox image [default: $OPSGUARD_IMAGE or opsguard-sandbox:py3.11]" })
    .option("context-tokens", { type: "number", describe: "Token budget of the files a model is shown besides the target, chosen from what the failure points at [default: 12000]" })
    .option("python", { type: "string", describe: "Python version of the sandbox, e.g. 3.13 (the image's family tagged py3.13) [default: requires-python, else the image's]" })
    .option("requirements", { type: "string", array: true, default: [] as string[], describe: "A requirements file to install instead of the requirements*.txt found (repeatable)" })
    .option("install", { type: "boolean", default: true, describe: "Install the repository's declared dependencies into an environment image (--no-install: skip)" })
    .option("max-repro-attempts", { type: "number", default: 2, describe: "Reproduction tries before NOT_REPRODUCIBLE" })
    .option("max-fix-attempts", { type: "number", default: 3, describe: "Fix tries before FAILED" })
    .option("max-tokens", { type: "number", describe: "Token budget of the whole run: prompt and completion of every model call; the run ends FAILED before a call would exceed it" })
    .option("provider", { choices: ["nvidia", "groq", "openai"] as const, describe: "Model provider [default: nvidia, with groq as fallback]" })
    .option("model", { type: "string", describe: "Model name for the provider" })
    .option("base-url", { type: "string", describe: "Base URL of an OpenAI-compatible server (implies --provider openai when none is given)" })
    .option("fallback", { choices: ["nvidia", "groq", "openai"] as const, describe: "Provider to try when the chosen one fails" })
    .option("json", { type: "boolean", default: false, describe: "Print the final report as JSON on stdout, and nothing else there" })
    .check((argv) => {
      if (!(argv.timeout > 0)) throw new UsageError("--timeout must be a positive number of seconds.");
      if (!(argv["test-timeout"] > 0)) throw new UsageError("--test-timeout must be a positive number of seconds.");
      if (argv["require-sealed"] && argv.mode !== "pytest") {
        throw new UsageError("--require-sealed needs --mode pytest: only a test suite can be run sealed.");
      }
      const tokens = argv["max-tokens"];
      if (tokens !== undefined && !(Number.isInteger(tokens) && tokens >= 1)) throw new UsageError("--max-tokens must be a whole number of at least 1.");
      const budget = argv["context-tokens"];
      if (budget !== undefined && !(Number.isInteger(budget) && budget >= 1)) throw new UsageError("--context-tokens must be a whole number of at least 1.");
      if (argv.python !== undefined && !/^\d+\.\d+$/.test(argv.python)) throw new UsageError(`--python ${argv.python} must be a version like 3.13.`);
      for (const flag of ["max-repro-attempts", "max-fix-attempts"] as const) {
        const value = argv[flag];
        if (!Number.isInteger(value) || value < 1) throw new UsageError(`--${flag} must be a whole number of at least 1.`);
      }
      return true;
    });
}

export type RunArgs = Awaited<ReturnType<typeof runOptions>["argv"]>;
