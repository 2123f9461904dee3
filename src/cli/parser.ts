/**
 * The command line, declared once with yargs. Each command's module stays free of heavy imports so
 * that --help and usage errors answer at once; a command loads its work only when it runs.
 */
import yargs from "yargs";
import { batchCommand } from "./commands/batch.js";
import { runCommand } from "./commands/run.js";
import { verifyProofCommand } from "./commands/verifyProof.js";
import { resumeCommand } from "./commands/resume.js";
import { OPSGUARD_VERSION } from "../tools/version.js";

export function buildParser(argv: string[], onFail: (message: string) => never) {
  return yargs(argv)
    .scriptName("opsguard")
    .usage("$0 --repo DIR --error TEXT [options]\n\nRepairs failing Python code and refuses any fix it cannot prove in a Docker sandbox.")
    .command(runCommand)
    .command(batchCommand)
    .command(resumeCommand)
    .command(verifyProofCommand)
    .example("$0 --repo demo_repo --error ValueError --candidate demo_repo/fixes/app.py", "verify a fix you already have")
    .example("$0 --repo demo_repo --error ValueError --mode pytest", "ask a model for a fix that passes tests/")
    .epilogue("Exit codes: 0 SUCCESS, 1 FAILED, 2 INFRA_STOP, 3 NOT_REPRODUCIBLE, 64 usage error.")
    .strict()
    .help()
    .alias("h", "help")
    .version(OPSGUARD_VERSION)
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((message, error) => onFail(error?.message ?? message));
}
