/** `opsguard resume THREAD`: continues a killed or paused run from its last completed step. */
import type { Argv, CommandModule } from "yargs";
import { UsageError } from "../../errors.js";
import { type ResumeArgs } from "../options/resume.js";

export const resumeCommand: CommandModule<object, ResumeArgs> = {
  command: "resume <thread>",
  describe: "Continue a run that was killed or paused for review, from its last completed step",
  builder: (y) =>
    y
      .positional("thread", { type: "string", demandOption: true, describe: "The thread id the run printed" })
      .option("artifacts", { type: "string", default: "artifacts", describe: "The run's artifacts directory (where its checkpoints are)" })
      .option("checkpoint", { type: "string", describe: "The run's checkpoint store, if it was not the default" })
      .option("approve", { type: "boolean", default: false, describe: "Approve the fix waiting for review" })
      .option("reject", { type: "boolean", default: false, describe: "Reject the fix waiting for review (the repository stays untouched)" })
      .option("json", { type: "boolean", default: false, describe: "Print the final report as JSON on stdout" })
      .check((argv) => {
        if (argv.approve && argv.reject) throw new UsageError("--approve and --reject exclude each other.");
        return true;
      }) as unknown as Argv<ResumeArgs>,
  handler: async (args) => {
    const { resumeCli } = await import("../resume.js");
    process.exitCode = await resumeCli(args);
  },
};
