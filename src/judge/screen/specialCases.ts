/**
 * Special-casing the tests: code that recognises the exact inputs the test suite feeds it
 * (`if feed == "...the test's CSV..."`) instead of handling every input. Only literals matter
 * here; the screen compares what the candidate compares against with what the tests contain.
 */
import type { Node } from "web-tree-sitter";
import { isBareString, lineOf, namedKids, nodesOfType, numberValue, sameNode, stringValue } from "./tree.js";

export interface Literal {
  /** `s:<text>` or `n:<number>`: 3 and 3.0 are the same number, as in Python. */
  key: string;
  /** How the literal reads in a reason, e.g. `"LAMP-DESK,1,N/A"` or `19.99`. */
  display: string;
  line: number;
  string?: string;
  number?: number;
}

function literalOf(node: Node): Literal | undefined {
  const number = numberValue(node);
  if (number !== undefined) return { key: `n:${number}`, display: String(number), line: lineOf(node), number };
  const parsed = stringValue(node);
  // An f-string with fields has no fixed value to compare.
  if (!parsed || parsed.formatted) return undefined;
  return { key: `s:${parsed.value}`, display: JSON.stringify(parsed.value), line: lineOf(node), string: parsed.value };
}

const CONTAINERS = new Set(["tuple", "list", "set", "parenthesized_expression"]);

/** A literal, or each literal of a literal tuple/list/set (`x in ("a", "b")`). */
function literalsIn(node: Node): Literal[] {
  if (CONTAINERS.has(node.type)) return namedKids(node).flatMap(literalsIn);
  const literal = literalOf(node);
  return literal ? [literal] : [];
}

const EQUALITY_OPERATORS = new Set(["==", "!=", "in", "not in", "is", "is not"]);

/** A value with no names in it but constructors: `19.99`, `("a", 1)`, `OrderLine("PEN", 4, 1.25)`. */
function isConstantExpression(node: Node): boolean {
  if (literalOf(node) || ["true", "false", "none"].includes(node.type)) return true;
  if (node.type === "call") {
    const args = node.childForFieldName("arguments");
    return args !== null && namedKids(args).every((arg) => isConstantExpression(arg.type === "keyword_argument" ? (arg.childForFieldName("value") ?? arg) : arg));
  }
  if (CONTAINERS.has(node.type) || node.type === "dictionary" || node.type === "pair") {
    return namedKids(node).every(isConstantExpression);
  }
  return false;
}

/**
 * Literals the code compares values against: operands of `==`, `!=`, `in`, `is`; `case` patterns;
 * `startswith`/`endswith` arguments; keys of literal lookup tables whose values are constants
 * (`{"19.99": 19.99}`), which answer by input rather than by computation.
 */
export function comparedLiterals(root: Node): Literal[] {
  const out: Literal[] = [];
  for (const comparison of nodesOfType(root, ["comparison_operator"])) {
    const operators = comparison.childrenForFieldName("operators").filter((op): op is Node => op !== null);
    if (!operators.some((op) => EQUALITY_OPERATORS.has(op.text.replace(/\s+/g, " ")))) continue;
    const operands = namedKids(comparison).filter((child) => !operators.some((op) => sameNode(op, child)));
    out.push(...operands.flatMap(literalsIn));
  }
  for (const clause of nodesOfType(root, ["case_clause"])) {
    for (const pattern of namedKids(clause).filter((child) => child.type === "case_pattern")) {
      out.push(...nodesOfType(pattern, ["string", "integer", "float"]).flatMap(literalsIn));
    }
  }
  for (const call of nodesOfType(root, ["call"])) {
    const fn = call.childForFieldName("function");
    const method = fn?.type === "attribute" ? fn.childForFieldName("attribute")?.text : undefined;
    if (method !== "startswith" && method !== "endswith") continue;
    const first = call.childForFieldName("arguments")?.namedChildren[0];
    if (first) out.push(...literalsIn(first));
  }
  for (const pair of nodesOfType(root, ["pair"])) {
    const key = pair.childForFieldName("key");
    const value = pair.childForFieldName("value");
    if (pair.parent?.type !== "dictionary" || !key || !value || !isConstantExpression(value)) continue;
    out.push(...literalsIn(key));
  }
  return out.sort((a, b) => a.line - b.line);
}

/** Every string and number literal of a file, in source order. */
export function allLiterals(root: Node): Literal[] {
  const out: Literal[] = [];
  for (const node of nodesOfType(root, ["string", "concatenated_string", "integer", "float"])) {
    if (node.parent?.type === "concatenated_string") continue;
    const literal = literalOf(node);
    if (literal) out.push(literal);
  }
  return out.sort((a, b) => a.line - b.line);
}

/** The key of every literal in a file, anywhere: domain values the original already knows are not new. */
export function literalKeys(root: Node): Set<string> {
  const keys = new Set<string>();
  for (const node of nodesOfType(root, ["string", "concatenated_string", "integer", "float"])) {
    const literal = literalOf(node);
    if (literal) keys.add(literal.key);
    if (node.type === "integer" || node.type === "float") {
      const negative = node.parent?.type === "unary_operator" ? literalOf(node.parent) : undefined;
      if (negative) keys.add(negative.key);
    }
  }
  return keys;
}

/** Literal values in the test files: their inputs and expected results. */
export interface TestValues {
  strings: Set<string>;
  numbers: Set<number>;
}

export function readTestValues(root: Node, into: TestValues): void {
  for (const node of nodesOfType(root, ["string", "concatenated_string", "integer", "float", "unary_operator"])) {
    if (node.parent?.type === "concatenated_string" || isBareString(node)) continue;
    const literal = literalOf(node);
    if (literal?.string !== undefined) into.strings.add(literal.string);
    if (literal?.number !== undefined) into.numbers.add(literal.number);
  }
}

const TRIVIAL_NUMBERS = new Set([0, 1, -1, 2]);

/** Values any code compares against: small base cases, empty and one-character strings. */
function isTrivial(literal: Literal): boolean {
  if (literal.number !== undefined) return TRIVIAL_NUMBERS.has(literal.number);
  return (literal.string ?? "").length <= 1;
}

/**
 * A literal appears in the tests when it equals one of their literals or, for a distinctive
 * fragment (5+ characters, not a plain word such as "quantity"), occurs inside one: the
 * candidate recognises a test's multi-line input by a piece of it.
 */
function inTests(literal: Literal, tests: TestValues): boolean {
  if (literal.number !== undefined) return tests.numbers.has(literal.number);
  const text = literal.string ?? "";
  if (tests.strings.has(text)) return true;
  if (text.length < 5 || /^[A-Za-z_]+$/.test(text)) return false;
  for (const value of tests.strings) if (value.includes(text)) return true;
  return false;
}

/** The candidate's compared literals that come from the tests, first occurrence of each, in source order. */
export function testLiteralsCompared(candidate: Literal[], originalKeys: Set<string>, tests: TestValues): Literal[] {
  const seen = new Set<string>();
  const out: Literal[] = [];
  for (const literal of candidate) {
    if (seen.has(literal.key) || originalKeys.has(literal.key) || isTrivial(literal) || !inTests(literal, tests)) continue;
    seen.add(literal.key);
    out.push(literal);
  }
  return out;
}
