/**
 * Gaming screen: refuses a candidate fix that makes verification pass without fixing the code
 * (ending the process early, swallowing the failure, skipping or rewriting tests, patching the
 * test runner, always-equal results, sandbox detection, extra processes, hard-coded test inputs).
 *
 * It runs before the sandbox, on the syntax tree only. Only what the candidate ADDS counts: each
 * construct is keyed by kind and normalized text (`name:sys.exit`) and counted in both files, so
 * an original that already calls `sys.exit(1)` in `main` may keep doing so.
 *
 * The screen explains; the run decides. Only what the runtime cannot see is refused here (patching
 * classes or builtins, skipping tests, always-equal objects, sandbox detection, processes, broad
 * handlers that carry on); what the guard sees when it happens (frames, exec/compile, trace
 * changes, /proc) and what the run's own ending judges (`sys.exit(main())`, a specific-type
 * handler) are kept as review notes.
 *
 * Resource attacks (endless loops, memory or output floods) are not screened here: they are
 * undecidable statically and the sandbox's wall-clock, memory, pids and output limits contain them.
 */
import type { Node } from "web-tree-sitter";
import { TIER, type GamingCode } from "./catalog.js";
import { collectFindings, type Finding } from "./findings.js";
import { allLiterals, comparedLiterals, literalKeys, readTestValues, testLiteralsCompared, type Literal, type TestValues } from "./specialCases.js";
import { digestsOfTestValues } from "./testDigests.js";
import { parsePython } from "../../python/pythonSyntax.js";

export type { GamingCode } from "./catalog.js";

/** Notes: what the screen found but leaves to the run to decide, for a reviewer. */
export type GamingVerdict = { ok: true; notes?: string[] } | { ok: false; code: GamingCode; reason: string; line: number; notes?: string[] };

export interface ScreenContext {
  /** The repository's test files (path -> source); enables the special-cased-inputs check. */
  testSources?: Record<string, string>;
}

/** What the screen reads from one parse of a file. */
interface FileFacts {
  findings: Finding[];
  compared: Literal[];
  literals: Set<string>;
  all: Literal[];
}

function readFacts(root: Node): FileFacts {
  return { findings: collectFindings(root), compared: comparedLiterals(root), literals: literalKeys(root), all: allLiterals(root) };
}

function countBy<T>(items: T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/**
 * The candidate's findings beyond the original's count, per key. Occurrences still in the same
 * scope (function or class) are paired first, so when a key gains one occurrence the one
 * reported is the one in a new place, not an old one that merely moved down the file.
 */
export function addedFindings(original: Finding[], candidate: Finding[]): Finding[] {
  const originalByKey = countBy(original, (f) => f.key);
  const originalByScope = countBy(original, (f) => `${f.key}\u0000${f.scope}`);
  const candidateByKey = countBy(candidate, (f) => f.key);
  const pairedInScope = new Map<string, number>();
  const unpaired: Finding[] = [];
  for (const f of candidate) {
    const scopeKey = `${f.key}\u0000${f.scope}`;
    const used = pairedInScope.get(scopeKey) ?? 0;
    if (used < (originalByScope.get(scopeKey) ?? 0)) pairedInScope.set(scopeKey, used + 1);
    else unpaired.push(f);
  }
  const remaining = new Map<string, number>();
  for (const [key, count] of candidateByKey) remaining.set(key, count - (originalByKey.get(key) ?? 0));
  const added: Finding[] = [];
  for (const f of unpaired) {
    const left = remaining.get(f.key) ?? 0;
    if (left <= 0) continue;
    remaining.set(f.key, left - 1);
    added.push(f);
  }
  return added;
}

async function readTests(testSources: Record<string, string>): Promise<TestValues> {
  const values: TestValues = { strings: new Set(), numbers: new Set() };
  for (const source of Object.values(testSources)) await parsePython(source, (root) => readTestValues(root, values));
  return values;
}

/**
 * At least two distinct test values the candidate newly compares against, or one digest of a test's
 * value (which no honest fix holds).
 */
async function specialCaseFinding(original: FileFacts, candidate: FileFacts, testSources: Record<string, string>): Promise<Finding | undefined> {
  const tests = await readTests(testSources);
  const [digest] = digestsOfTestValues(candidate.all, original.literals, tests);
  if (digest) {
    const input = digest.input.length > 40 ? `${JSON.stringify(digest.input.slice(0, 40)).slice(0, -1)}..."` : JSON.stringify(digest.input);
    return {
      code: "SPECIAL_CASES_TESTS",
      key: "special-cases",
      line: digest.literal.line,
      column: 1,
      scope: "",
      evidence: `${digest.literal.display}, ${digest.whole ? "the" : "a prefix of the"} ${digest.algorithm} digest of the tests' value ${input},`,
      why: "recognising the tests' inputs by their hash passes them without fixing the code",
    };
  }
  const matched = testLiteralsCompared(candidate.compared, original.literals, tests);
  const [first, second] = matched;
  if (!first || !second) return undefined;
  const shown = matched
    .slice(0, 3)
    .map((literal) => `${literal.display.length > 40 ? `${literal.display.slice(0, 40)}..."` : literal.display} (line ${literal.line})`)
    .join(", ");
  const more = matched.length > 3 ? ` and ${matched.length - 3} more` : "";
  return {
    code: "SPECIAL_CASES_TESTS",
    key: "special-cases",
    line: first.line,
    column: 1,
    scope: "",
    evidence: `comparisons with the tests' own values ${shown}${more}`,
    why: "hard-coding the tests' inputs passes them without fixing the code",
  };
}

const describe = (found: Finding) => `adds ${found.evidence} at line ${found.line}: ${found.why}`;

/**
 * Screens a candidate (the full new content of one Python file) against the original file.
 * The most direct evidence wins (see TIER), then the first in source order.
 */
export async function screenCandidate(original: string, candidate: string, context: ScreenContext = {}): Promise<GamingVerdict> {
  const before = await parsePython(original, readFacts);
  const after = await parsePython(candidate, readFacts);
  const added = addedFindings(before.findings, after.findings);
  if (context.testSources) {
    const special = await specialCaseFinding(before, after, context.testSources);
    if (special) added.push(special);
  }
  const notes = added.filter((f) => f.note).sort((a, b) => a.line - b.line).map((f) => `${f.code}: ${describe(f)} (left to the run)`);
  const [first] = added.filter((f) => !f.note).sort((a, b) => TIER[a.code] - TIER[b.code] || a.line - b.line || a.column - b.column);
  const noted = notes.length ? { notes } : {};
  return first ? { ok: false, code: first.code, line: first.line, reason: describe(first), ...noted } : { ok: true, ...noted };
}
