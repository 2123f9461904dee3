/**
 * A test run that reached the wall-clock limit while tests were still finishing: a slow suite, not
 * a hang. pytest prints one character per finished test; a hang would have gone quiet for longer
 * than the per-test limit (which fails a stuck test by itself).
 */
import type { SandboxResult } from "../sandbox/sandboxResult.js";

export interface SlowSuite {
  completed: number;
  collected?: number;
  /** A --timeout, in seconds, that should let the whole suite finish. */
  suggestedSeconds: number;
}

const PROGRESS = /^\S+\.py ([.FEsxX]+)/;

/** The outcome characters of pytest's progress lines, one per finished test. */
function progressMarks(stdout: string): string {
  return stdout.split(/\r?\n/).map((line) => PROGRESS.exec(line)?.[1] ?? "").join("");
}

/** Tests pytest reported as finished in its progress lines. */
export function finishedTests(stdout: string): number {
  return progressMarks(stdout).length;
}

export function slowSuite(result: SandboxResult, limitMs: number, testTimeoutMs: number): SlowSuite | undefined {
  if (result.endReason !== "timed_out" || result.quietMs === undefined) return undefined;
  const marks = progressMarks(result.stdout);
  const completed = marks.length;
  // Quiet for longer than a test may take, or than a slow suite pauses between tests: a hang.
  if (completed === 0 || result.quietMs >= Math.min(testTimeoutMs, Math.max(2000, limitMs / 5))) return undefined;
  // Tests that only ended by failing at about the per-test limit are hangs too, not a slow suite.
  if (!marks.includes(".") || limitMs / completed >= 0.8 * testTimeoutMs) return undefined;
  const collectedMatch = /collected (\d+) items?/.exec(result.stdout);
  const collected = collectedMatch ? Number(collectedMatch[1]) : undefined;
  const seconds = limitMs / 1000;
  const needed = collected && collected > completed ? (seconds * collected) / completed : seconds * 2;
  const suggestedSeconds = Math.max(Math.ceil(seconds) + 10, Math.ceil((needed * 1.25) / 10) * 10);
  return { completed, ...(collected ? { collected } : {}), suggestedSeconds };
}
