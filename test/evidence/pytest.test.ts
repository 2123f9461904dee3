import { describe, expect, it } from "vitest";
import { extractEvidenceStream } from "../../src/evidence/stream.js";
import { assemblePytestEvidence, outcomesOf } from "../../src/evidence/pytest.js";

const A = "tests/t.py::a";
const B = "tests/t.py::b";
const C = "tests/t.py::c";
const collected = { seq: 0, collected: [A, B, C] };
const ran = (seq: number, id: string, outcome: string) => [{ seq, start: id }, { seq: seq + 1, test: id, outcome }];
const full = [collected, ...ran(1, A, "failed"), ...ran(3, B, "passed"), ...ran(5, C, "passed"), { seq: 7, end: 1, tests: 3 }];

describe("extractEvidenceStream", () => {
  it("takes every record with this run's nonce out of stderr, in order", () => {
    const stderr = `warn\n\nOPSGUARD-EVIDENCE:ab:{"seq":0}\n\nOPSGUARD-EVIDENCE:ab:{"seq":1}\nbye\n`;
    expect(extractEvidenceStream(stderr, "ab")).toEqual({ records: [{ seq: 0 }, { seq: 1 }], stderr: "warn\nbye\n", forged: false });
  });

  it.each([
    ["another nonce", "OPSGUARD-EVIDENCE:ff:{}\n"],
    ["unreadable JSON", "OPSGUARD-EVIDENCE:ab:{not json\n"],
  ])("flags %s as forged", (_name, stderr) => {
    expect(extractEvidenceStream(stderr, "ab").forged).toBe(true);
  });
});

describe("assemblePytestEvidence", () => {
  it("assembles an unbroken stream into outcomes and pytest's status", () => {
    const evidence = assemblePytestEvidence(full)!;
    expect(evidence).toMatchObject({ complete: true, exitstatus: 1, hung: [], outcomes: { [A]: "failed", [B]: "passed", [C]: "passed" } });
  });

  it("keeps what a killed run wrote: the running test failed, the unstarted ones were not observed", () => {
    const evidence = assemblePytestEvidence([collected, ...ran(1, A, "failed"), { seq: 3, start: B }])!;
    expect(evidence.complete).toBe(false);
    expect(evidence.broken).toBe(`the stream stops after 1 of 3 tests, during ${B}`);
    expect(outcomesOf(evidence)).toEqual({ [A]: "failed", [B]: "failed", [C]: "missing" });
  });

  it("records why a test could not be sealed", () => {
    const records = [{ seq: 0, collected: [A] }, { seq: 1, start: A }, { seq: 2, test: A, outcome: "passed", unsealable: "returned a Box" }, { seq: 3, end: 0, tests: 1 }];
    expect(assemblePytestEvidence(records)?.unsealable).toEqual({ [A]: "returned a Box" });
  });

  it.each([
    ["a gap", full.filter((r) => r.seq !== 3), "record 3 carries sequence number 4"],
    ["a repeated record", [...full.slice(0, 3), full[2], ...full.slice(3)], "record 3 carries sequence number 2"],
    ["no end record", full.slice(0, -1), "the stream stops after 3 of 3 tests"],
    ["an end record that miscounts", [...full.slice(0, -1), { seq: 7, end: 0, tests: 2 }], "the end record counts 2 tests, the stream 3"],
    ["an outcome without its start", [collected, { seq: 1, test: A, outcome: "passed" }], `an outcome for ${A} came without its start`],
    ["a record of unknown shape", [collected, { seq: 1, start: A, outcome: "passed" }], "record 1 is not one OpsGuard's plugin writes"],
    ["a stream not led by collection", [{ seq: 0, start: A }], "the stream does not start with the collected tests"],
  ])("is broken by %s", (_name, records, why) => {
    const evidence = assemblePytestEvidence(records)!;
    expect(evidence.complete).toBe(false);
    expect(evidence.broken).toBe(why);
    expect(evidence.exitstatus).toBeUndefined();
  });

  it("is absent when nothing was written", () => {
    expect(assemblePytestEvidence([])).toBeUndefined();
  });
});
