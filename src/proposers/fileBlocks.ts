/**
 * The answer format for a model that may change several files: one block per changed file, the
 * file's repository-relative path alone on a line, then a fenced code block with the whole new file.
 * Anything else outside the blocks is refused, as prose is for a single file. Pure.
 */
import type { ProposedFile } from "./proposer.js";

export type BlocksResult = { ok: true; files: ProposedFile[] } | { ok: false; reason: string };

const FENCE = /^(`{3,}|~{3,})[\w+-]*\s*$/;

/** Parses a block answer; `allowed` are the paths the model was shown and may change. */
export function parseFileBlocks(text: string, allowed: readonly string[]): BlocksResult {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  const files: ProposedFile[] = [];
  let i = 0;
  const outside = (line: number) => ({ ok: false as const, reason: `text outside the file blocks at line ${line + 1} (${JSON.stringify(lines[line]!.slice(0, 60))}); answer only with a path line and a fenced block per changed file` });
  while (i < lines.length) {
    const line = lines[i]!.trim();
    if (line === "") {
      i += 1;
      continue;
    }
    // The path line: bare, or as a model likes to write it (`path`, **path**, ### path).
    const path = line.replace(/^#+\s*/, "").replace(/^[`*]+|[`*:]+$/g, "").trim();
    if (!/^[\w./-]+\.py$/.test(path)) return outside(i);
    let open = i + 1;
    while (open < lines.length && lines[open]!.trim() === "") open += 1;
    const fence = FENCE.exec(lines[open] ?? "");
    if (!fence) return { ok: false, reason: `the path line ${path} is not followed by a fenced code block with the whole file` };
    const marker = fence[1]!;
    let close = open + 1;
    while (close < lines.length && !(lines[close]!.startsWith(marker) && lines[close]!.trim() === marker)) close += 1;
    if (close >= lines.length) return { ok: false, reason: `the code block for ${path} is never closed: the answer looks cut off` };
    if (!allowed.includes(path)) return { ok: false, reason: `${path} is not one of the files shown (${allowed.join(", ")}); change only those` };
    if (files.some((f) => f.path === path)) return { ok: false, reason: `${path} has two blocks; give each file once` };
    const body = lines.slice(open + 1, close).join("\n");
    files.push({ path, content: body.endsWith("\n") || body === "" ? body : `${body}\n` });
    i = close + 1;
  }
  if (files.length === 0) return { ok: false, reason: "the answer has no file block; give the path on a line, then the whole file in a fenced block" };
  return { ok: true, files };
}
