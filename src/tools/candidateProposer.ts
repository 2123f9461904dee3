/**
 * `--candidate FILE` proposer: attempt N takes the N-th file as the full new content of the file
 * being fixed. It is stateless (the attempt number comes from the request), so a resumed run picks
 * the same file. When the files run out it returns null and no model is ever asked.
 */
import { readFile } from "node:fs/promises";
import { UsageError } from "./errors.js";
import type { Proposer } from "./proposer.js";
import type { Clock } from "./clock.js";
import { systemClock } from "./clock.js";

export function createCandidateProposer(files: string[], clock: Clock = systemClock): Proposer {
  return {
    async propose(request) {
      const file = files[request.previousAttempts.length];
      if (file === undefined) return null;
      const started = clock.now();
      let content: string;
      try {
        content = await readFile(file, "utf8");
      } catch (err) {
        throw new UsageError(`Cannot read candidate ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}.`);
      }
      return { content, provider: "candidate", model: file, latencyMs: clock.now() - started };
    },
  };
}
