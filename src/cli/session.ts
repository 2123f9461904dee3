/**
 * Drives one checkpointed thread from the CLI: runs it, asks a person at a review pause when there
 * is a terminal (or prints how to answer later), and prints the outcome.
 */
import { createInterface } from "node:readline/promises";
import type { GraphDeps } from "../nodes/deps.js";
import { runThread, type ThreadResult } from "../graph/remediate.js";
import type { OpsGuardInput } from "../state/state.js";
import type { ReviewAnswer } from "../nodes/review.js";
import type { OpenCheckpointer } from "../graph/checkpointer.js";
import { EXIT } from "../exitCodes.js";
import { printOutcome, progressLine, resumeHint, reviewView, type CliIo } from "./output.js";

export interface SessionOptions {
  deps: GraphDeps;
  checkpointer: OpenCheckpointer;
  threadId: string;
  /** Extra flags the resume command needs (e.g. " --artifacts out"). */
  resumeFlags: string;
  json: boolean;
}

async function ask(io: CliIo, question: string): Promise<ReviewAnswer> {
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  try {
    const answer = (await rl.question(`${question} [y/N] `)).trim().toLowerCase();
    return answer === "y" || answer === "yes" ? "approve" : "reject";
  } finally {
    rl.close();
  }
}

export async function driveThread(start: OpsGuardInput | null | { review: ReviewAnswer }, options: SessionOptions, io: CliIo): Promise<number> {
  const run = (next: typeof start) =>
    runThread(next, {
      deps: options.deps,
      checkpointer: options.checkpointer.saver,
      threadId: options.threadId,
      onNode: (event) => io.stderr.write(progressLine(event)),
    });
  let result: ThreadResult = await run(start);
  while (result.pendingReview) {
    io.stderr.write(reviewView(result.pendingReview));
    if (!io.stdin.isTTY) {
      // Nobody to ask: stop at the pause. The workspace is rebuilt from the repository on resume.
      if (result.state.workspace) await options.deps.workspaces.remove(result.state.workspace);
      const hint = resumeHint(options.threadId, options.resumeFlags);
      io.stderr.write(`Paused for review. Approve: ${hint} --approve\nReject:  ${hint} --reject\n`);
      return EXIT.PAUSED;
    }
    result = await run({ review: await ask(io, result.pendingReview.question) });
  }
  return printOutcome(result.state, options.json, io);
}
