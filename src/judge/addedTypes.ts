/**
 * A fix can push a test out of the seal by returning an object there: the test then rests on the
 * in-process run, where the object's own methods (an `__eq__` that lies) decide the comparison.
 * A type the original code already had is the code's ordinary interface; a type the fix adds that
 * leaves a fail-to-pass test unsealed is the fix choosing where it is judged, and so is a type whose
 * way of comparing the fix changes (its comparison methods, its bases, its dataclass `eq`/`order`, or
 * an assignment to one of its dunders). Pure.
 */

export interface OriginalFile {
  path: string;
  content: string;
}

/** The type named by a seal's note "app.parse_price() returned a app.Price", if a changed module's. */
function returnedType(note: string, changed: OriginalFile[]): { module: string; name: string } | undefined {
  const match = /\) returned an? ([\w.]+)$/.exec(note);
  if (!match) return undefined;
  const dotted = match[1]!;
  for (const { path } of changed) {
    const module = path.replace(/\.py$/, "").replace(/\/__init__$/, "").replace(/\//g, ".");
    const tail = dotted.slice(module.length + 1);
    if (dotted.startsWith(`${module}.`) && tail) return { module, name: tail.split(".")[0]! };
  }
  return undefined;
}

/** Whether a top-level or nested `class Name` statement exists in the text. */
const definesClass = (content: string, name: string) => new RegExp(`^[ \\t]*class[ \\t]+${name}\\b`, "m").test(content);

/**
 * The type the fix adds, as "app.Price", when a test's guarded note says a changed module returned
 * an instance of a class that none of the changed files defined before the fix.
 */
export function addedTypeIn(note: string | undefined, originals: OriginalFile[]): string | undefined {
  if (!note) return undefined;
  const found = returnedType(note, originals);
  if (!found) return undefined;
  return originals.some((file) => definesClass(file.content, found.name)) ? undefined : `${found.module}.${found.name}`;
}

/** Members that decide what `==`, ordering, truth or containment say about an instance. */
const COMPARING = new Set([
  "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__hash__", "__bool__", "__len__",
  "__iter__", "__contains__", "__getattr__", "__getattribute__", "__class__", "__instancecheck__",
  "__subclasshook__", "__init_subclass__", "__new__", "__reduce__", "__round__", "__float__", "__index__",
]);

const indentOf = (line: string) => /^[ \t]*/.exec(line)![0].length;
const blank = (line: string) => line.trim() === "" || line.trim().startsWith("#");
const squash = (text: string) => text.replace(/#.*$/gm, "").replace(/\s+/g, " ").trim();

/** The lines of the block that starts at `start` (its header line and every deeper line after it). */
function block(lines: string[], start: number): string[] {
  const indent = indentOf(lines[start]!);
  let end = start + 1;
  while (end < lines.length && (blank(lines[end]!) || indentOf(lines[end]!) > indent)) end += 1;
  return lines.slice(start, end);
}

/**
 * What decides how instances of class `name` compare, by part: its bases and keywords, the
 * comparison arguments of its decorators, each comparing member, and module-level assignments to
 * its dunders. Undefined when the text has no such class.
 */
function comparisonParts(content: string, name: string): Map<string, string> | undefined {
  const lines = content.split(/\r?\n/);
  const at = lines.findIndex((line) => new RegExp(`^[ \\t]*class[ \\t]+${name}\\b`).test(line));
  if (at === -1) return undefined;
  const parts = new Map<string, string>();
  const header = block(lines, at).join("\n");
  parts.set("bases", squash(/class\s+\w+\s*(\([^)]*\))?/.exec(header)?.[1] ?? ""));
  const decorators: string[] = [];
  for (let i = at - 1; i >= 0 && lines[i]!.trim().startsWith("@"); i -= 1) decorators.unshift(lines[i]!.trim());
  // A decorator decides comparison when it orders (total_ordering) or says eq/order/unsafe_hash.
  parts.set("decorators", decorators.filter((d) => /total_ordering|\b(eq|order|unsafe_hash)\s*=/.test(d)).map(squash).join(" "));
  const body = block(lines, at).slice(1);
  const memberIndent = body.find((line) => !blank(line)) ? indentOf(body.find((line) => !blank(line))!) : 0;
  body.forEach((line, i) => {
    if (blank(line) || indentOf(line) !== memberIndent) return;
    const member = /^\s*(?:async\s+)?def\s+(\w+)|^\s*(\w+)\s*[:=]/.exec(line);
    const memberName = member?.[1] ?? member?.[2];
    if (memberName && COMPARING.has(memberName)) parts.set(memberName, squash(block(body, i).join("\n")));
  });
  lines.forEach((line, i) => {
    const patched = new RegExp(`^\\s*(?:${name}\\.(\\w+)\\s*=|setattr\\(\\s*${name}\\s*,\\s*["'](\\w+)["'])`).exec(line);
    const dunder = patched?.[1] ?? patched?.[2];
    if (dunder) parts.set(`${name}.${dunder} =`, squash(block(lines, i).join("\n")));
  });
  return parts;
}

/**
 * The type, and what the fix changed in how it compares, as "app.OrderLine (__eq__)", when a test's
 * guarded note says a changed module returned an instance of a class the original already had.
 */
export function changedComparisonIn(note: string | undefined, originals: OriginalFile[], changed: OriginalFile[]): string | undefined {
  if (!note) return undefined;
  const found = returnedType(note, originals);
  if (!found) return undefined;
  for (const original of originals) {
    const before = comparisonParts(original.content, found.name);
    if (!before) continue;
    const after = changed.find((file) => file.path === original.path);
    if (!after) continue;
    const now = comparisonParts(after.content, found.name) ?? new Map<string, string>();
    const differing = [...new Set([...before.keys(), ...now.keys()])].filter((part) => (before.get(part) ?? "") !== (now.get(part) ?? ""));
    if (differing.length > 0) return `${found.module}.${found.name} (${differing.join(", ")})`;
  }
  return undefined;
}
