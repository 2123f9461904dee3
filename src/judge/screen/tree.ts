/**
 * Small readers over the tree-sitter Python tree used by the gaming screen: import aliases,
 * dotted names of expressions, literal values and enclosing scopes. Pure and synchronous; the
 * nodes must not outlive the parse that produced them.
 */
import type { Node } from "web-tree-sitter";

export function kids(node: Node): Node[] {
  return node.children.filter((child): child is Node => child !== null);
}

export function namedKids(node: Node): Node[] {
  return node.namedChildren.filter((child): child is Node => child !== null);
}

/** Native search in document order: much faster than walking every node through the wasm boundary. */
export function nodesOfType(root: Node, types: string[]): Node[] {
  return root.descendantsOfType(types).filter((node): node is Node => node !== null);
}

export function lineOf(node: Node): number {
  return node.startPosition.row + 1;
}

export function sameNode(a: Node | null | undefined, b: Node): boolean {
  return a !== null && a !== undefined && a.startIndex === b.startIndex && a.endIndex === b.endIndex && a.type === b.type;
}

/** First line of a node's text, whitespace collapsed and shortened, for one-line evidence. */
export function snippet(node: Node | string, max = 60): string {
  const text = typeof node === "string" ? node : node.text;
  const line = (text.split("\n", 1)[0] ?? "").replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max)}...` : line;
}

/** Whitespace-insensitive text, so reformatting a construct does not make it "new". */
export function normalizedText(node: Node): string {
  return node.text.replace(/\s+/g, " ").trim();
}

const SCOPE_TYPES = new Set(["function_definition", "class_definition"]);

/** Dotted path of the enclosing definitions, e.g. `Report.render`; "" at module level. */
export function scopeOf(node: Node): string {
  const names: string[] = [];
  for (let current = node.parent; current; current = current.parent) {
    if (SCOPE_TYPES.has(current.type)) names.unshift(current.childForFieldName("name")?.text ?? "?");
  }
  return names.join(".");
}

/** The nearest enclosing `def`, if any. */
export function enclosingFunction(node: Node): Node | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (current.type === "function_definition") return current;
    if (current.type === "class_definition" || current.type === "lambda") return undefined;
  }
  return undefined;
}

/** Nested definitions run in another frame: a `raise` or `return` inside them is not the outer block's. */
const NESTED_FRAMES = new Set(["function_definition", "class_definition", "lambda"]);

/** Descendants of `block` of the given types, not looking into nested functions, lambdas or classes. */
export function ownNodesOfType(block: Node, types: string[]): Node[] {
  return nodesOfType(block, types).filter((node) => {
    for (let current = node.parent; current && !sameNode(current, block); current = current.parent) {
      if (NESTED_FRAMES.has(current.type)) return false;
    }
    return true;
  });
}

/** Statements of a block, comments excluded. */
export function statementsOf(block: Node): Node[] {
  return namedKids(block).filter((child) => child.type !== "comment");
}

function soleChild(node: Node): Node | undefined {
  const children = namedKids(node).filter((child) => child.type !== "comment");
  return children.length === 1 ? children[0] : undefined;
}

/** A string standing alone as a statement: a docstring or a "comment string", never data the code uses. */
export function isBareString(node: Node): boolean {
  const parent = node.parent;
  if (!parent) return false;
  if (parent.type === "expression_statement") return sameNode(soleChild(parent), node);
  // A piece of a bare implicit concatenation ("a" "b" on its own line).
  return parent.type === "concatenated_string" && isBareString(parent);
}

// ---------------------------------------------------------------------------------------------
// Literal values
// ---------------------------------------------------------------------------------------------

export interface StringValue {
  /** The decoded text; formatted strings keep their literal parts, with `{}` where a field was. */
  value: string;
  /** An f-string with at least one replacement field: the runtime value is not fully known. */
  formatted: boolean;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  n: "\n",
  t: "\t",
  r: "\r",
  "0": "\0",
  a: "\x07",
  b: "\b",
  f: "\f",
  v: "\v",
  "\\": "\\",
  "'": "'",
  '"': '"',
  "\n": "",
};

/** Decodes Python escape sequences closely enough to compare literal values. */
function decodeEscapes(text: string): string {
  return text.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|[\s\S])/g, (whole, body: string) => {
    if (/^[xuU]/.test(body) && body.length > 1) return String.fromCodePoint(Number.parseInt(body.slice(1), 16));
    if (/^[0-7]+$/.test(body)) return String.fromCodePoint(Number.parseInt(body, 8));
    return SIMPLE_ESCAPES[body] ?? whole;
  });
}

/** The value of a `string` or `concatenated_string` node; undefined for anything else. */
export function stringValue(node: Node): StringValue | undefined {
  if (node.type === "concatenated_string") {
    const parts = namedKids(node)
      .filter((child) => child.type === "string")
      .map(stringValue);
    if (parts.some((part) => part === undefined)) return undefined;
    return {
      value: parts.map((part) => part?.value ?? "").join(""),
      formatted: parts.some((part) => part?.formatted === true),
    };
  }
  if (node.type !== "string") return undefined;
  const start = node.firstChild;
  // The grammar also reads Python 2 backticks as strings; those are not string literals.
  if (!start || start.type !== "string_start" || !/["']$/.test(start.text)) return undefined;
  const raw = /[rR]/.test(start.text);
  let value = "";
  let formatted = false;
  for (const child of kids(node)) {
    if (child.type === "string_content") value += raw ? child.text : decodeEscapes(child.text);
    else if (child.type === "interpolation") {
      value += "{}";
      formatted = true;
    }
  }
  return { value, formatted };
}

/** The value of an integer or float literal, with a leading minus sign; undefined otherwise. */
export function numberValue(node: Node): number | undefined {
  if (node.type === "unary_operator") {
    const operator = node.childForFieldName("operator")?.text;
    const argument = node.childForFieldName("argument");
    const inner = argument ? numberValue(argument) : undefined;
    if (inner === undefined || (operator !== "-" && operator !== "+")) return undefined;
    return operator === "-" ? -inner : inner;
  }
  if (node.type !== "integer" && node.type !== "float") return undefined;
  const text = node.text.replace(/_/g, "");
  // Imaginary literals (`2j`) and Python 2 long suffixes are not plain numbers.
  if (/[jJlL]$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

// ---------------------------------------------------------------------------------------------
// Imports and dotted names
// ---------------------------------------------------------------------------------------------

/** Local names bound by imports anywhere in the file, mapped to what they stand for. */
export interface Imports {
  /** `import os.path as p` -> p: os.path; `from os import fork` -> fork: os.fork; `import os.path` -> os: os. */
  aliases: Map<string, string>;
  /** Modules imported with `from m import *`. */
  starModules: string[];
}

function dottedText(node: Node): string {
  return namedKids(node)
    .filter((child) => child.type === "identifier")
    .map((child) => child.text)
    .join(".");
}

export interface ImportedName {
  /** What the import brings in, e.g. `os.fork` for `from os import fork`, `subprocess` for `import subprocess`. */
  target: string;
  node: Node;
  statement: Node;
}

/** Every name an import statement brings in, with its full dotted target. */
export function importedNames(root: Node): ImportedName[] {
  const out: ImportedName[] = [];
  for (const statement of nodesOfType(root, ["import_statement", "import_from_statement", "future_import_statement"])) {
    const moduleNode = statement.childForFieldName("module_name");
    // Relative imports name the project's own modules.
    if (statement.type === "import_from_statement" && moduleNode?.type !== "dotted_name") continue;
    const module = moduleNode ? dottedText(moduleNode) : "";
    for (const name of statement.childrenForFieldName("name")) {
      if (!name) continue;
      const dotted = name.type === "aliased_import" ? name.childForFieldName("name") : name;
      if (!dotted) continue;
      const text = dottedText(dotted);
      out.push({ target: statement.type === "import_statement" ? text : `${module}.${text}`, node: name, statement });
    }
    if (statement.type === "import_from_statement" && kids(statement).some((child) => child.type === "wildcard_import")) {
      out.push({ target: `${module}.*`, node: statement, statement });
    }
  }
  return out;
}

export function readImports(root: Node): Imports {
  const aliases = new Map<string, string>();
  const starModules: string[] = [];
  for (const { target, node, statement } of importedNames(root)) {
    if (target.endsWith(".*")) {
      starModules.push(target.slice(0, -2));
      continue;
    }
    const alias = node.type === "aliased_import" ? node.childForFieldName("alias")?.text : undefined;
    if (alias) aliases.set(alias, target);
    else if (statement.type === "import_statement") {
      const head = target.split(".")[0] ?? target;
      aliases.set(head, head);
    } else aliases.set(target.split(".").at(-1) ?? target, target);
  }
  return { aliases, starModules };
}

export interface DottedName {
  /** e.g. `sys.exit`, with import aliases resolved. */
  name: string;
  /** The head of the name is bound by an import (a module or a name from one), not a builtin or a local. */
  imported: boolean;
}

/** Calls that name an attribute or a module by string: `getattr(sys, "exit")`, `__import__("os")`. */
const NAMING_CALLS = new Set(["getattr", "__import__", "importlib.import_module"]);

function callArguments(call: Node): Node[] {
  const list = call.childForFieldName("arguments");
  return list ? namedKids(list).filter((child) => child.type !== "comment") : [];
}

export function positionalArguments(call: Node): Node[] {
  return callArguments(call).filter((arg) => arg.type !== "keyword_argument" && !arg.type.endsWith("splat"));
}

export function keywordArgument(call: Node, name: string): Node | undefined {
  const keyword = callArguments(call).find(
    (arg) => arg.type === "keyword_argument" && arg.childForFieldName("name")?.text === name,
  );
  return keyword?.childForFieldName("value") ?? undefined;
}

/**
 * The dotted name an expression stands for: `sys.exit`, `os.environ.get`, or `sys.exit` for
 * `getattr(sys, "exit")`. Undefined for anything that is not a plain name path (a call result,
 * a subscript, a literal).
 */
export function dottedName(node: Node, imports: Imports): DottedName | undefined {
  switch (node.type) {
    case "identifier": {
      const name = node.text;
      const alias = imports.aliases.get(name);
      if (alias) return { name: alias, imported: true };
      return { name, imported: false };
    }
    case "attribute": {
      const object = node.childForFieldName("object");
      const attribute = node.childForFieldName("attribute");
      const base = object ? dottedName(object, imports) : undefined;
      return base && attribute ? { name: `${base.name}.${attribute.text}`, imported: base.imported } : undefined;
    }
    case "parenthesized_expression": {
      const inner = soleChild(node);
      return inner ? dottedName(inner, imports) : undefined;
    }
    case "call": {
      const fn = node.childForFieldName("function");
      const callee = fn ? dottedName(fn, imports) : undefined;
      if (!callee || !NAMING_CALLS.has(callee.name)) return undefined;
      const args = positionalArguments(node);
      if (callee.name === "getattr") {
        const [object, attribute] = args;
        const base = object ? dottedName(object, imports) : undefined;
        const member = attribute ? stringValue(attribute) : undefined;
        return base && member && !member.formatted ? { name: `${base.name}.${member.value}`, imported: base.imported } : undefined;
      }
      const module = args[0] ? stringValue(args[0]) : undefined;
      return module && !module.formatted ? { name: module.value, imported: true } : undefined;
    }
    default:
      return undefined;
  }
}

/** The dotted name of a call's callee. */
export function calleeName(call: Node, imports: Imports): DottedName | undefined {
  const fn = call.childForFieldName("function");
  return fn ? dottedName(fn, imports) : undefined;
}

/** Identifiers that name something being defined or bound, not a value being read. */
const BINDING_PARENTS = new Set([
  "dotted_name",
  "aliased_import",
  "parameters",
  "lambda_parameters",
  "list_splat_pattern",
  "dictionary_splat_pattern",
  "global_statement",
  "nonlocal_statement",
  "as_pattern_target",
  "keyword_pattern",
]);

const NAMED_BY_FIELD = new Set([
  "function_definition",
  "class_definition",
  "keyword_argument",
  "default_parameter",
  "typed_parameter",
  "typed_default_parameter",
]);

/** Whether an identifier reads a value (as opposed to naming a definition, parameter, keyword or attribute). */
export function isReadIdentifier(node: Node): boolean {
  const parent = node.parent;
  if (!parent) return false;
  if (BINDING_PARENTS.has(parent.type)) return false;
  if (parent.type === "typed_parameter") return false;
  if (NAMED_BY_FIELD.has(parent.type) && sameNode(parent.childForFieldName("name"), node)) return false;
  if (parent.type === "attribute" && sameNode(parent.childForFieldName("attribute"), node)) return false;
  if ((parent.type === "assignment" || parent.type === "augmented_assignment") && sameNode(parent.childForFieldName("left"), node)) {
    return false;
  }
  return true;
}

/**
 * Name paths that are not part of a longer one: `a.b.c` is reported once, not also as `a` and
 * `a.b`. `getattr(x, "y")` and `__import__("m")` count as name paths too.
 */
export function outermostNamePaths(root: Node, imports: Imports): { node: Node; name: DottedName }[] {
  const out: { node: Node; name: DottedName }[] = [];
  for (const node of nodesOfType(root, ["identifier", "attribute", "call"])) {
    if (node.type === "identifier" && !isReadIdentifier(node)) continue;
    if (node.type === "call") {
      const callee = calleeName(node, imports);
      if (!callee || !NAMING_CALLS.has(callee.name)) continue;
    }
    const parent = node.parent;
    if (parent?.type === "attribute" && sameNode(parent.childForFieldName("object"), node)) continue;
    const name = dottedName(node, imports);
    if (name) out.push({ node, name });
  }
  return out;
}
