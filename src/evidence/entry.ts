/**
 * Entry-mode proof: exit 0 is not enough. The functions on the failing code path must run again
 * and complete: the failure site is reached, and the outermost function of the path returns
 * normally instead of ending in an exception that something above it silenced.
 *
 * With the guard's stream (behaviour), more: the failing call recorded at reproduction (the
 * outermost call on the path that received input, with the fingerprint of its arguments) is made
 * again and returns normally, and neither it nor any frame above it on the path ends by an
 * exception, in any thread. Frames below the failing call may raise, when something inside the
 * failing call handles it (a specific-type handler that skips a malformed record). Pure.
 */
import { describeFrame, type FailureSite, type Frame } from "../python/failureSite.js";
import type { WatchedStats } from "../state/state.js";


/** How a watched call ended, as the guard streamed it (first occurrence of each outcome). */
export interface CallOutcome {
  f: [string, string];
  fp: string | null;
  ok: boolean;
  exc?: string | null;
}

export interface EntryEvidence {
  watched: Record<string, WatchedStats>;
  /** "completed", "exception", or "exit:N". */
  ended: string;
  /** The guard's behaviour records; absent in evidence that only counted. */
  outcomes?: CallOutcome[];
}

/** The name the runner knows a frame's file by: its workspace path. */
const pathOf = (frame: Frame) => frame.path ?? frame.file;
export const frameKey = (frame: Frame) => `${pathOf(frame)}:${frame.function}`;

/** The [path, function] pairs the runner watches. */
export function watchList(site: FailureSite): [string, string][] {
  const seen = new Map(site.chain.map((f) => [frameKey(f), [pathOf(f), f.function] as [string, string]]));
  return [...seen.values()];
}

/** The outermost call on the failing path that received input, else the outermost function. */
export function failingCall(site: FailureSite): Frame | undefined {
  const functions = site.chain.filter((f) => f.function !== "<module>");
  return functions.find((f) => typeof f.fingerprint === "string") ?? functions[0];
}

type Verdict = { ok: true; summary: string } | { ok: false; reason: string };

/**
 * The failing call as the fix made it again, or undefined: by its own name, or, when the function
 * is no longer called by that name at all (a fix that renames it and its callers), by another
 * function of the same file receiving the very same arguments (the guard reports those, see
 * OPSGUARD_FAILING). A function still called by its name, but never with those arguments, is not
 * excused by a look-alike.
 */
function madeAgain(call: Frame, outcomes: CallOutcome[], calledByName: boolean): CallOutcome | undefined {
  const same = (o: CallOutcome) => o.fp === call.fingerprint && o.f[0] === pathOf(call);
  const byName = outcomes.find((o) => same(o) && o.f[1] === call.function && o.ok);
  if (byName || calledByName) return byName;
  const renamed = outcomes.filter((o) => same(o) && o.f[1] !== call.function);
  return renamed.some((o) => !o.ok) ? undefined : renamed.find((o) => o.ok);
}

function judgeBehaviour(site: FailureSite, outcomes: CallOutcome[], calledByName: (frame: Frame) => boolean): Verdict | undefined {
  const call = failingCall(site);
  if (!call) return undefined;
  const functions = site.chain.filter((f) => f.function !== "<module>");
  const upTo = functions.slice(0, functions.indexOf(call) + 1);
  const of = (frame: Frame) => outcomes.filter((o) => o.f[0] === pathOf(frame) && o.f[1] === frame.function);
  for (const frame of upTo) {
    const raised = of(frame).find((o) => !o.ok);
    if (raised) {
      const what = raised.exc ? ` (${raised.exc})` : "";
      return { ok: false, reason: `${describeFrame(frame)} still ends in an exception that is silenced above it${what}` };
    }
  }
  if (typeof call.fingerprint === "string") {
    if (!madeAgain(call, outcomes, calledByName(call))) {
      return {
        ok: false,
        reason: `the failing call ${describeFrame(call)} is never made again with the arguments it failed on: the fix changes the input instead of the code`,
      };
    }
  }
  return undefined;
}

export function judgeEntryEvidence(site: FailureSite, evidence: EntryEvidence | undefined): Verdict {
  if (!evidence) return { ok: false, reason: "the program ended without OpsGuard's evidence (did it end the process abruptly?)" };
  const stats = (frame: Frame) => evidence.watched[frameKey(frame)] ?? { calls: 0, returns: 0, raised: 0 };
  const failure = site.chain.at(-1)!;
  if (stats(failure).calls === 0) {
    return { ok: false, reason: `the failure site ${describeFrame(failure)} is never reached: the program exits or returns before it` };
  }
  if (evidence.outcomes) {
    const behaviour = judgeBehaviour(site, evidence.outcomes, (frame) => stats(frame).calls > 0);
    if (behaviour) return behaviour;
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
  const call = evidence.outcomes ? failingCall(site) : undefined;
  const again = call && typeof call.fingerprint === "string" ? madeAgain(call, evidence.outcomes ?? [], stats(call).calls > 0) : undefined;
  const as = again && again.f[1] !== call!.function ? ` (as ${again.f[1]}())` : "";
  const made = again ? `; the failing call ${call!.function}() is made again with the same arguments${as} and returns` : "";
  return { ok: true, summary: `failure site ${describeFrame(failure)} reached ${s.calls} time(s), ${s.returns} normal return(s)${made}; the failing path completes` };
}

/** Entry evidence from the guard's stream, or undefined when the stream has no end record. */
export function entryEvidenceFrom(records: { k: string }[]): EntryEvidence | undefined {
  const end = records.find((r) => r.k === "end") as { ended: string; watched: Record<string, WatchedStats> } | undefined;
  if (!end) return undefined;
  const outcomes = records.filter((r) => r.k === "ret") as unknown as CallOutcome[];
  return { watched: end.watched, ended: end.ended, outcomes };
}
