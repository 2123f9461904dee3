/**
 * Python syntax facts from the tree-sitter grammar: parse errors, definitions, comments and
 * placeholder statements. Node-reading helpers are pure and synchronous; the async wrappers
 * parse a source text, read it, and free the tree.
 */
import { createRequire } from "node:module";
import { Language, Parser, type Node } from "web-tree-sitter";

/** The parser is loaded once; a failed load is forgotten so a later call can retry. */
let parserPromise: Promise<Parser> | undefined;

function loadParser(): Promise<Parser> {
  parserPromise ??= (async () => {
    await Parser.init();
    const wasm = createRequire(import.meta.url).resolve("tree-sitter-python/tree-sitter-python.wasm");
    const language = await Language.load(wasm);
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })().catch((error: unknown) => {
    parserPromise = undefined;
    throw error;
  });
  return parserPromise;
}

/** Parses `source` and hands the root node to `read`; the tree is freed afterwards, so `read` must not keep nodes. */
export async function parsePython<T>(source: string, read: (root: Node) => T): Promise<T> {
  const parser = await loadParser();
  const tree = parser.parse(source);
  if (!tree) throw new Error("tree-sitter returned no tree for the Python source");
  try {
    return read(tree.rootNode);
  } finally {
    tree.delete();
  }
}

function childrenOf(node: Node): Node[] {
  return node.children.filter((child): child is Node => child !== null);
}

function namedChildrenOf(node: Node): Node[] {
  return node.namedChildren.filter((child): child is Node => child !== null);
}

/** Native search: much faster than walking every node through the wasm boundary. */
function descendants(root: Node, types: string[]): Node[] {
  return root.descendantsOfType(types).filter((node): node is Node => node !== null);
}

/** ERROR and MISSING nodes, visiting only subtrees that report an error. */
function* errorNodes(node: Node): Generator<Node> {
  if (node.isError || node.isMissing) yield node;
  for (const child of childrenOf(node)) {
    if (child.hasError || child.isMissing) yield* errorNodes(child);
  }
}

/** 1-based line and column (columns count UTF-16 code units, like JavaScript string indices). */
export interface SourcePosition {
  line: number;
  column: number;
}

export type SyntaxIssueKind =
  /** Tokens the grammar could not place. */
  | "unexpected"
  /** A token the grammar had to invent, e.g. a closing parenthesis. */
  | "missing"
  /** A compound statement (`def`, `class`, `if`...) whose block is empty. */
  | "no_body"
  /** A string literal that never closes. */
  | "unclosed_string";

export interface SyntaxIssue extends SourcePosition {
  kind: SyntaxIssueKind;
  /** Short human-readable evidence, e.g. `unexpected "return a +"`. */
  description: string;
  /** The issue reaches the last code token: the text stops in the middle of a construct. */
  atEndOfFile: boolean;
}

function firstLine(text: string, max = 40): string {
  const line = text.split("\n", 1)[0] ?? "";
  return line.length > max ? `${line.slice(0, max)}...` : line;
}

function positionOf(node: Node): SourcePosition {
  return { line: node.startPosition.row + 1, column: node.startPosition.column + 1 };
}

/** Comments and zero-width nodes (missing tokens, empty blocks) are not code that ends a file. */
function lastCodeLeaf(root: Node): Node | undefined {
  const children = childrenOf(root).filter((c) => c.type !== "comment" && c.endIndex > c.startIndex);
  for (let i = children.length - 1; i >= 0; i--) {
    const child = children[i];
    if (!child) continue;
    if (child.childCount === 0) return child;
    const leaf = lastCodeLeaf(child);
    if (leaf) return leaf;
  }
  return undefined;
}

const TRIPLE_QUOTE = /^[rRbBuUfF]{0,2}("""|''')/;

/** Keyword and punctuation tokens that may legitimately end a statement. */
const FINAL_TOKENS = new Set([")", "]", "}", ";", "pass", "break", "continue", "return", "yield", "raise"]);

/** The last token cannot end a statement: an operator, comma, colon, or a keyword such as `else`. */
function endsOnDanglingToken(last: Node | undefined): boolean {
  return last !== undefined && !last.isNamed && !FINAL_TOKENS.has(last.type);
}

/** The header of a compound statement, for "... has no body" messages. */
function headerText(node: Node): string {
  return firstLine(node.text).replace(/\s+$/, "");
}

/** The grammar still accepts these Python 2 forms; Python 3 rejects them. */
const PYTHON2_ONLY = new Set(["print_statement", "exec_statement"]);

/** Complete statements that error recovery may have swept into an ERROR node. */
const STATEMENT = /(_statement|_definition|^comment)$/;

/**
 * Where an error really begins. Recovery often wraps the valid statements before a mistake
 * into one ERROR node starting at line 1, so skip those and descend to the first broken part.
 */
function errorStart(node: Node): Node {
  if (node.isMissing) return node;
  const children = childrenOf(node);
  if (!node.isError) {
    const broken = children.find((child) => child.hasError || child.isMissing);
    return broken ? errorStart(broken) : node;
  }
  for (const child of children) {
    if (STATEMENT.test(child.type) && !child.hasError) continue;
    return child.hasError || child.isMissing ? errorStart(child) : child;
  }
  return node;
}

/** Blocks that hold nothing but comments are a Python error ("expected an indented block"). */
function isEmptyBlock(block: Node): boolean {
  return namedChildrenOf(block).every((child) => child.type === "comment");
}

/**
 * Every syntax problem in the tree, in source order. tree-sitter accepts empty blocks, so
 * those are reported here too, unless the statement already holds a parse error (which is
 * the real cause and is reported on its own).
 */
export function syntaxIssues(root: Node): SyntaxIssue[] {
  const last = lastCodeLeaf(root);
  const endRow = last?.endPosition.row ?? 0;
  const endIndex = last?.endIndex ?? 0;
  // An error on the last line is a cut-off only if the text stops mid-construct; `return b +* 2`
  // on the last line is an ordinary syntax error.
  const stopsMidConstruct = endsOnDanglingToken(last) || openConstructsAtEnd(root.text).length > 0;
  const issues: (SyntaxIssue & { index: number })[] = [];
  for (const node of errorNodes(root)) {
    if (node.isMissing) {
      issues.push({
        kind: "missing",
        ...positionOf(node),
        index: node.startIndex,
        description: `missing "${node.type}"`,
        atEndOfFile: node.endIndex >= endIndex,
      });
      continue;
    }
    const anchor = errorStart(node);
    const index = Math.min(anchor.startIndex, node.endIndex);
    if (anchor.type === "string_start") {
      // The string swallows the rest of its line, or the rest of the file when triple-quoted.
      const triple = TRIPLE_QUOTE.test(anchor.text);
      issues.push({
        kind: "unclosed_string",
        ...positionOf(anchor),
        index,
        description: `unterminated ${triple ? "triple-quoted " : ""}string ${anchor.text}`,
        atEndOfFile: triple || anchor.startPosition.row >= endRow,
      });
    } else {
      issues.push({
        kind: "unexpected",
        ...positionOf(anchor),
        index,
        description: `unexpected "${firstLine(node.text.slice(index - node.startIndex))}"`,
        // A decorator with nothing after it is a definition cut off before its `def`.
        atEndOfFile: node.endIndex >= endIndex && (stopsMidConstruct || node.lastNamedChild?.type === "decorator"),
      });
    }
  }
  for (const node of descendants(root, [...PYTHON2_ONLY, "string"])) {
    if (node.type === "string" && !node.text.startsWith("`")) continue;
    issues.push({
      kind: "unexpected",
      ...positionOf(node),
      index: node.startIndex,
      description: `Python 2 syntax "${firstLine(node.text)}"`,
      atEndOfFile: false,
    });
  }
  for (const block of descendants(root, ["block"])) {
    const owner = block.parent;
    if (!isEmptyBlock(block) || !owner || owner.hasError) continue;
    issues.push({
      kind: "no_body",
      ...positionOf(owner),
      index: owner.startIndex,
      description: `"${headerText(owner)}" has no body`,
      atEndOfFile: owner.endIndex >= endIndex,
    });
  }
  return issues.sort((a, b) => a.index - b.index).map(({ index: _index, ...issue }) => issue);
}

export type SyntaxCheck =
  | { ok: true }
  | {
      ok: false;
      /** The earliest problem in the text. */
      first: SyntaxIssue;
      /** The first problem that reaches the end of the text, when there is one: the text is cut off. */
      atEndOfFile?: SyntaxIssue;
      issues: SyntaxIssue[];
    };

export function checkSyntaxTree(root: Node): SyntaxCheck {
  const issues = syntaxIssues(root);
  const first = issues[0];
  if (!first) return { ok: true };
  const atEndOfFile = issues.find((issue) => issue.atEndOfFile);
  return atEndOfFile ? { ok: false, first, atEndOfFile, issues } : { ok: false, first, issues };
}

export function checkSyntax(source: string): Promise<SyntaxCheck> {
  return parsePython(source, checkSyntaxTree);
}

export async function hasSyntaxError(source: string): Promise<boolean> {
  return !(await checkSyntax(source)).ok;
}

/** A bracket or string still open when the text ends, from a small lexical scan. */
export interface OpenConstruct extends SourcePosition {
  kind: "bracket" | "string";
  /** The opening token, e.g. `(` or `"""`. */
  opener: string;
}

const CLOSERS: Record<string, string> = { ")": "(", "]": "[", "}": "{" };

/**
 * Brackets and strings left open at the end of `source`, outermost first. Strings are scanned
 * the way the tokenizer ends them (backslash escapes the next character even in raw strings);
 * a single-quoted string closes at the end of its line, so only one on the last line stays open.
 */
export function openConstructsAtEnd(source: string): OpenConstruct[] {
  const brackets: OpenConstruct[] = [];
  let line = 1;
  let lineStart = 0;
  let i = 0;
  while (i < source.length) {
    const ch = source[i] as string;
    if (ch === "\n") {
      line += 1;
      lineStart = i + 1;
      i += 1;
    } else if (ch === "#") {
      const end = source.indexOf("\n", i);
      i = end === -1 ? source.length : end;
    } else if (ch === '"' || ch === "'") {
      const quote = source.startsWith(ch.repeat(3), i) ? ch.repeat(3) : ch;
      const opened: OpenConstruct = { kind: "string", opener: quote, line, column: i - lineStart + 1 };
      let j = i + quote.length;
      let closed = false;
      while (j < source.length) {
        const c = source[j] as string;
        if (c === "\\") {
          if (source[j + 1] === "\n") {
            line += 1;
            lineStart = j + 2;
          }
          j += 2;
        } else if (source.startsWith(quote, j)) {
          j += quote.length;
          closed = true;
          break;
        } else if (c === "\n") {
          if (quote.length === 1) break;
          line += 1;
          lineStart = j + 1;
          j += 1;
        } else {
          j += 1;
        }
      }
      if (!closed && j >= source.length) return [...brackets, opened];
      i = j;
    } else if (ch === "(" || ch === "[" || ch === "{") {
      brackets.push({ kind: "bracket", opener: ch, line, column: i - lineStart + 1 });
      i += 1;
    } else if (ch in CLOSERS) {
      if (brackets.at(-1)?.opener === CLOSERS[ch]) brackets.pop();
      i += 1;
    } else {
      i += 1;
    }
  }
  return brackets;
}

/** `def`/`class` nodes directly in `block`-like parents, looking through decorators. */
function definitionsIn(parent: Node): Node[] {
  const out: Node[] = [];
  for (const child of namedChildrenOf(parent)) {
    const definition = child.type === "decorated_definition" ? child.childForFieldName("definition") : child;
    if (definition?.type === "function_definition" || definition?.type === "class_definition") out.push(definition);
  }
  return out;
}

const DEFINITION_TYPES = ["function_definition", "class_definition"];

function nameOf(definition: Node): string | undefined {
  return definition.childForFieldName("name")?.text;
}

/**
 * Top-level function and class names, plus methods of top-level classes as `Class.method`,
 * in source order without duplicates (overloads and redefinitions collapse).
 */
export function definitionNames(root: Node): string[] {
  const names = new Set<string>();
  for (const definition of definitionsIn(root)) {
    const name = nameOf(definition);
    if (!name) continue;
    names.add(name);
    const body = definition.type === "class_definition" ? definition.childForFieldName("body") : null;
    if (!body) continue;
    for (const member of definitionsIn(body)) {
      const method = nameOf(member);
      if (member.type === "function_definition" && method) names.add(`${name}.${method}`);
    }
  }
  return [...names];
}

export function listDefinitions(source: string): Promise<string[]> {
  return parsePython(source, definitionNames);
}

/** The name of every `def` and `class` at any depth, including inside parse errors. */
export function allDefinitionNames(root: Node): Set<string> {
  const names = new Set<string>();
  for (const node of descendants(root, DEFINITION_TYPES)) {
    const name = nameOf(node);
    if (name) names.add(name);
  }
  return names;
}

/** A piece of source text with the 1-based line it starts on. */
export interface SourceText {
  line: number;
  text: string;
}

export function comments(root: Node): SourceText[] {
  return descendants(root, ["comment"]).map((node) => ({ line: node.startPosition.row + 1, text: node.text }));
}

function soleChild(statement: Node): Node | undefined {
  const children = namedChildrenOf(statement);
  return children.length === 1 ? children[0] : undefined;
}

/** String literals that stand alone as statements (docstrings and "comment strings"). */
export function bareStrings(root: Node): SourceText[] {
  return descendants(root, ["expression_statement"])
    .filter((node) => soleChild(node)?.type === "string")
    .map((node) => ({ line: node.startPosition.row + 1, text: node.text }));
}

export type ScopeKind = "module" | "class" | "function";

export interface EllipsisStatement {
  line: number;
  /** Dotted path of the enclosing definitions, e.g. `Repo.get`; "" for the module. */
  scope: string;
  scopeKind: ScopeKind;
  /** The statement is the whole body of its scope, apart from a docstring. */
  soleStatement: boolean;
}

function isDocstring(statement: Node, index: number): boolean {
  return index === 0 && statement.type === "expression_statement" && soleChild(statement)?.type === "string";
}

function isEllipsisStatement(statement: Node): boolean {
  return statement.type === "expression_statement" && soleChild(statement)?.type === "ellipsis";
}

/** Statements of a block or module, without comments. */
function statementsOf(body: Node): Node[] {
  return namedChildrenOf(body).filter((child) => child.type !== "comment");
}

/** The innermost `def` or `class` enclosing `node`, if any. */
function enclosingDefinition(node: Node): Node | undefined {
  for (let parent = node.parent; parent; parent = parent.parent) {
    if (DEFINITION_TYPES.includes(parent.type)) return parent;
  }
  return undefined;
}

/** Dotted path of a definition through its enclosing definitions, e.g. `Repo.get`. */
function pathOf(definition: Node): string {
  const names = [nameOf(definition) ?? "?"];
  for (let outer = enclosingDefinition(definition); outer; outer = enclosingDefinition(outer)) {
    names.unshift(nameOf(outer) ?? "?");
  }
  return names.join(".");
}

/** Lines that consist of `...` alone (not `x = ...` nor `Tuple[int, ...]`), with their scope. */
export function ellipsisStatements(root: Node): EllipsisStatement[] {
  return descendants(root, ["expression_statement"])
    .filter(isEllipsisStatement)
    .map((statement) => {
      const owner = enclosingDefinition(statement);
      const body = owner ? owner.childForFieldName("body") : root;
      const real = body ? statementsOf(body).filter((s, index) => !isDocstring(s, index)) : [];
      return {
        line: statement.startPosition.row + 1,
        scope: owner ? pathOf(owner) : "",
        scopeKind: owner?.type === "class_definition" ? "class" : owner ? "function" : "module",
        soleStatement: real.length === 1 && real[0]?.startIndex === statement.startIndex,
      } satisfies EllipsisStatement;
    });
}

/** A body that only states "not implemented": docstring, `pass`, `...` or `raise NotImplementedError`. */
function isStubBody(body: Node): boolean {
  return statementsOf(body).every(
    (statement, index) =>
      isDocstring(statement, index) ||
      statement.type === "pass_statement" ||
      isEllipsisStatement(statement) ||
      (statement.type === "raise_statement" && /^raise\s+NotImplementedError\b/.test(statement.text)),
  );
}

/** Dotted paths of every function whose body does real work (is not a stub). */
export function implementedFunctions(root: Node): Set<string> {
  return new Set(
    descendants(root, ["function_definition"])
      .filter((definition) => {
        const body = definition.childForFieldName("body");
        return body !== null && !isStubBody(body);
      })
      .map(pathOf),
  );
}

/** A statement of a module or class body: its lines, and what it defines. */
export interface StatementSpan {
  /** 1-based first line, decorators included. */
  start: number;
  end: number;
  definition?: {
    name: string;
    kind: "function" | "class";
    /** The line that ends the header (`def f(...):`, however many lines its parameters take). */
    headerEnd: number;
    /** The line the body starts on (the header's last line for `def f(): return 1`). */
    bodyStart: number;
    /** The statements of a class's body; empty for a function. */
    body: StatementSpan[];
  };
}

function spanOf(statement: Node): StatementSpan {
  const span: StatementSpan = { start: statement.startPosition.row + 1, end: statement.endPosition.row + 1 };
  const definition = statement.type === "decorated_definition" ? statement.childForFieldName("definition") : statement;
  if (definition?.type !== "function_definition" && definition?.type !== "class_definition") return span;
  const body = definition.childForFieldName("body");
  const colon = childrenOf(definition).filter((child) => child.type === ":").at(-1);
  if (!body || !colon) return span;
  const kind = definition.type === "class_definition" ? "class" : "function";
  span.definition = {
    name: nameOf(definition) ?? "?",
    kind,
    headerEnd: colon.endPosition.row + 1,
    bodyStart: body.startPosition.row + 1,
    body: kind === "class" ? statementsOf(body).map(spanOf) : [],
  };
  return span;
}

/** The module's statements (comments left out) with their lines, and a class's statements inside it. */
export function statementSpans(root: Node): StatementSpan[] {
  return statementsOf(root).map(spanOf);
}

/** The `def` at a dotted path (`test_total`, `TestTotals.test_total`) among the definitions of `parent`. */
function definitionAt(parent: Node, path: string[]): Node | undefined {
  const [head, ...rest] = path;
  const found = definitionsIn(parent).find((definition) => nameOf(definition) === head);
  if (!found || rest.length === 0) return found;
  const body = found.childForFieldName("body");
  return body ? definitionAt(body, rest) : undefined;
}

/** What the function at a dotted path calls by name: `f(...)` and `obj.f(...)` both give `f`. */
export function namesCalledBy(root: Node, path: string): string[] {
  const definition = definitionAt(root, path.split("."));
  if (!definition) return [];
  const names = new Set<string>();
  for (const call of descendants(definition, ["call"])) {
    const callee = call.childForFieldName("function");
    const name = callee?.type === "attribute" ? callee.childForFieldName("attribute") : callee;
    if (name?.type === "identifier") names.add(name.text);
  }
  return [...names];
}
