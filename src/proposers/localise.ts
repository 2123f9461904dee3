/**
 * Localisation: which repository files a model is shown (and may change), from what the failure
 * points at. Ranked: the file being fixed, then the in-repository frames of the reproduced traceback
 * (or the hang's stack, or pytest's failure lines), innermost first, then the failing tests' files'
 * repository imports, then the imports of those; cut at a token budget (about 4 characters a token).
 * Only the files on the way are read (through `read`), so a large repository costs a listing.
 * A large file is shown as an outline with the definitions the failure points at in full
 * (fileOutline.ts), and costs the budget what its outline costs.
 */
import { parsePython, namesCalledBy } from "../python/pythonSyntax.js";
import { isLargeFile, outlineFile, type Focus } from "./fileOutline.js";

export const DEFAULT_CONTEXT_TOKENS = 12_000;
const CHARS_PER_TOKEN = 4;

const FRAME = /File "([^"]+)", line (\d+)/g;
const PYTEST_LINE = /^([\w./-]+\.py):(\d+): /gm;
const IMPORT = /^\s*(?:from\s+([\w.]+)\s+import\s+([\w, ()*]+)|import\s+([\w., ]+))/gm;

/** A path as printed inside the sandbox, made repository-relative; undefined outside the repository. */
export function repoPath(printed: string, workspaceMount = "/workspace"): string | undefined {
  if (printed.startsWith("<")) return undefined;
  if (printed.startsWith("/")) return printed.startsWith(`${workspaceMount}/`) ? printed.slice(workspaceMount.length + 1) : undefined;
  return printed.replace(/^\.\//, "");
}

/** The in-repository lines the output's tracebacks and pytest failure lines name, in the order printed. */
export function frameLinesIn(output: string): { path: string; line: number }[] {
  const found: { printed: string; line: number }[] = [];
  for (const match of output.matchAll(FRAME)) found.push({ printed: match[1]!, line: Number(match[2]) });
  for (const match of output.matchAll(PYTEST_LINE)) found.push({ printed: match[1]!, line: Number(match[2]) });
  return found.flatMap(({ printed, line }) => {
    const path = repoPath(printed);
    return path === undefined ? [] : [{ path, line }];
  });
}

/** In-repository files named by the output's tracebacks and pytest failure lines, innermost first. */
export function framesIn(output: string): string[] {
  return [...new Set(frameLinesIn(output).map((frame) => frame.path).reverse())];
}

/** The repository modules a Python file imports (`a.b` -> a/b.py or a/b/__init__.py, `from a import b` -> a/b.py too). */
export function importsOf(source: string, files: ReadonlySet<string>): string[] {
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
  /** Every repository Python file (repository-relative paths). */
  files: ReadonlySet<string>;
  /** A file's text, or undefined. */
  read: (path: string) => Promise<string | undefined>;
  /** Never shown as changeable (tests, conftest, configuration). */
  protectedPaths: ReadonlySet<string>;
  budgetTokens?: number;
}

/** A file to show; `view` when it is shown as an outline rather than whole. */
export interface LocalisedFile {
  path: string;
  view?: string;
}

/** What the failing tests call, by name: `tests/test_x.py::TestX::test_y[1]` reads `TestX.test_y` there. */
async function namesTestsCall(failingTests: readonly string[], text: (path: string) => Promise<string>): Promise<string[]> {
  const names = new Set<string>();
  for (const id of failingTests) {
    const [file, ...parts] = id.split("::");
    if (!file || parts.length === 0) continue;
    const path = parts.join(".").replace(/\[.*$/, "");
    for (const name of await parsePython(await text(file), (root) => namesCalledBy(root, path))) names.add(name);
  }
  return [...names];
}

/** The ranked files to show, target first, within the budget (the target always). */
export async function localise(input: LocaliseInput): Promise<LocalisedFile[]> {
  const budget = (input.budgetTokens ?? DEFAULT_CONTEXT_TOKENS) * CHARS_PER_TOKEN;
  const texts = new Map<string, string>();
  const text = async (path: string) => {
    if (!texts.has(path)) texts.set(path, (await input.read(path)) ?? "");
    return texts.get(path)!;
  };
  const ranked: string[] = [input.target];
  const push = (path: string) => {
    if (input.files.has(path) && !input.protectedPaths.has(path) && !ranked.includes(path)) ranked.push(path);
  };
  const frames = framesIn(input.output).filter((path) => input.files.has(path));
  frames.forEach(push);
  const tests = (input.failingTests ?? []).map((id) => id.split("::")[0]!).filter((path) => input.files.has(path));
  const firstHop: string[] = [];
  for (const seed of new Set([...tests, ...frames])) firstHop.push(...importsOf(await text(seed), input.files));
  firstHop.forEach(push);
  for (const path of firstHop) importsOf(await text(path), input.files).forEach(push);
  const frameLines = frameLinesIn(input.output);
  let called: string[] | undefined;
  let used = 0;
  const kept: LocalisedFile[] = [];
  for (const [i, path] of ranked.entries()) {
    const whole = await text(path);
    let view: string | undefined;
    if (isLargeFile(whole, budget)) {
      called ??= await namesTestsCall(input.failingTests?.filter((id) => input.files.has(id.split("::")[0]!)) ?? [], text);
      const focus: Focus = { lines: frameLines.filter((frame) => frame.path === path).map((frame) => frame.line), names: called };
      view = await outlineFile(whole, focus);
    }
    const size = (view ?? whole).length;
    if (i > 0 && used + size > budget) continue;
    used += size;
    kept.push(view === undefined ? { path } : { path, view });
  }
  return kept;
}
