/** Full-file fixes become auditable unified diffs; no line numbers from a model are ever trusted. */
import { createTwoFilesPatch, diffLines } from "diff";
import { encodeLine, encodingOf } from "../python/sourceText.js";

/** A unified diff with a/ and b/ prefixes, which `git apply` accepts from the repository root. */
export function unifiedDiff(path: string, before: string, after: string): string {
  const patch = createTwoFilesPatch(`a/${path}`, `b/${path}`, before, after, undefined, undefined, { context: 3 });
  // The leading "====" separator line is for humans; git apply wants the patch to start at "---".
  return patch.replace(/^=+\n/, "");
}

/**
 * The bytes of a one-file diff made by unifiedDiff, so that `git apply` reproduces the fix byte for
 * byte: context and removed lines in the original's encoding, added lines in the fix's, headers as
 * UTF-8 (git's own choice for paths).
 */
export function patchBytes(diff: string, before: string, after: string): Buffer {
  const encodings = { before: encodingOf(before), after: encodingOf(after) };
  let inHunk = false;
  const parts = diff.split(/(?<=\n)/).map((line) => {
    if (line.startsWith("@@")) inHunk = true;
    if (!inHunk || line.startsWith("@@") || line.startsWith("\\")) return Buffer.from(line, "utf8");
    return encodeLine(line, line.startsWith("+") ? encodings.after : encodings.before);
  });
  return Buffer.concat(parts);
}

/** A file added by a fix: git apply creates it from a diff against /dev/null. */
export function addedFileDiff(path: string, content: string): string {
  const patch = createTwoFilesPatch("/dev/null", `b/${path}`, "", content, undefined, undefined, { context: 3 });
  return patch.replace(/^=+\n/, "");
}

export interface FileChange {
  path: string;
  /** The content before, or null when the fix adds the file. */
  before: string | null;
  after: string;
}

const fileDiff = (c: FileChange) => (c.before === null ? addedFileDiff(c.path, c.after) : unifiedDiff(c.path, c.before, c.after));

/** One multi-file diff that `git apply` accepts from the repository root. */
export function changeSetDiff(changes: readonly FileChange[]): string {
  return changes.map(fileDiff).join("");
}

/** The bytes of changeSetDiff, each file's lines in its own encoding (see patchBytes). */
export function changeSetBytes(changes: readonly FileChange[]): Buffer {
  return Buffer.concat(changes.map((c) => patchBytes(fileDiff(c), c.before ?? "", c.after)));
}

export interface DiffSummary {
  linesAdded: number;
  linesRemoved: number;
}

export function diffSummary(before: string, after: string): DiffSummary {
  let linesAdded = 0;
  let linesRemoved = 0;
  for (const part of diffLines(before, after)) {
    if (part.added) linesAdded += part.count ?? 0;
    if (part.removed) linesRemoved += part.count ?? 0;
  }
  return { linesAdded, linesRemoved };
}

/** A readable change list: each changed hunk as "removed" and "added" lines with their line numbers. */
export function changeList(before: string, after: string): string[] {
  const lines: string[] = [];
  let oldLine = 1;
  let newLine = 1;
  for (const part of diffLines(before, after)) {
    const partLines = part.value.replace(/\n$/, "").split("\n");
    if (part.removed) {
      partLines.forEach((text, i) => lines.push(`- line ${oldLine + i}: ${text}`));
      oldLine += part.count ?? partLines.length;
    } else if (part.added) {
      partLines.forEach((text, i) => lines.push(`+ line ${newLine + i}: ${text}`));
      newLine += part.count ?? partLines.length;
    } else {
      oldLine += part.count ?? partLines.length;
      newLine += part.count ?? partLines.length;
    }
  }
  return lines;
}
