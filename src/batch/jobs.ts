/**
 * The jobs file: one JSON object per line, keyed by the run command's long flag names. Every line
 * is checked before any job starts, so a typo on line 40 never surfaces after 39 finished jobs.
 * Relative paths are resolved against the jobs file's directory, so a jobs file and the
 * repositories next to it can be moved together and run from anywhere.
 */
import { readFile } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import { z } from "zod";
import type { OpsGuardInput } from "../state/state.js";
import { UsageError } from "../errors.js";
import { RUN_INPUT_SPECS } from "../state/inputTable.js";
import { givenValueProblem, JOB_LINE_NAMES, toRunInput } from "../state/runInputs.js";

/** A job line's own key: not a run input, it names the job. */
const NAME = { key: "name", schema: z.string().min(1), rule: "must be a non-empty string" };

const batchInputs = RUN_INPUT_SPECS.filter((spec) => spec.batch);

/**
 * The keys a line may carry: the batch inputs of the input table under their flag names, and a
 * name. Strict: an unknown key is far more likely a typo than an intention.
 */
export const JobLine = z.strictObject({
  [NAME.key]: NAME.schema.optional(),
  ...Object.fromEntries(batchInputs.map((spec) => [spec.flag, spec.required ? spec.value : spec.value.optional()])),
});
export type JobLine = { name?: string; repo: string } & Record<string, unknown>;

export interface BatchJob {
  /** 1-based position among the jobs (blank and comment lines are not counted). */
  index: number;
  /** 1-based line number in the jobs file, for messages. */
  line: number;
  /** `<NN>-<name or repo basename>`: the job's name in progress, summary and artifacts. */
  id: string;
  name?: string;
  /** The remediation's input, paths absolute, `artifacts` set to the job's own directory. */
  input: OpsGuardInput;
}

function describeIssue(issue: z.core.$ZodIssue, line: Record<string, unknown>): string {
  if (issue.code === "unrecognized_keys") {
    return `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
  }
  const key = String(issue.path[0] ?? "");
  // A missing required key reaches us as a type error on `undefined`.
  if (line[key] === undefined) return `"${key}" is required`;
  const spec = batchInputs.find((s) => s.flag === key);
  if (spec) return givenValueProblem(spec, line[key], JOB_LINE_NAMES)!.replace(/\.$/, "");
  return key === NAME.key ? `"${key}" ${NAME.rule}` : issue.message;
}

/** Keeps names usable as one directory component. */
function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^\.+/, "_") || "job";
}

/**
 * Reads and checks the whole jobs file. Throws a UsageError naming the file, the line and the
 * problem for the first bad line; returns the jobs with their artifact directories under `artifactsRoot`.
 */
export async function loadJobs(jobsFile: string, artifactsRoot: string): Promise<BatchJob[]> {
  const file = resolve(jobsFile);
  let content: string;
  try {
    content = await readFile(file, "utf8");
  } catch (err) {
    throw new UsageError(`cannot read the jobs file ${jobsFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const base = dirname(file);
  const parsed: { line: number; job: JobLine; input: OpsGuardInput }[] = [];
  const lines = content.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const bad = (problem: string) => new UsageError(`${jobsFile} line ${line}: ${problem}`);
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (err) {
      throw bad(`not valid JSON (${(err as Error).message})`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw bad("must be a JSON object");
    const result = JobLine.safeParse(value);
    if (!result.success) throw bad(describeIssue(result.error.issues[0]!, value as Record<string, unknown>));
    const job = result.data as JobLine;
    // Paths are checked here too, so that a wrong path is a usage error before anything runs.
    try {
      parsed.push({ line, job, input: await toRunInput(job, { scope: "batch", base, names: JOB_LINE_NAMES }) });
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      throw bad(err.message.replace(/\.$/, ""));
    }
  }
  if (parsed.length === 0) throw new UsageError(`${jobsFile} has no jobs (blank lines and # comments are skipped).`);

  const width = Math.max(2, String(parsed.length).length);
  const root = resolve(artifactsRoot);
  return parsed.map(({ line, job, input }, i) => {
    const index = i + 1;
    const id = `${String(index).padStart(width, "0")}-${safeName(job.name ?? basename(input.repo))}`;
    // Options the line leaves out stay out of the input, so the graph's own defaults (OpsGuardInput) apply.
    return { index, line, id, ...(job.name !== undefined ? { name: job.name } : {}), input: { ...input, artifacts: resolve(root, id) } };
  });
}
