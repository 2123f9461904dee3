/** The shape of the pytest plugin's evidence (sandbox/python/opsguard_pytest.py), checked. */
import { z } from "zod";

const Outcome = z.enum(["passed", "failed", "error", "skipped", "xfailed", "xpassed"]);

export const PytestEvidence = z.object({
  collected: z.array(z.string()),
  outcomes: z.record(z.string(), Outcome),
  exitstatus: z.number().int(),
});
export type PytestEvidence = z.infer<typeof PytestEvidence>;

export const EntryEvidenceSchema = z.object({
  watched: z.record(z.string(), z.object({ calls: z.number(), returns: z.number(), raised: z.number() })),
  ended: z.string(),
});

/** Every collected test gets an outcome; a collected test without one (e.g. deselected) is "missing". */
export function outcomesOf(evidence: PytestEvidence): Record<string, z.infer<typeof Outcome> | "missing"> {
  const all: Record<string, z.infer<typeof Outcome> | "missing"> = {};
  for (const id of evidence.collected) all[id] = evidence.outcomes[id] ?? "missing";
  for (const [id, outcome] of Object.entries(evidence.outcomes)) all[id] = outcome;
  return all;
}

/** What the verify container's launcher reports when a fixed file does not compile. */
export const CompileEvidence = z.object({ compile: z.object({ file: z.string(), error: z.string() }) });
