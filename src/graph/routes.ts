/**
 * The conditional edges, as small pure functions over state. A node that ends the run sets
 * `status`; every route sends such a run to the report.
 */
import { lastOutcome } from "../state/attempts.js";
import type { OpsGuardState } from "../state/state.js";

export const afterSetup = (s: OpsGuardState) => (s.status ? "report" : "buildReproduction");

/** The environment phase (in buildReproduction) may stop the run: a failed install, a base without pip. */
export const afterBuildReproduction = (s: OpsGuardState) => (s.status ? "report" : "reproduce");

export const afterReproduce = (s: OpsGuardState) => (s.status ? "report" : "classify");

export const afterClassify = (s: OpsGuardState) =>
  s.status ? "report" : s.errorType === "CODE_ERROR" ? "propose" : "buildReproduction";

export const afterPropose = (s: OpsGuardState) =>
  s.status ? "report" : lastOutcome(s) === "refused" ? "propose" : "validate";

/** After a gate: a refused attempt goes back to propose (with its refusal fed back), a passed one onward. */
const afterGate =
  <Next extends string>(next: Next) =>
  (s: OpsGuardState): "report" | "propose" | Next =>
    s.status ? "report" : lastOutcome(s) === "refused" ? "propose" : next;

export const afterValidate = afterGate("screen");
export const afterScreen = afterGate("apply");

/** A proven fix goes to a person first when asked (--review), and is written only when asked (--apply). */
export const afterVerify = (s: OpsGuardState) =>
  s.status === "SUCCESS" && s.reviewFix ? "review" : afterReview(s) === "applyToRepo" ? "applyToRepo" : afterGate("report")(s);

export const afterReview = (s: OpsGuardState) => (s.status === "SUCCESS" && s.applyFix ? "applyToRepo" : "report");
