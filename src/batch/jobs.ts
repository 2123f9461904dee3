/**
 * The jobs file: one JSON object per line, keyed by the run command's long flag names. Every line
 * is checked before any job starts, so a typo on line 40 never surfaces after 39 finished jobs.
 * Relative paths are resolved against the jobs file's directory, so a jobs file and the
 * repositories next to it can be moved together and run from anywhere.
 */
import { readFile, stat } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import { z } from "zod";
import type { OpsGuardInput } from "../state/state.js";
import { UsageError } from "../errors.js";
import { parseEnvPairs, runInputProblem } from "../state/runInputs.js";

const text = (what: string) => z.string({ error: `must be ${what}` }).min(1, { error: `must be ${what}` });
const wholeAtLeastOne = z
  .number({ error: "must be a whole number of at least 1" })
  .int({ error: "must be a whole number of at least 1" })
  .min(1, { error: "must be a whole number of at least 1" });
const provider = z.enum(["nvidia", "groq", "openai"], { error: "must be one of nvidia, groq, openai" });

/** The keys a line may carry. Strict: an unknown key is far more likely a typo than an intention. */
export const JobLine = z.strictObject({
  name: text("a non-empty string").optional(),
  repo: text("a path to the repository"),
  error: text("a description of what goes wrong"),
  entry: text("a file name").optional(),
  module: text("a module name").optional(),
  arg: z.array(z.string({ error: "must be a list of strings" }), { error: "must be a list of strings" }).optional(),
  env: z.array(z.string({ error: "must be a list of KEY=VALUE strings" }), { error: "must be a list of KEY=VALUE strings" }).optional(),
  target: text("a file path").optional(),
  tests: z.array(text("a path"), { error: "must be a list of paths" }).optional(),
  mode: z.enum(["entry", "pytest"], { error: "must be entry or pytest" }).optional(),
  candidate: z.array(text("a file path"), { error: "must be a list of file paths" }).optional(),
  timeout: z
    .number({ error: "must be a positive number of seconds" })
    .positive({ error: "must be a positive number of seconds" })
    .optional(),
  image: text("an image name").optional(),
  "max-fix-attempts": wholeAtLeastOne.optional(),
  "max-tokens": wholeAtLeastOne.optional(),
  "max-repro-attempts": wholeAtLeastOne.optional(),
  "context-tokens": wholeAtLeastOne.optional(),
  provider: provider.optional(),
  model: text("a model name").optional(),
  "base-url": text("a URL").optional(),
  fallback: provider.optional(),
});
export type JobLine = z.infer<typeof JobLine>;

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
  const key = issue.path.map(String).join(".");
  // A missing required key reaches us as a type error on `undefined`.
  if (issue.code === "invalid_type" && issue.path.length === 1 && line[key] === undefined) {
    return `"${key}" is required`;
  }
  return key ? `"${key}" ${issue.message}` : issue.message;
}

/** Keeps names usable as one directory component. */
function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^\.+/, "_") || "job";
}

const isDir = async (path: string) => (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
const isFile = async (path: string) => (await stat(path).catch(() => undefined))?.isFile() ?? false;

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
  const parsed: { line: number; job: JobLine; env: Record<string, string> }[] = [];
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
    const job = result.data;
    // Paths are checked here too, so that a wrong path is a usage error before anything runs.
    if (!(await isDir(resolve(base, job.repo)))) throw bad(`repo ${job.repo} is not a directory`);
    for (const candidate of job.candidate ?? []) {
      const path = resolve(base, candidate);
      if (!(await isFile(path)) && !(await isDir(path))) throw bad(`candidate ${candidate} is not a file (nor a directory of files)`);
    }
    if (job.module !== undefined && job.entry !== undefined) throw bad('"module" and "entry" both say what runs: give one of them');
    let env: Record<string, string>;
    try {
      env = parseEnvPairs(job.env ?? [], '"env"');
    } catch (err) {
      throw bad((err as Error).message.replace(/\.$/, ""));
    }
    const problem = runInputProblem({ mode: job.mode ?? "entry", module: job.module, args: job.arg ?? [], tests: job.tests, env });
    if (problem) throw bad(problem.replace(/\.$/, ""));
    parsed.push({ line, job: { ...job }, env });
  }
  if (parsed.length === 0) throw new UsageError(`${jobsFile} has no jobs (blank lines and # comments are skipped).`);

  const width = Math.max(2, String(parsed.length).length);
  const root = resolve(artifactsRoot);
  return parsed.map(({ line, job, env }, i) => {
    const index = i + 1;
    const repo = resolve(base, job.repo);
    const id = `${String(index).padStart(width, "0")}-${safeName(job.name ?? basename(repo))}`;
    // Options the line leaves out stay out, so the graph's own defaults (OpsGuardInput) apply.
    const input: OpsGuardInput = {
      repo,
      error: job.error,
      artifacts: resolve(root, id),
      candidates: (job.candidate ?? []).map((c) => resolve(base, c)),
      ...(job.entry !== undefined ? { entry: job.entry } : {}),
      ...(job.module !== undefined ? { module: job.module } : {}),
      ...(job.arg !== undefined ? { args: job.arg } : {}),
      ...(job.env !== undefined ? { env } : {}),
      ...(job.target !== undefined ? { target: job.target } : {}),
      ...(job.tests !== undefined ? { tests: job.tests } : {}),
      ...(job.mode !== undefined ? { mode: job.mode } : {}),
      ...(job.timeout !== undefined ? { timeoutSeconds: job.timeout } : {}),
      ...(job.image !== undefined ? { image: job.image } : {}),
      ...(job["max-fix-attempts"] !== undefined ? { maxFixAttempts: job["max-fix-attempts"] } : {}),
      ...(job["max-tokens"] !== undefined ? { maxTokens: job["max-tokens"] } : {}),
      ...(job["max-repro-attempts"] !== undefined ? { maxReproAttempts: job["max-repro-attempts"] } : {}),
      ...(job["context-tokens"] !== undefined ? { contextTokens: job["context-tokens"] } : {}),
      ...(job.provider !== undefined ? { provider: job.provider } : {}),
      ...(job.model !== undefined ? { model: job.model } : {}),
      ...(job["base-url"] !== undefined ? { baseUrl: job["base-url"] } : {}),
      ...(job.fallback !== undefined ? { fallback: job.fallback } : {}),
    };
    return { index, line, id, ...(job.name !== undefined ? { name: job.name } : {}), input };
  });
}
