import { describe, expect, it } from "vitest";
import { judgeEntryEvidence } from "../../src/evidence/entry.js";
import { extractGuardStream, guardRefusals, SEALED_CODE_GUARD } from "../../src/evidence/guardStream.js";
import type { FailureSite } from "../../src/python/failureSite.js";

const line = (nonce: string, seq: number, record: object) => `\nOPSGUARD-GUARD:${nonce}:${seq}:${JSON.stringify(record)}\n`;
const END = { k: "end", ended: "completed", watched: {}, channel: "intact" };

describe("extractGuardStream", () => {
  it("takes the records out of stderr and keeps the rest", () => {
    const { stream, stderr } = extractGuardStream(`warning: x${line("ab", 0, { k: "call", f: ["app.py", "main"] })}${line("ab", 1, END)}`, "ab");
    expect(stream.records.map((r) => r.k)).toEqual(["call", "end"]);
    expect(stream.broken).toEqual([]);
    expect(stderr).toBe("warning: x\n");
  });

  it.each([
    ["a record with another tag", line("cd", 0, END), "forged"],
    ["a gap in the sequence", line("ab", 1, END), "out of sequence"],
    ["a swapped channel", line("ab", 0, { ...END, channel: "swapped" }), "redirected"],
    ["an unreadable record", "\nOPSGUARD-GUARD:ab:0:{nope\n", "unreadable"],
    ["a record after the end", line("ab", 0, END) + line("ab", 1, { k: "call", f: ["a.py", "f"] }), "follow the end record"],
  ])("refuses %s", (_name, stderr, reason) => {
    expect(guardRefusals(extractGuardStream(stderr, "ab").stream).join("\n")).toContain(reason);
  });

  it("refuses forbidden operations and tampering", () => {
    const stderr = line("ab", 0, { k: "forbidden", op: "gc.get_objects", where: "app.py line 3 in main" }) + line("ab", 1, { k: "tamper", what: "threading.settrace" });
    expect(guardRefusals(extractGuardStream(stderr, "ab").stream)).toEqual([
      "the fix did a forbidden operation: gc.get_objects at app.py line 3 in main",
      "the fix switched off OpsGuard's observation (threading.settrace)",
    ]);
  });
});

describe("a sealed run's code-side stream", () => {
  const sealedLine = (seq: number, record: object) => `\n${SEALED_CODE_GUARD}:ab:${seq}:${JSON.stringify(record)}\n`;
  const FORBIDDEN = { k: "forbidden", op: "gc.get_objects", where: "app.py line 3 in <module>" };

  it("is a stream of its own: each prefix keeps its own sequence", () => {
    const stderr = `${line("ab", 0, END)}${sealedLine(0, FORBIDDEN)}${line("ab", 1, FORBIDDEN)}${sealedLine(1, FORBIDDEN)}tail`;
    const code = extractGuardStream(stderr, "ab", SEALED_CODE_GUARD);
    const own = extractGuardStream(code.stderr, "ab");
    expect(code.stream.broken).toEqual([]);
    expect(code.stream.records).toEqual([FORBIDDEN, FORBIDDEN]);
    expect(own.stream.broken).toEqual([]);
    expect(own.stream.records.map((r) => r.k)).toEqual(["end", "forbidden"]);
    expect(own.stderr).toBe("tail");
  });

  it("is not taken for the in-process guard's stream, nor the other way round", () => {
    expect(extractGuardStream(sealedLine(0, FORBIDDEN), "ab").stream.records).toEqual([]);
    expect(extractGuardStream(line("ab", 0, FORBIDDEN), "ab", SEALED_CODE_GUARD).stream.records).toEqual([]);
  });
});

describe("judgeEntryEvidence with behaviour", () => {
  const site: FailureSite = {
    kind: "exception",
    chain: [
      { file: "app.py", function: "<module>", line: 84 },
      { file: "app.py", function: "main", line: 80, fingerprint: null },
      { file: "app.py", function: "build_report", line: 68, fingerprint: "f1" },
      { file: "app.py", function: "parse_price", line: 45, fingerprint: "f2" },
    ],
  };
  const watched = { "app.py:main": { calls: 1, returns: 1, raised: 0 }, "app.py:parse_price": { calls: 5, returns: 4, raised: 1 } };
  const ret = (fn: string, fp: string | null, ok: boolean) => ({ f: ["app.py", fn] as [string, string], fp, ok, exc: ok ? null : "ValueError" });

  it.each([
    ["the failing call returns; a raise below it is handled inside it", [ret("main", null, true), ret("build_report", "f1", true), ret("parse_price", "f2", false)], true, "is made again with the same arguments"],
    ["the failing call raises and main() catches it", [ret("main", null, true), ret("build_report", "f1", false)], false, "build_report() in app.py line 68 still ends in an exception that is silenced above it (ValueError)"],
    ["main() raises and something above swallows it", [ret("main", null, false), ret("build_report", "f1", false)], false, "main() in app.py line 80 still ends"],
    ["the failing call is made with other arguments", [ret("main", null, true), ret("build_report", "f9", true)], false, "is never made again with the arguments it failed on"],
  ] as const)("%s", (_name, outcomes, ok, text) => {
    const verdict = judgeEntryEvidence(site, { watched, ended: "completed", outcomes: [...outcomes] });
    expect(verdict.ok).toBe(ok);
    expect(verdict.ok ? verdict.summary : verdict.reason).toContain(text);
  });

  it("takes a renamed failing function made with the same arguments (a fix of the callers too)", () => {
    const outcomes = [ret("main", null, true), ret("weekly_report", "f1", true), ret("parse_price", "f2", false)];
    const verdict = judgeEntryEvidence(site, { watched, ended: "completed", outcomes });
    expect(verdict.ok && verdict.summary).toContain("made again with the same arguments (as weekly_report()) and returns");
  });

  it("takes no look-alike while the failing function is still called by its name, nor one that raises", () => {
    const called = { ...watched, "app.py:build_report": { calls: 1, returns: 1, raised: 0 } };
    const lookAlike = [ret("main", null, true), ret("build_report", "f9", true), ret("weekly_report", "f1", true)];
    const byName = judgeEntryEvidence(site, { watched: called, ended: "completed", outcomes: lookAlike });
    expect(!byName.ok && byName.reason).toContain("is never made again with the arguments it failed on");
    const raises = [ret("main", null, true), ret("weekly_report", "f1", false), ret("weekly_report", "f1", true)];
    const raised = judgeEntryEvidence(site, { watched, ended: "completed", outcomes: raises });
    expect(!raised.ok && raised.reason).toContain("is never made again with the arguments it failed on");
  });
});
