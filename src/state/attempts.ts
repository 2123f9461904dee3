/** Pure helpers over the list of fix attempts kept in state. */
import type { Attempt, OpsGuardState, StateUpdate } from "./state.js";

export function currentAttempt(state: OpsGuardState): Attempt {
  const attempt = state.attempts?.at(-1);
  if (!attempt || attempt.outcome !== "pending") throw new Error("No fix attempt is in progress.");
  return attempt;
}

export function updateCurrent(state: OpsGuardState, change: Partial<Attempt>): Attempt[] {
  const attempts = state.attempts ?? [];
  return [...attempts.slice(0, -1), { ...currentAttempt(state), ...change }];
}

/** Refuses the attempt in progress; the run ends FAILED when it was the last one allowed. */
export function refuseCurrent(state: OpsGuardState, stage: Attempt["stage"], reason: string): StateUpdate {
  const attempts = updateCurrent(state, { outcome: "refused", stage, reason });
  if (attempts.length < state.maxFixAttempts) return { attempts };
  return { attempts, status: "FAILED", reason: `All ${attempts.length} fix attempts were refused. ${decisiveRefusal(attempts)}` };
}

/** The refusal that ended a run: the last attempt's gate and reason, in one sentence. */
export function decisiveRefusal(attempts: Attempt[]): string {
  const last = attempts.at(-1);
  if (!last || last.outcome !== "refused") return "";
  return `The last (attempt ${last.number}) was refused at the ${last.stage} gate: ${last.reason}`;
}

export function lastOutcome(state: OpsGuardState): Attempt["outcome"] | undefined {
  return state.attempts?.at(-1)?.outcome;
}

/** A changed file as it was before any attempt ("" for a file the fix adds). */
export function originalOf(state: OpsGuardState, path: string): string {
  const known = state.baseline?.find((b) => b.path === path);
  if (known) return known.content;
  return path === state.original?.path ? state.original.content : "";
}
