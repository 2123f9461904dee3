/**
 * The guard's evidence stream (sandbox/python/opsguard_guard.py): lines
 * `OPSGUARD-GUARD:<nonce>:<seq>:<json>` written the moment something happens. Takes them out of
 * stderr and checks the stream is unbroken: every line carries this run's nonce, the sequence counts
 * from 0 without a gap or a repeat, and the channel was never redirected. Pure.
 */
import { splitTagged } from "./stream.js";
import { z } from "zod";
import { WatchedStats } from "../state/state.js";

const Key = z.tuple([z.string(), z.string()]);
export const GuardRecord = z.discriminatedUnion("k", [
  z.object({ k: z.literal("forbidden"), op: z.string(), where: z.string() }),
  z.object({ k: z.literal("tamper"), what: z.string() }),
  z.object({ k: z.literal("call"), f: Key }),
  z.object({ k: z.literal("ret"), f: Key, fp: z.string().nullable(), ok: z.boolean(), exc: z.string().nullable().optional() }),
  z.object({ k: z.literal("failure"), chain: z.array(z.tuple([z.string(), z.string(), z.number(), z.string().nullable()])) }),
  z.object({
    k: z.literal("end"),
    ended: z.string(),
    watched: z.record(z.string(), WatchedStats),
    channel: z.enum(["intact", "swapped"]),
  }),
]);
export type GuardRecord = z.infer<typeof GuardRecord>;

export interface GuardStream {
  records: GuardRecord[];
  /** The stream ends in an "end" record, after which only forbidden-operation reports may follow. */
  end?: Extract<GuardRecord, { k: "end" }>;
  /** Why the stream cannot be trusted: forged or unreadable lines, a gap, a redirected channel. */
  broken: string[];
}

/** The in-process guard's lines; a sealed run's launcher passes the code side's on as SEALED_CODE_GUARD. */
export const GUARD_PREFIX = "OPSGUARD-GUARD";
export const SEALED_CODE_GUARD = "OPSGUARD-SEALED-GUARD";

const lineOf = (prefix: string) => new RegExp(`^${prefix}:([0-9a-f]*):(\\d+):(.*)$`);

export function extractGuardStream(stderr: string, nonce: string, prefix: string = GUARD_PREFIX): { stream: GuardStream; stderr: string } {
  const LINE = lineOf(prefix);
  const records: GuardRecord[] = [];
  const broken: string[] = [];
  let expected = 0;
  let end: GuardStream["end"];
  const { tagged, kept } = splitTagged(stderr, LINE);
  for (const match of tagged) {
    if (match[1] !== nonce) {
      broken.push("a guard record with another run's tag was written (forged)");
      continue;
    }
    if (Number(match[2]) !== expected) {
      broken.push(`the guard's records are out of sequence (record ${match[2]} where ${expected} was due)`);
      expected = Number(match[2]);
    }
    expected++;
    let parsed: ReturnType<typeof GuardRecord.safeParse>;
    try {
      parsed = GuardRecord.safeParse(JSON.parse(match[3]!));
    } catch {
      broken.push(`guard record ${match[2]} is unreadable`);
      continue;
    }
    if (!parsed.success) {
      broken.push(`guard record ${match[2]} is unreadable`);
      continue;
    }
    if (end && parsed.data.k !== "forbidden") broken.push("guard records follow the end record");
    records.push(parsed.data);
    if (parsed.data.k === "end") {
      end = parsed.data;
      if (end.channel === "swapped") broken.push("the evidence channel was redirected during the run (dup2/close of its file descriptor)");
    }
  }
  return { stream: { records, ...(end ? { end } : {}), broken }, stderr: kept.join("\n") };
}

/** Reasons the guard's stream refuses a verification in any mode: forbidden operations, tampering. */
export function guardRefusals(stream: GuardStream): string[] {
  const reasons = [...stream.broken];
  for (const record of stream.records) {
    if (record.k === "forbidden") reasons.push(`the fix did a forbidden operation: ${record.op} at ${record.where}`);
    if (record.k === "tamper") reasons.push(`the fix switched off OpsGuard's observation (${record.what})`);
  }
  return reasons;
}
