/** Resumes a checkpointed thread: rebuilds its workspace if needed, answers a review, runs to the end. */
import { resolve } from "node:path";
import { defaultDeps } from "../graph/defaultDeps.js";
import { patchThread, readThread } from "../graph/remediate.js";
import { rebuildWorkspace } from "../graph/rebuildWorkspace.js";
import { openCheckpointer } from "../graph/checkpointer.js";
import { UsageError } from "../errors.js";
import type { ResumeArgs } from "./options/resume.js";
import { defaultIo, printOutcome, type CliIo } from "./output.js";
import { checkCheckpointSpec, resumeFlags } from "./run.js";
import { reportError } from "./reportError.js";
import { driveThread } from "./session.js";

export async function resumeCli(args: ResumeArgs, io: CliIo = defaultIo): Promise<number> {
  let checkpointer;
  try {
    checkCheckpointSpec(args.checkpoint);
    checkpointer = await openCheckpointer(args.checkpoint, resolve(args.artifacts));
    const deps = defaultDeps();
    const saved = await readThread(checkpointer.saver, args.thread, deps);
    if (!saved) throw new UsageError(`No run with thread ${args.thread} in ${checkpointer.where}. Pass the run's --artifacts (or --checkpoint).`);
    if (saved.next.length === 0) {
      io.stderr.write(`[opsguard] thread ${args.thread} already finished.\n`);
      return printOutcome(saved.state, args.json, io);
    }
    if ((args.approve || args.reject) && !saved.pendingReview) {
      throw new UsageError(`Thread ${args.thread} is not waiting for a review; resume it without --approve/--reject.`);
    }
    const workspace = await rebuildWorkspace(saved.state, deps);
    if (workspace) {
      io.stderr.write(`[opsguard] rebuilt the workspace from ${saved.state.repo} and the recorded fix (hashes checked)\n`);
      await patchThread(checkpointer.saver, args.thread, { workspace }, deps);
    }
    io.stderr.write(`[opsguard] resuming thread ${args.thread} before ${saved.next.join(", ")}\n`);
    const start = args.approve ? { review: "approve" as const } : args.reject ? { review: "reject" as const } : null;
    const options = { deps, checkpointer, threadId: args.thread, resumeFlags: resumeFlags(args.artifacts, args.checkpoint), json: args.json };
    return await driveThread(start, options, io);
  } catch (err) {
    return reportError(err, io);
  } finally {
    await checkpointer?.close();
  }
}
