/** `opsguard env --repo DIR`: builds (or finds) the repository's environment image and prints it, so CI can build it ahead. */
import type { Argv, CommandModule } from "yargs";
import { type EnvArgs } from "../options/env.js";
import { inputOption } from "../options/run.js";
import { RUN_INPUTS } from "../../state/inputTable.js";

export const envCommand: CommandModule<object, EnvArgs> = {
  command: "env",
  describe: "Build (or find) the environment image of a repository's declared dependencies and print its name",
  builder: (y) =>
    y
      // The run's own inputs (state/inputTable.ts), with what they mean for this command.
      .option("repo", { ...inputOption(RUN_INPUTS.repo), describe: "The repository whose dependencies to install" })
      .option("image", { ...inputOption(RUN_INPUTS.image), describe: "Base sandbox image" })
      .option("requirements", { ...inputOption(RUN_INPUTS.requirements), default: [] as string[] })
      .option("install", { ...inputOption(RUN_INPUTS.install), default: true, describe: "--no-install: print the base image without installing anything" }) as unknown as Argv<EnvArgs>,
  handler: async (args) => {
    const { runEnv } = await import("../env.js");
    process.exitCode = await runEnv(args);
  },
};
