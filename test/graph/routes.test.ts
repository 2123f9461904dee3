import { describe, expect, it } from "vitest";
import * as routes from "../../src/graph/routes.js";
import type { Attempt, OpsGuardState } from "../../src/state/state.js";

const base = {
  repo: "/r", error: "ValueError", entry: "app.py", mode: "entry", candidates: [], artifacts: "a",
  timeoutSeconds: 30, testTimeoutSeconds: 10, applyFix: false, reviewFix: false, maxReproAttempts: 2, maxFixAttempts: 3,
} as OpsGuardState;
const attempt = (outcome: Attempt["outcome"]): Attempt => ({ number: 1, provider: "p", model: "m", latencyMs: 0, files: [], outcome });

describe("routes", () => {
  it.each([
    ["setup", routes.afterSetup, {}, "buildReproduction"],
    ["setup", routes.afterSetup, { status: "FAILED" }, "report"],
    ["buildReproduction", routes.afterBuildReproduction, {}, "reproduce"],
    ["buildReproduction", routes.afterBuildReproduction, { status: "INFRA_STOP" }, "report"],
    ["reproduce", routes.afterReproduce, {}, "classify"],
    ["reproduce", routes.afterReproduce, { status: "INFRA_STOP" }, "report"],
    ["classify", routes.afterClassify, { errorType: "CODE_ERROR" }, "propose"],
    ["classify", routes.afterClassify, { errorType: "NO_ERROR" }, "buildReproduction"],
    ["classify", routes.afterClassify, { errorType: "NO_ERROR", status: "NOT_REPRODUCIBLE" }, "report"],
    ["classify", routes.afterClassify, { errorType: "INFRA_ERROR", status: "INFRA_STOP" }, "report"],
    ["propose", routes.afterPropose, { attempts: [attempt("pending")] }, "validate"],
    ["propose", routes.afterPropose, { status: "FAILED" }, "report"],
    ["propose", routes.afterPropose, { attempts: [attempt("refused")] }, "propose"],
    ["validate", routes.afterValidate, { attempts: [attempt("pending")] }, "screen"],
    ["screen", routes.afterScreen, { attempts: [attempt("pending")] }, "apply"],
    ["screen", routes.afterScreen, { attempts: [attempt("refused")] }, "propose"],
    ["validate", routes.afterValidate, { attempts: [attempt("refused")] }, "propose"],
    ["validate", routes.afterValidate, { attempts: [attempt("refused")], status: "FAILED" }, "report"],
    ["verify", routes.afterVerify, { attempts: [attempt("accepted")], status: "SUCCESS" }, "report"],
    ["verify", routes.afterVerify, { attempts: [attempt("accepted")], status: "SUCCESS", applyFix: true }, "applyToRepo"],
    ["verify", routes.afterVerify, { attempts: [attempt("accepted")], status: "SUCCESS", reviewFix: true, applyFix: true }, "review"],
    ["review", routes.afterReview, { status: "SUCCESS", applyFix: true }, "applyToRepo"],
    ["review", routes.afterReview, { status: "SUCCESS" }, "report"],
    ["review", routes.afterReview, { status: "FAILED", applyFix: true }, "report"],
    ["verify", routes.afterVerify, { attempts: [attempt("refused")] }, "propose"],
    ["verify", routes.afterVerify, { attempts: [attempt("refused")], status: "FAILED" }, "report"],
  ] as const)("after %s with %j goes to %s", (_node, route, change, expected) => {
    expect(route({ ...base, ...(change as Partial<OpsGuardState>) })).toBe(expected);
  });
});
