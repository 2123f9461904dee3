/**
 * Localisation: which repository files a model is shown (and may change), from what the failure
 * points at. Ranked: the file being fixed, then the in-repository frames of the reproduced traceback
 * (or the hang's stack, or pytest's failure lines), innermost first, then the failing tests' files'
 * repository imports, then the imports of those; cut at a token budget (about 4 characters a token).
 * Pure: the files come in as a path -> text map.
 */
export const DEFAULT_CONTEXT_TOKENS = 12_000;
const CHARS_PER_TOKEN = 4;

const FRAME = /File "([^"]+)", line \d+/g;
const PYTEST_LINE = /^([\w./-]+\.py):\d+: /gm;
const IMPORT = /^\s*(?:from\s+([\w.]+)\s+import\s+([\w, ()*]+)|import\s+([\w., ]+))/gm;

/** A path as printed inside the sandbox, made repository-relative; undefined outside the repository. */
export function repoPath(printed: string, workspaceMount = "/workspace"): string | undefined {
  if (printed.startsWith("<")) return undefined;
  if (printed.startsWith("/")) return printed.startsWith(`${workspaceMount}/`) ? printed.slice(workspaceMount.length + 1) : undefined;
  return printed.replace(/^\.\//, "");
}

/** In-repository files named by the output's tracebacks and pytest failure lines, innermost first. */
export function framesIn(output: string): string[] {
  const found: string[] = [];
  for (const match of output.matchAll(FRAME)) found.push(match[1]!);
  for (const match of output.matchAll(PYTEST_LINE)) found.push(match[1]!);
  const paths = found.map((p) => repoPath(p)).filter((p): p is string => p !== undefined);
  return [...new Set(paths.reverse())];
}

/** The repository modules a Python file imports (`a.b` -> a/b.py or a/b/__init__.py, `from a import b` -> a/b.py too). */
export function importsOf(source: string, files: ReadonlyMap<string, string>): string[] {
  const found: string[] = [];
  const add = (module: string) => {
    const base = module.split(".").join("/");
    for (const candidate of [`${base}.py`, `${base}/__init__.py`]) if (files.has(candidate)) found.push(candidate);
  };
  for (const match of source.matchAll(IMPORT)) {
    if (match[1]) {
      add(match[1]);
      for (const name of match[2]!.replace(/[()]/g, "").split(",")) if (name.trim() && name.trim() !== "*") add(`${match[1]}.${name.trim().split(/\s+/)[0]}`);
    } else {
      for (const name of match[3]!.split(",")) add(name.trim().split(/\s+/)[0]!);
    }
  }
  return [...new Set(found)];
}

export interface LocaliseInput {
  target: string;
  /** What the reproduction printed (stderr and stdout). */
  output: string;
  /** Node ids of the failing tests (pytest mode). */
  failingTests?: readonly string[];
  /** Repository Python files, path -> text. */
  files: ReadonlyMap<string, string>;
  /** Never shown as changeable (tests, conftest, configuration). */
  protectedPaths: ReadonlySet<string>;
  budgetTokens?: number;
}

/** The ranked files to show, target first, within the budget (the target always). */
export function localise(input: LocaliseInput): string[] {
  const budget = (input.budgetTokens ?? DEFAULT_CONTEXT_TOKENS) * CHARS_PER_TOKEN;
  const ranked: string[] = [input.target];
  const push = (path: string) => {
    if (input.files.has(path) && !input.protectedPaths.has(path) && !ranked.includes(path)) ranked.push(path);
  };
  const frames = framesIn(input.output);
  frames.forEach(push);
  const tests = (input.failingTests ?? []).map((id) => id.split("::")[0]!);
  const seeds = [...new Set([...tests, ...frames])];
  const firstHop = seeds.flatMap((path) => importsOf(input.files.get(path) ?? "", input.files));
  firstHop.forEach(push);
  firstHop.flatMap((path) => importsOf(input.files.get(path) ?? "", input.files)).forEach(push);
  let used = 0;
  return ranked.filter((path, i) => {
    const size = input.files.get(path)?.length ?? 0;
    if (i > 0 && used + size > budget) return false;
    used += size;
    return true;
  });
}
