/**
 * `--candidate FILE` proposer: attempt N takes the N-th file as the full new content of the file
 * being fixed. It is stateless (the attempt number comes from the request), so a resumed run picks
 * the same file. When the files run out it returns null and no model is ever asked. A file larger
 * than any fix may be is read only in part; one that is not text is proposed as a refusal.
 */
import { open } from "node:fs/promises";
import { UsageError } from "./errors.js";
import type { Proposer } from "./proposer.js";
import type { Clock } from "./clock.js";
import { systemClock } from "./clock.js";
import { MAX_CANDIDATE_BYTES } from "./proposalIntake.js";
import { decodeSource } from "./sourceText.js";

async function readCapped(file: string): Promise<{ bytes: Buffer; size: number }> {
  const handle = await open(file, "r");
  try {
    const { size } = await handle.stat();
    const bytes = Buffer.alloc(Math.min(size, MAX_CANDIDATE_BYTES + 1));
    const { bytesRead } = await handle.read(bytes, 0, bytes.length, 0);
    return { bytes: bytes.subarray(0, bytesRead), size };
  } finally {
    await handle.close();
  }
}

export function createCandidateProposer(files: string[], clock: Clock = systemClock): Proposer {
  return {
    async propose(request) {
      const file = files[request.previousAttempts.length];
      if (file === undefined) return null;
      const started = clock.now();
      let read: { bytes: Buffer; size: number };
      try {
        read = await readCapped(file);
      } catch (err) {
        throw new UsageError(`Cannot read candidate ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}.`);
      }
      const base = { provider: "candidate", model: file, latencyMs: clock.now() - started };
      if (read.size > read.bytes.length) return { ...base, content: read.bytes.toString("latin1"), size: read.size };
      const decoded = decodeSource(read.bytes);
      if (!decoded.ok) return { ...base, content: "", refusal: `the candidate ${file} ${decoded.reason}` };
      return { ...base, content: decoded.text };
    },
  };
}
