/**
 * The command line, declared once with yargs. Kept free of heavy imports so that --help and usage
 * errors answer at once; the remediation itself is loaded only when it runs.
 */
import yargs, { type Argv } from "yargs";
import { UsageError } from "../tools/errors.js";

export function runOptions(y: Argv) {
  return y
    .option("repo", { type: "string", demandOption: true, describe: "Repository with the failing code (never modified)" })
    .option("error", { type: "string", demandOption: true, describe: "What goes wrong, in words" })
    .option("entry", { type: "string", default: "app.py", describe: "Python file to run, and the file that gets fixed" })
    .option("mode", { choices: ["entry", "pytest"] as const, default: "entry" as const, describe: "Run the entry file, or the tests/ suite" })
    .option("candidate", { type: "string", array: true, default: [] as string[], describe: "A full new version of the entry file, one per fix attempt, instead of asking a model (repeatable)" })
    .option("artifacts", { type: "string", default: "artifacts", describe: "Directory for the reports, the diff and the log" })
    .option("timeout", { type: "number", default: 30, describe: "Wall-clock limit of each sandbox run, in seconds" })
    .option("image", { type: "string", describe: "Sandbox image [default: $OPSGUARD_IMAGE or opsguard-sandbox:py3.11]" })
    .option("max-repro-attempts", { type: "number", default: 2, describe: "Reproduction tries before NOT_REPRODUCIBLE" })
    .option("max-fix-attempts", { type: "number", default: 3, describe: "Fix tries before FAILED" })
    .option("provider", { choices: ["nvidia", "groq", "openai"] as const, describe: "Model provider [default: nvidia, with groq as fallback]" })
    .option("model", { type: "string", describe: "Model name for the provider" })
    .option("base-url", { type: "string", describe: "Base URL of an OpenAI-compatible server (with --provider openai)" })
    .option("fallback", { choices: ["nvidia", "groq", "openai"] as const, describe: "Provider to try when the chosen one fails" })
    .option("json", { type: "boolean", default: false, describe: "Print the final report as JSON on stdout, and nothing else there" })
    .check((argv) => {
      if (!(argv.timeout > 0)) throw new UsageError("--timeout must be a positive number of seconds.");
      for (const flag of ["max-repro-attempts", "max-fix-attempts"] as const) {
        const value = argv[flag];
        if (!Number.isInteger(value) || value < 1) throw new UsageError(`--${flag} must be a whole number of at least 1.`);
      }
      if (argv["base-url"] && argv.provider !== "openai") throw new UsageError("--base-url needs --provider openai.");
      return true;
    });
}

export type RunArgs = Awaited<ReturnType<typeof runOptions>["argv"]>;

export function buildParser(argv: string[], onFail: (message: string) => never) {
  return yargs(argv)
    .scriptName("opsguard")
    .usage("$0 --repo DIR --error TEXT [options]\n\nRepairs failing Python code and refuses any fix it cannot prove in a Docker sandbox.")
    .command("$0", "Reproduce, fix and verify (the default command)", runOptions)
    .example("$0 --repo demo_repo --error ValueError --candidate demo_repo/fixes/app.py", "verify a fix you already have")
    .example("$0 --repo demo_repo --error ValueError --mode pytest", "ask a model for a fix that passes tests/")
    .epilogue("Exit codes: 0 SUCCESS, 1 FAILED, 2 INFRA_STOP, 3 NOT_REPRODUCIBLE, 64 usage error.")
    .strict()
    .help()
    .alias("h", "help")
    .version()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((message, error) => onFail(error?.message ?? message));
}
