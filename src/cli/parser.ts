/**
 * The command line, declared once with yargs. Each command's module stays free of heavy imports so
 * that --help and usage errors answer at once; a command loads its work only when it runs.
 */
import yargs, { type Argv } from "yargs";
import { UsageError } from "../errors.js";
import { batchCommand } from "./commands/batch.js";
import { runCommand } from "./commands/run.js";
import { verifyProofCommand } from "./commands/verifyProof.js";
import { resumeCommand } from "./commands/resume.js";
import { envCommand } from "./commands/env.js";
import { OPSGUARD_VERSION } from "../system/version.js";

/** Repeatable flags that gather their values with a coerce of their own rather than `array: true`. */
const GATHERED = new Set(["docker-host"]);

/** A flag that takes one value, given twice, is a mistake to report (yargs would make it a list). */
function singleValueFlags(parser: Argv) {
  return (argv: Record<string, unknown>): true => {
    // getOptions() is public in yargs 18 but missing from @types/yargs 17.
    const { array, key } = (parser as unknown as { getOptions(): { array: string[]; key: Record<string, unknown> } }).getOptions();
    for (const flag of Object.keys(key)) {
      const value = argv[flag];
      if (!array.includes(flag) && !GATHERED.has(flag) && Array.isArray(value) && value.length > 1) {
        throw new UsageError(`--${flag} was given ${value.length} times (${value.join(", ")}); it takes one value: give it once.`);
      }
    }
    return true;
  };
}

export function buildParser(argv: string[], onFail: (message: string) => never) {
  const parser: Argv = yargs(argv);
  return parser
    .scriptName("opsguard")
    .usage("$0 --repo DIR --error TEXT [options]\n\nRepairs failing Python code and refuses any fix it cannot prove in a Docker sandbox.")
    .command(runCommand)
    .command(batchCommand)
    .command(resumeCommand)
    .command(verifyProofCommand)
    .command(envCommand)
    .example("$0 --repo demo_repo --error ValueError --candidate demo_repo/fixes/app.py", "verify a fix you already have")
    .example("$0 --repo demo_repo --error ValueError --mode pytest", "ask a model for a fix that passes tests/")
    .epilogue("Exit codes: 0 SUCCESS, 1 FAILED, 2 INFRA_STOP, 3 NOT_REPRODUCIBLE, 5 paused for review, 64 usage error, 70 internal error (a bug: please report it).")
    .check(singleValueFlags(parser), true)
    .strict()
    .help()
    .alias("h", "help")
    .version(OPSGUARD_VERSION)
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((message, error) => onFail(error?.message ?? message));
}
