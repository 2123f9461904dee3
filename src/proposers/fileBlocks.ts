/**
 * The answer format for a model that may change several files: one block per changed file, the
 * file's repository-relative path alone on a line, then a fenced code block with either the whole
 * new file or SEARCH/REPLACE edits of it (searchReplace.ts; the only way to change a file shown as
 * an outline). Anything else outside the blocks is refused, as prose is for a single file. Pure
 * (the files as they are come through `read`).
 */
import type { ProposedFile } from "./proposer.js";
import { applyEdits, holdsEdits, parseEdits, type SearchReplaceEdit } from "./searchReplace.js";
import { insideRepo } from "../state/runInputs.js";

export type BlocksResult = { ok: true; files: ProposedFile[] } | { ok: false; reason: string };

/** One block of an answer: a whole file, or edits of the file as it is. */
export type FileBlock = { path: string; content: string } | { path: string; edits: SearchReplaceEdit[] };
export type BlocksParse = { ok: true; blocks: FileBlock[] } | { ok: false; reason: string };

const FENCE = /^(`{3,}|~{3,})[\w+-]*\s*$/;

/** Reads the blocks of an answer, without looking at any file. */
export function parseFileBlocks(text: string): BlocksParse {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  const blocks: FileBlock[] = [];
  let i = 0;
  const outside = (line: number) => ({ ok: false as const, reason: `text outside the file blocks at line ${line + 1} (${JSON.stringify(lines[line]!.slice(0, 60))}); answer only with a path line and a fenced block per changed file` });
  while (i < lines.length) {
    const line = lines[i]!.trim();
    if (line === "") {
      i += 1;
      continue;
    }
    // The path line: bare, or as a model likes to write it (`path`, **path**, ### path).
    const named = line.replace(/^#+\s*/, "").replace(/^[`*]+|[`*:]+$/g, "").trim();
    if (!/^[\w./-]+\.py$/.test(named)) return outside(i);
    const path = insideRepo(named);
    if (!path) return { ok: false, reason: `${named} is not a path inside the repository` };
    let open = i + 1;
    while (open < lines.length && lines[open]!.trim() === "") open += 1;
    const fence = FENCE.exec(lines[open] ?? "");
    if (!fence) return { ok: false, reason: `the path line ${path} is not followed by a fenced code block with the whole file or its SEARCH/REPLACE edits` };
    const marker = fence[1]!;
    let close = open + 1;
    while (close < lines.length && !(lines[close]!.startsWith(marker) && lines[close]!.trim() === marker)) close += 1;
    if (close >= lines.length) return { ok: false, reason: `the code block for ${path} is never closed: the answer looks cut off` };
    if (blocks.some((b) => b.path === path)) return { ok: false, reason: `${path} has two blocks; give each file once` };
    const body = lines.slice(open + 1, close).join("\n");
    if (holdsEdits(body)) {
      const edits = parseEdits(body, path);
      if (!edits.ok) return edits;
      blocks.push({ path, edits: edits.edits });
    } else {
      blocks.push({ path, content: body.endsWith("\n") || body === "" ? body : `${body}\n` });
    }
    i = close + 1;
  }
  if (blocks.length === 0) return { ok: false, reason: "the answer has no file block; give the path on a line, then the whole file or its edits in a fenced block" };
  return { ok: true, blocks };
}

/**
 * The whole files a block answer makes. `allowed` are the paths the model was shown and may change;
 * a block may also add a file that does not exist. `outlined` were shown only in part, so they may
 * change by edits only. `read(path)` is the file as it is, or undefined.
 */
export async function filesFromBlocks(
  text: string,
  allowed: readonly string[],
  read: (path: string) => Promise<string | undefined>,
  outlined: readonly string[] = [],
): Promise<BlocksResult> {
  const parsed = parseFileBlocks(text);
  if (!parsed.ok) return parsed;
  const files: ProposedFile[] = [];
  for (const block of parsed.blocks) {
    const current = await read(block.path);
    if (current !== undefined && !allowed.includes(block.path)) {
      return { ok: false, reason: `${block.path} is not one of the files shown (${allowed.join(", ")}); change only those, or add a new file` };
    }
    if ("content" in block) {
      if (outlined.includes(block.path)) return { ok: false, reason: `${block.path} was shown as an outline, so a whole file for it would lose what you did not see; answer it with SEARCH/REPLACE edits` };
      files.push(block);
      continue;
    }
    const applied = applyEdits(current, block.edits, block.path);
    if (!applied.ok) return applied;
    files.push({ path: block.path, content: applied.content });
  }
  return { ok: true, files };
}
