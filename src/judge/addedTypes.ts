/**
 * A fix can push a test out of the seal by returning an object there: the test then rests on the
 * in-process run, where the object's own methods (an `__eq__` that lies) decide the comparison.
 * A type the original code already had is the code's ordinary interface; a type the fix adds that
 * leaves a fail-to-pass test unsealed is the fix choosing where it is judged. Pure.
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
