import { describe, expect, it } from "vitest";
import { extractEvidence, newNonce } from "../../src/evidence/protocol.js";

describe("extractEvidence", () => {
  const nonce = "ab12";
  it("takes this run's evidence out of stderr", () => {
    const result = extractEvidence(`warning: x\n\nOPSGUARD-EVIDENCE:ab12:{"ok":1}\n`, nonce);
    expect(result).toEqual({ evidence: { ok: 1 }, stderr: "warning: x\n", forged: false });
  });

  it.each([
    ["another nonce", "OPSGUARD-EVIDENCE:ffff:{}\n"],
    ["a second line", 'OPSGUARD-EVIDENCE:ab12:{"a":1}\nOPSGUARD-EVIDENCE:ab12:{"b":2}\n'],
    ["unreadable JSON", "OPSGUARD-EVIDENCE:ab12:{not json\n"],
  ])("flags %s as forged", (_name, stderr) => {
    expect(extractEvidence(stderr, nonce).forged).toBe(true);
  });

  it("leaves stderr alone without evidence", () => {
    expect(extractEvidence("Traceback ...\n", nonce)).toEqual({ stderr: "Traceback ...\n", forged: false });
  });

  it("makes a fresh 128-bit nonce each time", () => {
    expect(newNonce()).toMatch(/^[0-9a-f]{32}$/);
    expect(newNonce()).not.toBe(newNonce());
  });
});
