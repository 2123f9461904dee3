/** `opsguard verify-proof DIR --repo REPO`: re-checks a proof bundle in a fresh sandbox. */

interface VerifyProofArgs {
  dir: string;
  repo: string;
  env: string[];
}
import type { Argv, CommandModule } from "yargs";
import {  } from "../options/verifyProof.js";

export const verifyProofCommand: CommandModule<object, VerifyProofArgs> = {
  command: "verify-proof <dir>",
  describe: "Re-check a SUCCESS's proof bundle: hashes, then the evidence in a fresh sandbox (exit 0 only if it holds)",
  builder: (y) =>
    y
      .positional("dir", { type: "string", demandOption: true, describe: "The artifacts directory holding proof.json" })
      .option("repo", { type: "string", demandOption: true, describe: "The repository the proof is about" })
      .option("env", { type: "string", array: true, default: [] as string[], describe: "KEY=VALUE the run had with --env (the bundle keeps only the names)" }) as unknown as Argv<VerifyProofArgs>,
  handler: async (args) => {
    const { runVerifyProof } = await import("../verifyProof.js");
    process.exitCode = await runVerifyProof(args.dir, args.repo, args.env);
  },
};
