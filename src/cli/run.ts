/** The default command: turns flags into the graph's input and drives a new checkpointed thread. */
import { reportError } from "./reportError.js";
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { defaultDeps } from "../graph/defaultDeps.js";
import type { OpsGuardInput } from "../state/state.js";
import { openCheckpointer, redactUrl } from "../graph/checkpointer.js";
import { UsageError } from "../errors.js";
import { ensureWritableDir } from "../workspace/writableDir.js";
import { CLI_NAMES, toRunInput } from "../state/runInputs.js";
import type { RunArgs } from "./options/run.js";
import { defaultIo, resumeHint, type CliIo } from "./output.js";
import { driveThread } from "./session.js";

/** The flags -> the graph's input, through the mapping batch uses too; then what only the CLI checks. */
export async function checkInput(args: RunArgs): Promise<OpsGuardInput> {
  checkCheckpointSpec(args.checkpoint);
  const input = await toRunInput(args, { scope: "cli", base: process.cwd(), names: CLI_NAMES });
  await ensureWritableDir(input.artifacts!, "--artifacts");
  return input;
}

/** A checkpoint store is a SQLite file path or a postgres:// URL; any other URL is a mistake. */
export function checkCheckpointSpec(spec: string | undefined): void {
  if (spec !== undefined && /^[a-z][a-z0-9+.-]*:\/\//i.test(spec) && !/^postgres(ql)?:\/\//i.test(spec)) {
    throw new UsageError(`--checkpoint ${redactUrl(spec)} is neither a SQLite file path nor a postgres:// URL: pass one of those.`);
  }
}

/** The flags `opsguard resume` needs to find the same checkpoints again (a password is shown as ***). */
export function resumeFlags(artifacts: string, checkpoint: string | undefined): string {
  return `${artifacts === "artifacts" ? "" : ` --artifacts ${artifacts}`}${checkpoint ? ` --checkpoint ${redactUrl(checkpoint)}` : ""}`;
}

export async function runCli(args: RunArgs, io: CliIo = defaultIo): Promise<number> {
  let checkpointer;
  try {
    const input = await checkInput(args);
    checkpointer = await openCheckpointer(args.checkpoint, resolve(args.artifacts));
    const threadId = randomBytes(6).toString("hex");
    const flags = resumeFlags(args.artifacts, args.checkpoint);
    io.stderr.write(`[opsguard] thread ${threadId} (if interrupted: ${resumeHint(threadId, flags)})\n`);
    return await driveThread(input, { deps: defaultDeps(), checkpointer, threadId, resumeFlags: flags, json: args.json }, io);
  } catch (err) {
    return reportError(err, io);
  } finally {
    await checkpointer?.close();
  }
}
