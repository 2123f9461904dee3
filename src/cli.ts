#!/usr/bin/env node
/** The `opsguard` command: parse, dispatch to a command, exit with its code. */
import { existsSync } from "node:fs";
import { hideBin } from "yargs/helpers";
import { buildParser } from "./cli/parser.js";
import { EXIT } from "./exitCodes.js";

function usageError(message: string): never {
  process.stderr.write(`opsguard: ${message}\nRun \`opsguard --help\` for the flags.\n`);
  process.exit(EXIT.USAGE);
}

if (existsSync(".env")) process.loadEnvFile(".env");

await buildParser(hideBin(process.argv), usageError).parseAsync();
