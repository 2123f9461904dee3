/**
 * Evidence lines: OpsGuard's runners inside the sandbox (sandbox/python) report what they saw on
 * the original stderr, tagged with a per-run nonce that the code under test never sees. Pure.
 */
import { randomBytes } from "node:crypto";

export function newNonce(): string {
  return randomBytes(16).toString("hex");
}

const LINE = /^OPSGUARD-EVIDENCE:([0-9a-f]+):(.*)$/;

/** Takes the evidence line with this run's nonce out of stderr; lines with another nonce are forgeries. */
export function extractEvidence(stderr: string, nonce: string): { evidence?: unknown; stderr: string; forged: boolean } {
  let evidence: unknown;
  let forged = false;
  const kept: string[] = [];
  for (const line of stderr.split("\n")) {
    const match = LINE.exec(line);
    if (!match) {
      kept.push(line);
      continue;
    }
    if (match[1] !== nonce || evidence !== undefined) {
      forged = true;
      continue;
    }
    try {
      evidence = JSON.parse(match[2]!);
    } catch {
      forged = true;
    }
  }
  // The runner writes a blank line before its evidence so it never joins a partial line.
  const text = kept.join("\n").replace(/\n\n$/, "\n");
  return { ...(evidence !== undefined ? { evidence } : {}), stderr: evidence !== undefined ? text : stderr, forged };
}
