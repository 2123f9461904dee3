/**
 * Which outcome of a test counts, and how far it can be trusted. A verification in pytest mode
 * runs the suite twice: sealed (tests and fix in two processes that share only plain data) and
 * in-process. A sealed outcome decides wherever the test's use of the changed code could be sealed
 * ("sealed"); elsewhere the in-process outcome stands ("guarded"), with the reason. Pure.
 */
import type { TestTrust } from "../state/state.js";
import { outcomesOf, type PytestEvidence } from "./pytest.js";
import type { TestOutcome } from "../state/state.js";

export interface TrustedOutcomes {
  outcomes: Record<string, TestOutcome>;
  trust: Record<string, TestTrust>;
}

export function mergeSealedOutcomes(inProcess: PytestEvidence, sealed: PytestEvidence): TrustedOutcomes {
  const guardedOutcomes = outcomesOf(inProcess);
  const sealedOutcomes = outcomesOf(sealed);
  const outcomes: Record<string, TestOutcome> = {};
  const trust: Record<string, TestTrust> = {};
  for (const id of new Set([...Object.keys(guardedOutcomes), ...Object.keys(sealedOutcomes)])) {
    const why = sealed.unsealable[id];
    const sealedOutcome = sealedOutcomes[id];
    if (sealedOutcome !== undefined && why === undefined) {
      outcomes[id] = sealedOutcome;
      trust[id] = { level: "sealed" };
    } else {
      outcomes[id] = guardedOutcomes[id] ?? "missing";
      trust[id] = { level: "guarded", note: why ?? "not collected in the sealed run" };
    }
  }
  return { outcomes, trust };
}

/** Every outcome of a run that was not sealed, with the same note. */
export function allGuarded(inProcess: PytestEvidence, note: string): TrustedOutcomes {
  const outcomes = outcomesOf(inProcess);
  return { outcomes, trust: Object.fromEntries(Object.keys(outcomes).map((id) => [id, { level: "guarded" as const, note }])) };
}
