/**
 * The grammar table for a SyntaxError that only means "this Python is too old": the reported line
 * holds a construct of a newer grammar, PEP 695 type aliases and type parameters and PEP 701
 * f-strings (Python 3.12), PEP 696 type parameter defaults (3.13). tree-sitter's grammar is the
 * newer one, so it tells the construct apart from a plain typo. It names the construct in the
 * message; whether a newer Python really accepts the file is asked of that Python first
 * (newerPython.ts), and this table decides alone only when no newer image is present.
 */
import type { Node } from "web-tree-sitter";
import { parsePython } from "../python/pythonSyntax.js";

export interface SyntaxErrorSite {
  /** The path as the traceback printed it, e.g. /workspace/app.py. */
  path: string;
  line: number;
}

// A compile error's frame ends at the line number; a frame of running code goes on (", in f").
const FILE_LINE = /^(?:E\s+)?\s*File "([^"]+)", line (\d+)(.*)$/;
const SYNTAX_ERROR = /^(?:E\s+)?\s*SyntaxError\b/;

/**
 * Where the last SyntaxError of the output points, when it is a compile error: the closest
 * `File "...", line N` above it. A SyntaxError that running code raised (`raise SyntaxError`) has
 * none, so it is never blamed on the Python.
 */
export function syntaxErrorSite(output: string): SyntaxErrorSite | undefined {
  const lines = output.split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    if (!SYNTAX_ERROR.test(lines[i] ?? "")) continue;
    for (let j = i - 1; j >= 0 && j >= i - 6; j--) {
      const match = FILE_LINE.exec(lines[j] ?? "");
      if (!match?.[1] || !match[2]) continue;
      return match[3]?.trim() ? undefined : { path: match[1], line: Number(match[2]) };
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

const PEP_695_ALIAS: NewerConstruct = { feature: "a PEP 695 type alias (`type X = ...`)", python: "3.12" };
const PEP_695_PARAMETERS: NewerConstruct = { feature: "PEP 695 type parameters (`def f[T]()`, `class C[T]`)", python: "3.12" };
const PEP_696_DEFAULTS: NewerConstruct = { feature: "a PEP 696 type parameter default (`def f[T = int]()`)", python: "3.13" };
const PEP_701_FSTRING: NewerConstruct = {
  feature: "a PEP 701 f-string (its expression reuses the string's quotes, or holds a backslash or a comment)",
  python: "3.12",
};

/** The quotes of a string node: `"`, `'`, `"""` or `'''`, without the prefix (f, rb ...). */
function delimiter(string: Node): string {
  return (string.firstChild?.text ?? "").replace(/^[A-Za-z]+/, "");
}

/** What Python 3.11 forbids inside an f-string's replacement field and 3.12 allows. */
function isPep701(interpolation: Node): boolean {
  const outer = interpolation.parent;
  const expression = interpolation.childForFieldName("expression");
  if (!outer || !expression) return false;
  if (expression.text.includes("\\") || interpolation.children.some((child) => child?.type === "comment")) return true;
  const quotes = delimiter(outer);
  return expression.descendantsOfType("string").some((inner) => {
    const innerQuotes = inner ? delimiter(inner) : "";
    return innerQuotes[0] === quotes[0] && (quotes.length === 1 || innerQuotes.length === 3);
  });
}

/** The construct a node is, if it is one of the table's. */
function construct(node: Node): NewerConstruct | undefined {
  switch (node.type) {
    case "type_alias_statement":
      return node.hasError ? undefined : PEP_695_ALIAS;
    case "type_parameter":
      // The grammar predates PEP 696: a default is an error inside the brackets.
      if (/^\[[^\]]*=/.test(node.text)) return PEP_696_DEFAULTS;
      return node.hasError ? undefined : PEP_695_PARAMETERS;
    case "interpolation":
      return !node.hasError && isPep701(node) ? PEP_701_FSTRING : undefined;
    default:
      return undefined;
  }
}

const TYPES = ["type_alias_statement", "type_parameter", "interpolation"];

function constructOnLine(root: Node, line: number): NewerConstruct | undefined {
  for (const node of root.descendantsOfType(TYPES)) {
    if (!node) continue;
    const first = node.startPosition.row + 1;
    const last = node.endPosition.row + 1;
    const found = line >= first && line <= last ? construct(node) : undefined;
    if (found) return found;
  }
  return undefined;
}

/** The newer-grammar construct on `line` of `source` (1-based), if there is one. */
export function newerConstructAt(source: string, line: number): Promise<NewerConstruct | undefined> {
  return parsePython(source, (root) => constructOnLine(root, line));
}
