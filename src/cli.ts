#!/usr/bin/env node
/** The `opsguard` command: parse, run, print, exit. */
import { existsSync } from "node:fs";
import { hideBin } from "yargs/helpers";
import { buildParser, type RunArgs } from "./cli/args.js";
import { EXIT } from "./cli/exitCodes.js";

function usageError(message: string): never {
  process.stderr.write(`opsguard: ${message}\nRun \`opsguard --help\` for the flags.\n`);
  process.exit(EXIT.USAGE);
}

if (existsSync(".env")) process.loadEnvFile(".env");

const args = (await buildParser(hideBin(process.argv), usageError).parseAsync()) as unknown as RunArgs;
const { runCli } = await import("./cli/run.js");
process.exitCode = await runCli(args);
