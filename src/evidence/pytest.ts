/** The shape of the runners' evidence (sandbox/python), checked, and the pytest stream assembled. */
import { z } from "zod";
import { PytestOutcome, type TestOutcome } from "../state/state.js";


const Seq = z.number().int().nonnegative();
/** Where pytest looked: what gate 2 tells the user when it collected nothing. */
const Where = z.object({
  args: z.array(z.string()),
  rootdir: z.string(),
  inifile: z.string().nullable(),
  testpaths: z.array(z.string()),
  python_files: z.array(z.string()),
});
export type CollectionWhere = z.infer<typeof Where>;
const CollectedRecord = z.object({ seq: Seq, collected: z.array(z.string()), files: z.array(z.string()).optional(), where: Where.optional() }).strict();
const StartRecord = z.object({ seq: Seq, start: z.string() }).strict();
const TestRecord = z.object({ seq: Seq, test: z.string(), outcome: PytestOutcome, unsealable: z.string().optional() }).strict();
const EndRecord = z.object({ seq: Seq, end: z.number().int(), tests: z.number().int().nonnegative() }).strict();
const StreamRecord = z.union([CollectedRecord, StartRecord, TestRecord, EndRecord]);

/** What one pytest run reported, assembled from its stream of records. */
export interface PytestEvidence {
  collected: string[];
  /** Repository-relative files the collected tests came from. */
  files: string[];
  where?: CollectionWhere;
  outcomes: Record<string, PytestOutcome>;
  /** Tests that touched the changed code in a way a sealed run cannot carry, with why. */
  unsealable: Record<string, string>;
  /** Tests that started and never ended: the process died or was killed during them. */
  hung: string[];
  /** pytest's exit status, present only when the stream is complete. */
  exitstatus?: number;
  /** The stream is unbroken from collection to pytest's end. */
  complete: boolean;
  /** Why it is not complete, in words. */
  broken?: string;
}

/**
 * Assembles the plugin's records. Anything out of order (a gap, a repeat, a second collection, an
 * outcome for a test that never started) makes the stream broken; so does a missing end record.
 */
export function assemblePytestEvidence(records: unknown[]): PytestEvidence | undefined {
  if (records.length === 0) return undefined;
  const evidence: PytestEvidence = { collected: [], files: [], outcomes: {}, unsealable: {}, hung: [], complete: false };
  let running: string | undefined;
  let finished = 0;
  const breakAt = (why: string) => ({ ...evidence, hung: running ? [running] : [], broken: why });
  for (const [index, raw] of records.entries()) {
    const parsed = StreamRecord.safeParse(raw);
    if (!parsed.success) return breakAt(`record ${index} is not one OpsGuard's plugin writes`);
    const record = parsed.data;
    if (record.seq !== index) return breakAt(`record ${index} carries sequence number ${record.seq}`);
    if ("collected" in record) {
      if (index !== 0) return breakAt("a second collection record appeared");
      evidence.collected = record.collected;
      evidence.files = record.files ?? [];
      if (record.where) evidence.where = record.where;
    } else if (index === 0) {
      return breakAt("the stream does not start with the collected tests");
    } else if ("start" in record) {
      if (running !== undefined) return breakAt(`${record.start} started while ${running} was still running`);
      running = record.start;
    } else if ("test" in record) {
      if (record.test !== running || record.test in evidence.outcomes) return breakAt(`an outcome for ${record.test} came without its start`);
      evidence.outcomes[record.test] = record.outcome;
      if (record.unsealable !== undefined) evidence.unsealable[record.test] = record.unsealable;
      running = undefined;
      finished++;
    } else {
      if (index !== records.length - 1) return breakAt("records follow the end record");
      if (running !== undefined) return breakAt(`pytest ended while ${running} was still running`);
      if (record.tests !== finished) return breakAt(`the end record counts ${record.tests} tests, the stream ${finished}`);
      return { ...evidence, exitstatus: record.end, complete: true };
    }
  }
  const done = Object.keys(evidence.outcomes).length;
  return breakAt(`the stream stops after ${done} of ${evidence.collected.length} tests${running ? `, during ${running}` : ""}`);
}

/**
 * Each collected test's outcome. A test that started and never ended failed (it hung, or its
 * process died); a collected test that never started was not observed ("missing").
 */
export function outcomesOf(evidence: PytestEvidence): Record<string, TestOutcome> {
  const all: Record<string, TestOutcome> = {};
  for (const id of evidence.collected) all[id] = evidence.outcomes[id] ?? "missing";
  for (const [id, outcome] of Object.entries(evidence.outcomes)) all[id] = outcome;
  for (const id of evidence.hung) all[id] = "failed";
  return all;
}

/** What the verify container's launcher reports when a fixed file does not compile. */
export const CompileEvidence = z.object({ compile: z.object({ file: z.string(), error: z.string() }) });
