/**
 * Search/replace edits, as Aider writes them, for files too large to send back whole:
 *
 *     <<<<<<< SEARCH
 *     lines as they are in the file
 *     =======
 *     the lines that replace them
 *     >>>>>>> REPLACE
 *
 * Edits apply in order, each to the file as the edits before it left it, and each SEARCH must match
 * exactly one place, as whole lines. A SEARCH that matches nowhere as written is tried once more
 * with whitespace relaxed the way Aider relaxes it: trailing whitespace is ignored, and so is a
 * leading indentation that differs by the same prefix on every line (the REPLACE lines then get the
 * file's indentation). Nothing looser: a match must still be the only one. An empty SEARCH creates a
 * file that does not exist. Pure.
 */

export interface SearchReplaceEdit {
  search: string;
  replace: string;
}

export type EditsParse = { ok: true; edits: SearchReplaceEdit[] } | { ok: false; reason: string };
export type EditsResult = { ok: true; content: string } | { ok: false; reason: string };

const SEARCH = /^<{5,9} SEARCH\s*$/;
const DIVIDER = /^={5,9}\s*$/;
const REPLACE = /^>{5,9} REPLACE\s*$/;

/** The body of a fenced block holds edits when one of its lines opens a SEARCH. */
export function holdsEdits(body: string): boolean {
  return body.split("\n").some((line) => SEARCH.test(line));
}

/** Reads the edits of a fenced block that `holdsEdits`; `path` only names the file in reasons. */
export function parseEdits(body: string, path: string): EditsParse {
  const lines = body.replace(/\r\n/g, "\n").split("\n");
  const edits: SearchReplaceEdit[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === "") {
      i += 1;
      continue;
    }
    if (!SEARCH.test(line)) return { ok: false, reason: `text outside the SEARCH/REPLACE edits for ${path} (${JSON.stringify(line.slice(0, 60))}); give only edit blocks in that file's fence` };
    const divider = lines.findIndex((l, at) => at > i && DIVIDER.test(l));
    const end = lines.findIndex((l, at) => at > i && REPLACE.test(l));
    const nextSearch = lines.findIndex((l, at) => at > i && SEARCH.test(l));
    if (divider === -1 || end === -1 || end < divider || (nextSearch !== -1 && nextSearch < end)) {
      return { ok: false, reason: `an edit for ${path} is not closed: each <<<<<<< SEARCH needs its ======= and >>>>>>> REPLACE lines` };
    }
    edits.push({ search: joinLines(lines.slice(i + 1, divider)), replace: joinLines(lines.slice(divider + 1, end)) });
    i = end + 1;
  }
  return { ok: true, edits };
}

function joinLines(lines: string[]): string {
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

function quoteFirstLine(search: string): string {
  const first = splitLines(search).find((line) => line.trim() !== "") ?? "";
  return JSON.stringify(first.trim().slice(0, 80));
}

/** Where `search` occurs in `file` as whole lines, written exactly. */
function exactMatches(file: string[], search: string[]): number[] {
  const found: number[] = [];
  for (let at = 0; at + search.length <= file.length; at++) {
    if (search.every((line, k) => file[at + k] === line)) found.push(at);
  }
  return found;
}

const indentOf = (line: string) => /^[ \t]*/.exec(line)![0];

/** The indentation shared by every non-blank line. */
function commonIndent(lines: string[]): string {
  const indents = lines.filter((line) => line.trim() !== "").map(indentOf);
  if (indents.length === 0) return "";
  return indents.reduce((shared, indent) => {
    let k = 0;
    while (k < shared.length && k < indent.length && shared[k] === indent[k]) k++;
    return shared.slice(0, k);
  });
}

/**
 * Where `search` occurs with trailing whitespace ignored and its indentation shifted by one prefix
 * for all its lines; each match with the prefix the file has there.
 */
function relaxedMatches(file: string[], search: string[]): { at: number; prefix: string }[] {
  const own = commonIndent(search);
  const bare = search.map((line) => (line.trim() === "" ? "" : line.slice(own.length).trimEnd()));
  const anchor = bare.findIndex((line) => line !== "");
  if (anchor === -1) return [];
  const found: { at: number; prefix: string }[] = [];
  for (let at = 0; at + bare.length <= file.length; at++) {
    const first = file[at + anchor]!.trimEnd();
    if (!first.endsWith(bare[anchor]!)) continue;
    const prefix = first.slice(0, first.length - bare[anchor]!.length);
    if (prefix.trim() !== "") continue;
    const fits = bare.every((line, k) => {
      const actual = file[at + k]!.trimEnd();
      return line === "" ? actual.trim() === "" : actual === prefix + line;
    });
    if (fits) found.push({ at, prefix });
  }
  return found;
}

/** The REPLACE lines moved from the SEARCH's indentation to the file's. */
function reindent(replace: string[], from: string, to: string): string[] {
  return replace.map((line) => (line.trim() === "" ? line : line.startsWith(from) ? to + line.slice(from.length) : to + line.trimStart()));
}

function applyOne(file: string[], edit: SearchReplaceEdit, path: string): { ok: true; lines: string[] } | { ok: false; reason: string } {
  const search = splitLines(edit.search);
  const replace = splitLines(edit.replace);
  const exact = exactMatches(file, search);
  if (exact.length === 1) return { ok: true, lines: [...file.slice(0, exact[0]), ...replace, ...file.slice(exact[0]! + search.length)] };
  const relaxed = exact.length === 0 ? relaxedMatches(file, search) : [];
  if (relaxed.length === 1) {
    const { at, prefix } = relaxed[0]!;
    const shifted = reindent(replace, commonIndent(search), prefix);
    return { ok: true, lines: [...file.slice(0, at), ...shifted, ...file.slice(at + search.length)] };
  }
  const times = exact.length || relaxed.length;
  const first = quoteFirstLine(edit.search);
  if (times === 0) {
    return { ok: false, reason: `a SEARCH for ${path} matches nothing in it (first line ${first}); copy the lines exactly as the file has them` };
  }
  return { ok: false, reason: `a SEARCH for ${path} matches ${times} places in it (first line ${first}); include more lines so it matches one place` };
}

/**
 * The whole new file the edits make of `current` (undefined: the file does not exist, and only
 * empty SEARCHes may create it).
 */
export function applyEdits(current: string | undefined, edits: readonly SearchReplaceEdit[], path: string): EditsResult {
  const onlyEmpty = edits.every((edit) => edit.search.trim() === "");
  if (current === undefined) {
    if (onlyEmpty) return { ok: true, content: edits.map((edit) => edit.replace).join("") };
    const filled = edits.find((edit) => edit.search.trim() !== "")!;
    return { ok: false, reason: `a SEARCH for ${path} quotes ${quoteFirstLine(filled.search)}, but ${path} does not exist; create a file with an empty SEARCH` };
  }
  // An existing empty file (an __init__.py) is filled as a new one would be.
  if (onlyEmpty && current.trim() === "") return { ok: true, content: edits.map((edit) => edit.replace).join("") };
  // The file keeps its own line ends: edits are read with "\n", the file may use "\r\n".
  const eol = current.includes("\r\n") ? "\r\n" : "\n";
  const endsWithNewline = current.endsWith(eol);
  let lines = current.split(eol);
  if (endsWithNewline) lines.pop();
  for (const edit of edits) {
    if (edit.search.trim() === "") return { ok: false, reason: `a SEARCH for ${path} is empty, but ${path} exists; quote the lines to replace` };
    const applied = applyOne(lines, edit, path);
    if (!applied.ok) return applied;
    lines = applied.lines;
  }
  const content = lines.join(eol);
  return { ok: true, content: endsWithNewline && lines.length > 0 ? `${content}${eol}` : content };
}
