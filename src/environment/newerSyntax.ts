/**
 * A SyntaxError that only means "this Python is too old": the reported line holds a construct of a
 * newer grammar (PEP 695 type aliases and type parameters, Python 3.12). tree-sitter's grammar is
 * the newer one, so it tells the construct apart from a plain typo.
 */
import type { Node } from "web-tree-sitter";
import { parsePython } from "../python/pythonSyntax.js";

export interface SyntaxErrorSite {
  /** The path as the traceback printed it, e.g. /workspace/app.py. */
  path: string;
  line: number;
}

const FILE_LINE = /^(?:E\s+)?\s*File "([^"]+)", line (\d+)/;
const SYNTAX_ERROR = /^(?:E\s+)?\s*SyntaxError\b/;

/** Where the last SyntaxError of the output points (the closest `File "...", line N` above it). */
export function syntaxErrorSite(output: string): SyntaxErrorSite | undefined {
  const lines = output.split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    if (!SYNTAX_ERROR.test(lines[i] ?? "")) continue;
    for (let j = i - 1; j >= 0 && j >= i - 6; j--) {
      const match = FILE_LINE.exec(lines[j] ?? "");
      if (match?.[1] && match[2]) return { path: match[1], line: Number(match[2]) };
    }
    return undefined;
  }
  return undefined;
}

export interface NewerConstruct {
  feature: string;
  /** The first Python version whose grammar accepts it. */
  python: string;
}

const CONSTRUCTS: Record<string, NewerConstruct> = {
  type_alias_statement: { feature: "a PEP 695 type alias (`type X = ...`)", python: "3.12" },
  type_parameter: { feature: "PEP 695 type parameters (`def f[T]()`, `class C[T]`)", python: "3.12" },
};

function constructOnLine(root: Node, line: number): NewerConstruct | undefined {
  for (const node of root.descendantsOfType(Object.keys(CONSTRUCTS))) {
    if (!node || node.hasError) continue;
    const first = node.startPosition.row + 1;
    const last = node.endPosition.row + 1;
    if (line >= first && line <= last) return CONSTRUCTS[node.type];
  }
  return undefined;
}

/** The newer-grammar construct on `line` of `source` (1-based), if there is one. */
export function newerConstructAt(source: string, line: number): Promise<NewerConstruct | undefined> {
  return parsePython(source, (root) => constructOnLine(root, line));
}
