/**
 * What happens to a proposed file before any gate parses it: an answer that is exactly one fenced
 * code block is unwrapped; an oversized one is refused at once (and kept only as an excerpt, so
 * artifacts and checkpoints stay small whatever comes in); the text must encode back to bytes in
 * the encoding it declares.
 */
import type { FileContent } from "../state/state.js";
import { sha256 } from "../system/hash.js";
import { encodeSource } from "../python/sourceText.js";

/** No fix is larger than this, whatever the original's size. */
export const MAX_CANDIDATE_BYTES = 2 * 1024 * 1024;
/** A fix may grow the file this many times over, plus some room for small originals. */
const GROWTH_FACTOR = 10;
const GROWTH_ROOM = 256 * 1024;
/** What is kept of a refused oversized answer. */
const EXCERPT_CHARS = 2000;

export function candidateLimit(originalBytes: number): number {
  return Math.min(MAX_CANDIDATE_BYTES, Math.max(originalBytes * GROWTH_FACTOR, originalBytes + GROWTH_ROOM));
}

const FENCE_OPEN = /^\s*(`{3,}|~{3,})[\w+.-]*\s*$/;
const FENCE_LINE = /^\s*(`{3,}|~{3,})/;

/**
 * The code inside an answer that is exactly one fenced block (```python ... ```), or the answer
 * unchanged. Prose around the block, or several blocks, are left for gate 3 to refuse.
 */
export function unwrapSoleFence(answer: string): string {
  const lines = answer.replace(/\s+$/, "").split("\n");
  while (lines.length > 0 && lines[0]!.trim() === "") lines.shift();
  if (lines.length < 2) return answer;
  const open = FENCE_OPEN.exec(lines[0]!);
  const last = lines.at(-1)!.trim();
  if (!open || !/^(`{3,}|~{3,})$/.test(last) || last[0] !== open[1]![0] || last.length < open[1]!.length) return answer;
  const inner = lines.slice(1, -1);
  if (inner.some((line) => FENCE_LINE.test(line))) return answer;
  return `${inner.join("\n")}\n`;
}

function megabytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

export type Intake = { ok: true; file: FileContent } | { ok: false; file: FileContent; reason: string };

/**
 * Turns a proposed text for `path` into the file the gates check. `size` is the proposal's real
 * size in bytes when the proposer read only part of it.
 */
export function takeProposal(path: string, originalBytes: number, text: string, size = Buffer.byteLength(text)): Intake {
  const limit = candidateLimit(originalBytes);
  if (size > limit) {
    const excerpt = `${text.slice(0, EXCERPT_CHARS)}\n[... ${megabytes(size)} in all; the rest was not kept ...]\n`;
    return {
      ok: false,
      file: { path, content: excerpt, sha256: sha256(text) },
      reason: `the answer is ${megabytes(size)}, over the limit of ${megabytes(limit)} for ${path} (${megabytes(originalBytes)}); refused before parsing`,
    };
  }
  const content = unwrapSoleFence(text);
  const encoded = encodeSource(content);
  if (!encoded.ok) return { ok: false, file: { path, content, sha256: sha256(content) }, reason: `the answer ${encoded.reason}` };
  return { ok: true, file: { path, content, sha256: sha256(encoded.bytes) } };
}
