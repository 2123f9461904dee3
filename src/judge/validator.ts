/**
 * Gate 3: every proposed file (LLM answer or human candidate) is checked here before anything
 * runs. Content is judged structurally, never by size: an honest fix may drop every docstring
 * and comment and be half as long.
 */
import type { Node } from "web-tree-sitter";
import {
  allDefinitionNames,
  bareStrings,
  checkSyntaxTree,
  comments,
  definitionNames,
  ellipsisStatements,
  implementedFunctions,
  openConstructsAtEnd,
  parsePython,
  type EllipsisStatement,
  type SourceText,
  type SyntaxCheck,
  type SyntaxIssue,
} from "../python/pythonSyntax.js";

export type RefusalCode =
  | "EMPTY"
  | "MARKDOWN_FENCE"
  | "PROSE"
  | "SYNTAX"
  | "UNCHANGED"
  | "TRUNCATED"
  | "CONTENT_LOSS";

export type Verdict = { ok: true } | { ok: false; code: RefusalCode; reason: string };

export interface ValidateOptions {
  /** The file's path, used to name it in reasons. */
  path?: string;
  /**
   * In a fix of several files, a definition that disappears while the same file gains a new one in
   * the same scope counts as renamed (the callers are changed in the other files), not as lost.
   */
  allowRenames?: boolean;
}

function refuse(code: RefusalCode, reason: string): Verdict {
  return { ok: false, code, reason };
}

/** Keeps quoted evidence on one short line. */
function quote(text: string, max = 60): string {
  const line = text.trim().split("\n", 1)[0] ?? "";
  return `"${line.length > max ? `${line.slice(0, max)}...` : line}"`;
}

function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}

/** Trailing whitespace on each line and trailing blank lines are not a change. */
function normalise(text: string): string {
  return splitLines(text)
    .map((line) => line.trimEnd())
    .join("\n")
    .replace(/\n+$/, "");
}

/** What the validator reads from one parse of a text. */
interface Facts {
  syntax: SyntaxCheck;
  stringRows: [number, number][];
  definitions: string[];
  allDefinitions: Set<string>;
  markers: SourceText[];
  ellipses: EllipsisStatement[];
  implemented: Set<string>;
  /** Top-level statements, comments excluded. */
  statements: number;
}

function readFacts(root: Node): Facts {
  // Only real quotes: the grammar also reads Python 2 backticks (and so markdown fences) as strings.
  const stringRows: [number, number][] = root
    .descendantsOfType("string")
    .filter((node): node is Node => node !== null && /^[rRbBuUfF]{0,2}["']/.test(node.text))
    .map((node) => [node.startPosition.row + 1, node.endPosition.row + 1]);
  return {
    syntax: checkSyntaxTree(root),
    stringRows,
    definitions: definitionNames(root),
    allDefinitions: allDefinitionNames(root),
    markers: [...comments(root), ...bareStrings(root)],
    ellipses: ellipsisStatements(root),
    implemented: implementedFunctions(root),
    statements: root.namedChildren.filter((child) => child !== null && child.type !== "comment").length,
  };
}

const FENCE = /^\s*(`{3,}|~{3,})/;

/**
 * A fence line inside a string literal of a file that parses (e.g. a docstring showing markdown)
 * is the file's own text; in a broken parse, string boundaries cannot be trusted.
 */
function findFence(lines: string[], facts: Facts): number | undefined {
  const inString = (row: number): boolean =>
    facts.syntax.ok && facts.stringRows.some(([start, end]) => start < row && row <= end);
  const index = lines.findIndex((line, i) => FENCE.test(line) && !inString(i + 1));
  return index === -1 ? undefined : index + 1;
}

const BULLET = /^(?:[-*+>]|\d+[.)])\s+/;
const PYTHON_CAPITALISED = new Set(["True", "False", "None"]);
const PYTHON_KEYWORDS = new Set(
  ("and as assert async await break class continue def del elif else except finally for from global if import in " +
    "is lambda match case nonlocal not or pass print raise return try type while with yield").split(" "),
);

/**
 * Sentence shape: a capitalised word followed by another word ("Here is", "This fix", "I changed"),
 * a capitalised label ("Explanation:"), a markdown bullet with words, or a lowercase sentence of
 * plain words ending in a full stop. Comments and indented lines are code.
 */
function sentenceShaped(raw: string): boolean {
  if (/^\s/.test(raw)) return false;
  const text = raw.trim().replace(/\*\*/g, "");
  if (text === "" || text.startsWith("#")) return false;
  const bullet = BULLET.exec(text);
  const body = bullet ? text.slice(bullet[0].length) : text;
  const words = body.match(/[A-Za-z]{2,}/g) ?? [];
  if (bullet) return /^[A-Za-z`"']/.test(body) && words.length >= 2;
  const firstWord = /^[A-Za-z]+/.exec(body)?.[0] ?? "";
  if (PYTHON_CAPITALISED.has(firstWord) || PYTHON_KEYWORDS.has(firstWord)) return false;
  if (/^[A-Z][A-Za-z]*(?: [A-Za-z]+)*:$/.test(body)) return true;
  if (/^[a-z]+(?: [A-Za-z'’,;]+){2,}[.!?]$/.test(body)) return true;
  return /^[A-Z][\w'’]*[,:]?\s+[A-Za-z`"'(]/.test(body) && words.length >= 2;
}

async function isProseLine(line: string): Promise<boolean> {
  return sentenceShaped(line) && (await parsePython(line.trim(), (root) => root.hasError));
}

/** 1-based line numbers of the sentence-shaped lines before the first code line (or after the last). */
async function proseBlock(lines: string[], fromEnd: boolean): Promise<number[]> {
  const block: number[] = [];
  const order = lines.map((_, i) => i);
  if (fromEnd) order.reverse();
  for (const i of order) {
    const line = lines[i] ?? "";
    if (line.trim() === "" || line.trim().startsWith("#")) continue;
    if (!(await isProseLine(line))) break;
    block.push(i + 1);
  }
  return block.sort((a, b) => a - b);
}

function firstIssueLine(syntax: SyntaxCheck): number {
  return syntax.ok ? Number.POSITIVE_INFINITY : syntax.first.line;
}

/**
 * Prose is refused when sentence-shaped lines at the start or end are what breaks the parse:
 * an error begins on one of them, or blanking them out removes the earliest error.
 */
async function findProse(candidate: string, syntax: SyntaxCheck): Promise<Verdict | undefined> {
  if (syntax.ok) return undefined;
  const lines = splitLines(candidate);
  const before = await proseBlock(lines, false);
  // Lines after an unclosed string are the string's text (a cut-off docstring), not prose.
  const openString = openConstructsAtEnd(candidate).find((open) => open.kind === "string");
  const after = (await proseBlock(lines, true)).filter((line) => !openString || line < openString.line);
  const prose = new Set([...before, ...after]);
  if (prose.size === 0) return undefined;
  const errorOnProse = syntax.issues.some((issue) => prose.has(issue.line));
  const blanked = lines.map((line, i) => (prose.has(i + 1) ? "" : line)).join("\n");
  const movesError = !errorOnProse && firstIssueLine(await parsePython(blanked, checkSyntaxTree)) > syntax.first.line;
  if (!errorOnProse && !movesError) return undefined;
  const codeLines = lines.filter((line) => line.trim() !== "" && !line.trim().startsWith("#")).length;
  const first = before[0] ?? after[0] ?? 1;
  const evidence = `line ${first}: ${quote(lines[first - 1] ?? "")}`;
  if (prose.size === codeLines) return refuse("PROSE", `The answer is prose, not Python code (${evidence}).`);
  const where = before.length > 0 ? "before" : "after";
  return refuse("PROSE", `The answer has explanatory prose ${where} the code (${evidence}); return only the file content.`);
}

function describeCutOff(candidate: string, issue: SyntaxIssue): string {
  const open = openConstructsAtEnd(candidate).at(-1);
  if (open?.kind === "bracket") return `"${open.opener}" opened at line ${open.line}, column ${open.column} is never closed`;
  if (open?.kind === "string") return `the ${open.opener} string opened at line ${open.line} is never closed`;
  return `${issue.description} at line ${issue.line}`;
}

function syntaxVerdict(candidate: string, syntax: SyntaxCheck, file: string): Verdict | undefined {
  if (syntax.ok) return undefined;
  if (syntax.atEndOfFile) {
    return refuse("TRUNCATED", `The answer is cut off at the end of the file: ${describeCutOff(candidate, syntax.atEndOfFile)}.`);
  }
  const { first } = syntax;
  const where = `line ${first.line}, column ${first.column}`;
  return refuse("SYNTAX", `The answer for ${file} does not parse as Python: ${first.description} at ${where}.`);
}

const ELLIPSIS = String.raw`(?:\.\.\.|…)`;
/** "rest" alone is too common ("REST API..."): it counts as "rest of", "the rest", or "rest" ending the marker. */
const ELISION_WORD =
  String.raw`(?:\b(?:rest of|the rest|remainder|unchanged|omitted|elided|as before|same as)\b` +
  String.raw`|\brest\s*(?:\.\.\.|…|$))`;
const CODE_NOUN = String.raw`(?:code|methods?|functions?|classes|tests|imports|helpers|definitions|implementation|logic|content)`;
const OTHER_CODE = String.raw`\b(?:other|more|existing|previous|original|remaining)\s+${CODE_NOUN}\b`;
/**
 * Comments and bare strings that stand in for code the answer left out. Each pattern needs an
 * elision word in context ("rest of the file", "... existing code", "(unchanged)"), so ordinary
 * comments such as "# keep the existing behaviour for negatives" pass.
 */
const ELISION_PATTERNS: RegExp[] = [
  /^[\s.…()[\]-]*(\.\.\.|…)[\s.…()[\]-]*$/,
  new RegExp(`${ELLIPSIS}.*(?:${ELISION_WORD}|${OTHER_CODE})|(?:${ELISION_WORD}|${OTHER_CODE}).*${ELLIPSIS}`),
  new RegExp(String.raw`\b(?:rest|remainder)\s+(?:of\s+(?:the\s+)?)?(?:file|module|class|script|program|body|${CODE_NOUN})\b`),
  new RegExp(String.raw`\bremaining\s+${CODE_NOUN}\b`),
  /\b(rest|remainder|everything else)\b.*\b(unchanged|as (before|is)|the same|omitted|elided|not shown)\b/,
  /^\(?\s*(unchanged|no changes?|omitted|snip|snipped)\s*\)?\.?$/,
  new RegExp(
    String.raw`^(?:the\s+)?(?:existing|previous|original|other|same)\s+${CODE_NOUN}` +
      String.raw`(?:\s+(?:here|goes here|unchanged|as before|omitted|(?:remains?|stays?)(?: the same| unchanged)?))?\.?$`,
  ),
  new RegExp(String.raw`\b${CODE_NOUN}\s+(?:unchanged|omitted|elided|not shown|as before)\b`),
  new RegExp(String.raw`\b(?:unchanged|omitted)\s+${CODE_NOUN}\b`),
  /\bsame as (before|above|the original|original)\b/,
];

function markerBody(text: string): string {
  return text
    .trim()
    .replace(/^#+/, "")
    .replace(/^[rRbBuUfF]{0,2}("""|'''|"|')([\s\S]*)\1$/, "$2")
    .trim()
    .toLowerCase();
}

/** "same as before, but the total is rounded": a comment that explains a change, not one that stands in for code. */
const QUALIFIED = new RegExp(String.raw`\b(?:same as|as before)\b[^.…]*?\b(?:but|except|only|now)\b`);

function isElisionMarker(text: string): boolean {
  const body = markerBody(text);
  if (QUALIFIED.test(body) && !new RegExp(ELLIPSIS).test(body)) return false;
  return !body.includes("\n") && ELISION_PATTERNS.some((pattern) => pattern.test(body));
}

function elisionEvidence(original: Facts, candidate: Facts): string[] {
  // A marker-like comment the original already had is the author's, not an elision.
  const known = new Set(original.markers.map((marker) => marker.text.trim()));
  return candidate.markers
    .filter((marker) => !known.has(marker.text.trim()) && isElisionMarker(marker.text))
    .sort((a, b) => a.line - b.line)
    .map((marker) => `elision marker at line ${marker.line} (${quote(marker.text)})`);
}

/**
 * A `...` line is a placeholder unless the original had as many in that scope, or it is the
 * whole body of a class (`class NotFound(Exception): ...`) or of a function that was new or a
 * stub in the original (Protocol members, abstract methods, overloads).
 */
function placeholderEvidence(original: Facts, candidate: Facts): string[] {
  const allowance = new Map<string, number>();
  for (const e of original.ellipses) allowance.set(e.scope, (allowance.get(e.scope) ?? 0) + 1);
  const evidence: string[] = [];
  for (const e of candidate.ellipses) {
    const left = allowance.get(e.scope) ?? 0;
    if (left > 0) {
      allowance.set(e.scope, left - 1);
      continue;
    }
    if (e.soleStatement && e.scopeKind === "class") continue;
    if (e.soleStatement && e.scopeKind === "function" && !original.implemented.has(e.scope)) continue;
    evidence.push(`placeholder "..." at line ${e.line} in ${e.scope === "" ? "the module" : e.scope}`);
  }
  return evidence;
}

/**
 * Definitions of the original missing from the candidate. When the original does not parse, its
 * tree is a best guess, so a name counts as kept if it is defined anywhere in the candidate.
 */
function vanishedDefinitions(original: Facts, candidate: Facts, allowRenames = false): string[] {
  const kept = new Set(candidate.definitions);
  const lenient = !original.syntax.ok;
  const vanished = original.definitions.filter(
    (name) => !kept.has(name) && !(lenient && candidate.allDefinitions.has(name.split(".").at(-1) ?? name)),
  );
  if (!allowRenames) return vanished;
  // Each vanished name may be matched by one new name in the same scope.
  const scope = (name: string) => name.split(".").slice(0, -1).join(".");
  const before = new Set(original.definitions);
  const added = candidate.definitions.filter((name) => !before.has(name)).map(scope);
  return vanished.filter((name) => {
    const at = added.indexOf(scope(name));
    if (at < 0) return true;
    added.splice(at, 1);
    return false;
  });
}

function contentLossVerdict(original: Facts, candidate: Facts, allowRenames?: boolean): Verdict | undefined {
  const evidence = [...elisionEvidence(original, candidate), ...placeholderEvidence(original, candidate)];
  if (candidate.statements === 0 && original.statements > 0) evidence.push("the answer holds only comments, no code");
  const vanished = vanishedDefinitions(original, candidate, allowRenames);
  if (vanished.length > 0) evidence.push(`these definitions vanished: ${vanished.join(", ")}`);
  if (evidence.length === 0) return undefined;
  return refuse("CONTENT_LOSS", `The answer leaves out code of the original: ${evidence.join("; ")}.`);
}

/** Gate 3. Refuses an answer that is not a complete, parseable, changed Python file. */
export async function validateCandidate(original: string, candidate: string, options: ValidateOptions = {}): Promise<Verdict> {
  const file = options.path ?? "the file";
  if (candidate.trim() === "") return refuse("EMPTY", `The answer for ${file} is empty.`);
  if (normalise(candidate) === normalise(original)) {
    return refuse("UNCHANGED", `The answer is identical to the current ${file}; it changes nothing.`);
  }

  const facts = await parsePython(candidate, readFacts);
  const lines = splitLines(candidate);
  const fence = findFence(lines, facts);
  if (fence !== undefined) {
    const evidence = `line ${fence} (${quote(lines[fence - 1] ?? "")})`;
    return refuse("MARKDOWN_FENCE", `The answer contains a markdown code fence at ${evidence}; return the bare file content.`);
  }

  const before = await parsePython(original, readFacts);
  // Where the grammar cannot read the current file either (syntax newer than it, such as PEP 696
  // defaults), its syntax errors say nothing: the compile gate decides with the sandbox's Python.
  const syntaxJudged = before.syntax.ok || facts.syntax.ok || facts.syntax.atEndOfFile !== undefined;
  const verdict =
    (await findProse(candidate, facts.syntax)) ??
    (syntaxJudged ? syntaxVerdict(candidate, facts.syntax, file) : undefined) ??
    contentLossVerdict(before, facts, options.allowRenames);
  return verdict ?? { ok: true };
}
