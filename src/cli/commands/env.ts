/** `opsguard env --repo DIR`: builds (or finds) the repository's environment image and prints it, so CI can build it ahead. */
import type { Argv, CommandModule } from "yargs";
import { type EnvArgs } from "../options/env.js";

export const envCommand: CommandModule<object, EnvArgs> = {
  command: "env",
  describe: "Build (or find) the environment image of a repository's declared dependencies and print its name",
  builder: (y) =>
    y
      .option("repo", { type: "string", demandOption: true, describe: "The repository whose dependencies to install" })
      .option("image", { type: "string", describe: "Base sandbox image [default: $OPSGUARD_IMAGE or opsguard-sandbox:py3.11]" })
      .option("requirements", { type: "string", array: true, default: [] as string[], describe: "A requirements file to install instead of the requirements*.txt found (repeatable)" })
      .option("install", { type: "boolean", default: true, describe: "--no-install: print the base image without installing anything" }) as unknown as Argv<EnvArgs>,
  handler: async (args) => {
    const { runEnv } = await import("../env.js");
    process.exitCode = await runEnv(args);
  },
};
