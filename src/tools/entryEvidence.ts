/**
 * Entry-mode proof: exit 0 is not enough. The functions on the failing code path must run again
 * and complete: the failure site is reached, and the outermost function of the path returns
 * normally instead of ending in an exception that something above it silenced. Pure.
 */
import { describeFrame, type FailureSite, type Frame } from "./failureSite.js";

export interface WatchedStats {
  calls: number;
  returns: number;
  raised: number;
}

export interface EntryEvidence {
  watched: Record<string, WatchedStats>;
  /** "completed", "exception", or "exit:N". */
  ended: string;
}

export const frameKey = (frame: Frame) => `${frame.file}:${frame.function}`;

/** The [file, function] pairs the runner watches. */
export function watchList(site: FailureSite): [string, string][] {
  const seen = new Map(site.chain.map((f) => [frameKey(f), [f.file, f.function] as [string, string]]));
  return [...seen.values()];
}

export function judgeEntryEvidence(site: FailureSite, evidence: EntryEvidence | undefined): { ok: true; summary: string } | { ok: false; reason: string } {
  if (!evidence) return { ok: false, reason: "the program ended without OpsGuard's evidence (did it end the process abruptly?)" };
  const stats = (frame: Frame) => evidence.watched[frameKey(frame)] ?? { calls: 0, returns: 0, raised: 0 };
  const failure = site.chain.at(-1)!;
  if (stats(failure).calls === 0) {
    return { ok: false, reason: `the failure site ${describeFrame(failure)} is never reached: the program exits or returns before it` };
  }
  const outermost = site.chain.find((f) => f.function !== "<module>");
  if (outermost && outermost !== failure) {
    const s = stats(outermost);
    if (s.raised > 0) return { ok: false, reason: `${describeFrame(outermost)} still ends in an exception that is silenced above it` };
    if (s.returns === 0) return { ok: false, reason: `${describeFrame(outermost)} never completes` };
  }
  if (!/^(completed|exit:0)$/.test(evidence.ended)) {
    return { ok: false, reason: `the program did not complete (${evidence.ended})` };
  }
  const s = stats(failure);
  return { ok: true, summary: `failure site ${describeFrame(failure)} reached ${s.calls} time(s), ${s.returns} normal return(s); the failing path completes` };
}
