/**
 * Evidence lines: OpsGuard's runners inside the sandbox (sandbox/python) report what they saw on
 * the original stderr, tagged with a per-run nonce that the code under test never sees. Pure.
 */
import { randomBytes } from "node:crypto";
import { extractEvidenceStream } from "./stream.js";

export function newNonce(): string {
  return randomBytes(16).toString("hex");
}

/**
 * Takes the one evidence line with this run's nonce out of stderr: a streamed evidence record that
 * is alone. A line with another nonce, unreadable JSON or a second line is a forgery.
 */
export function extractEvidence(stderr: string, nonce: string): { evidence?: unknown; stderr: string; forged: boolean } {
  const stream = extractEvidenceStream(stderr, nonce);
  const [evidence] = stream.records;
  return { ...(evidence !== undefined ? { evidence } : {}), stderr: stream.stderr, forged: stream.forged || stream.records.length > 1 };
}
