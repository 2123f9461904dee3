/** The default command: reproduce, fix, verify. Declares its flags; the work is loaded on use. */
import type { Argv, CommandModule } from "yargs";
import { runOptions, type RunArgs } from "../options/run.js";

export const runCommand: CommandModule<object, RunArgs> = {
  command: "$0",
  describe: "Reproduce the failure, take a fix, verify it in the sandbox (the default command)",
  builder: (y) => runOptions(y) as unknown as Argv<RunArgs>,
  handler: async (args) => {
    const { runCli } = await import("../run.js");
    process.exitCode = await runCli(args);
  },
};
