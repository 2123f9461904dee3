/**
 * `--candidate PATH` proposer: attempt N takes the N-th path. A `.diff` or `.patch` file is a unified
 * diff of any number of files; a directory is an overlay of whole files at repository-relative
 * paths; any other file is the whole new content of the file being fixed. It is stateless (the
 * attempt number comes from the request), so a resumed run picks the same path. When the paths run
 * out it returns null and no model is ever asked. A file larger than any fix may be is read only in
 * part; one that is not text is proposed as a refusal.
 */
import { open, readdir, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { UsageError } from "../errors.js";
import type { Proposal, Proposer, ProposedFile } from "./proposer.js";
import type { Clock } from "../system/clock.js";
import { systemClock } from "../system/clock.js";
import { MAX_CANDIDATE_BYTES } from "./proposalIntake.js";
import { decodeSource } from "../python/sourceText.js";

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

export const isDiffFile = (path: string) => /\.(diff|patch)$/i.test(path);

type Change = Pick<Proposal, "content" | "files" | "patch" | "size" | "refusal">;

async function overlay(dir: string, at = dir, files: ProposedFile[] = []): Promise<ProposedFile[] | { refusal: string }> {
  for (const entry of await readdir(at, { withFileTypes: true })) {
    const path = join(at, entry.name);
    if (entry.isDirectory()) {
      const inner = await overlay(dir, path, files);
      if (!Array.isArray(inner)) return inner;
    } else if (entry.isFile()) {
      const read = await readCapped(path);
      if (read.size > MAX_CANDIDATE_BYTES) return { refusal: `the candidate file ${path} is over the limit of ${MAX_CANDIDATE_BYTES} bytes` };
      const decoded = decodeSource(read.bytes);
      if (!decoded.ok) return { refusal: `the candidate file ${path} ${decoded.reason}` };
      files.push({ path: relative(dir, path).split("\\").join("/"), content: decoded.text });
    }
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

async function readCandidate(file: string): Promise<Change> {
  if ((await stat(file)).isDirectory()) {
    const files = await overlay(file);
    return Array.isArray(files) ? { files } : { content: "", refusal: files.refusal };
  }
  const read = await readCapped(file);
  if (isDiffFile(file)) {
    if (read.size > MAX_CANDIDATE_BYTES) return { content: "", refusal: `the diff ${file} is over the limit of ${MAX_CANDIDATE_BYTES} bytes` };
    try {
      return { patch: new TextDecoder("utf-8", { fatal: true }).decode(read.bytes) };
    } catch {
      return { content: "", refusal: `the diff ${file} is not UTF-8 text` };
    }
  }
  if (read.size > read.bytes.length) return { content: read.bytes.toString("latin1"), size: read.size };
  const decoded = decodeSource(read.bytes);
  if (!decoded.ok) return { content: "", refusal: `the candidate ${file} ${decoded.reason}` };
  return { content: decoded.text };
}

export function createCandidateProposer(files: string[], clock: Clock = systemClock): Proposer {
  return {
    async propose(request) {
      const file = files[request.previousAttempts.length];
      if (file === undefined) return null;
      const started = clock.now();
      let change: Change;
      try {
        change = await readCandidate(file);
      } catch (err) {
        throw new UsageError(`Cannot read candidate ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}.`);
      }
      return { ...change, provider: "candidate", model: file, latencyMs: clock.now() - started };
    },
  };
}
