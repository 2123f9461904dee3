import { describe, expect, it } from "vitest";
import type { Classification, OpsGuardState, SandboxRun } from "../../src/state/state.js";
import type { GuardStream } from "../../src/evidence/guardStream.js";
import { judgeVerification, type VerificationRun } from "../../src/judge/judgeVerification.js";

const T = "tests/test_app.py::test_total";
const state = { mode: "pytest", testsBefore: { [T]: "failed" }, requireSealed: false } as unknown as OpsGuardState;
const run: SandboxRun = { exitCode: 0, stdout: "", stderr: "", durationMs: 1, endReason: "exited", command: [], image: "i" };
const after: Classification = { errorType: "NO_ERROR", reason: "exit 0" };
const RECORDS = [{ seq: 0, collected: [T] }, { seq: 1, start: T }, { seq: 2, test: T, outcome: "passed" }, { seq: 3, end: 0, tests: 1 }];
const ENDED: GuardStream = { records: [], end: { k: "end", ended: "exit:0", watched: {}, channel: "intact" }, broken: [] };
const pytestRun = (guard: GuardStream, extra: Partial<VerificationRun> = {}): VerificationRun => ({ run, records: RECORDS, guard, ...extra });

describe("judgeVerification in pytest mode: the plugin's stream and the guard's", () => {
  it("proves a fix when both streams are unbroken to their end", () => {
    const judgement = judgeVerification(state, pytestRun(ENDED), after, pytestRun(ENDED));
    expect(judgement.ok).toBe(true);
  });

  it("refuses when the guard's stream has no end record, though the plugin's is complete", () => {
    const judgement = judgeVerification(state, pytestRun({ records: [], broken: [] }), after, pytestRun(ENDED));
    expect(judgement).toMatchObject({ ok: false, reason: "the test run's guard stream has no end record (exited, exit 0)" });
  });

  it("says first that the plugin's stream is incomplete when both are cut", () => {
    const cut = { ...pytestRun({ records: [], broken: [] }), records: RECORDS.slice(0, 2) };
    const judgement = judgeVerification(state, cut, after, pytestRun(ENDED));
    expect(judgement.ok).toBe(false);
    expect(judgement.ok ? "" : judgement.reason).toContain("the test run's evidence is incomplete");
  });

  it("refuses on a forbidden operation of the sealed run's code side, keeping no outcome", () => {
    const codeGuard: GuardStream = { records: [{ k: "forbidden", op: "gc.get_objects", where: "app.py line 3 in <module>" }], broken: [] };
    const judgement = judgeVerification(state, pytestRun(ENDED), after, pytestRun(ENDED, { codeGuard }));
    expect(judgement).toEqual({ ok: false, reason: "the fix did a forbidden operation: gc.get_objects at app.py line 3 in <module> (sealed run, code side)" });
  });
});
