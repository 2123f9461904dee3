/** The default command: turns flags into the graph's input and drives a new checkpointed thread. */
import { reportError } from "./reportError.js";
import { randomBytes } from "node:crypto";
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { defaultDeps } from "../graph/defaultDeps.js";
import type { OpsGuardInput } from "../state/state.js";
import { openCheckpointer, redactUrl } from "../graph/checkpointer.js";
import { InfraError, UsageError } from "../errors.js";
import { ensureWritableDir } from "../workspace/writableDir.js";
import { parseEnvPairs, runInputProblem } from "../state/runInputs.js";
import type { RunArgs } from "./options/run.js";
import { defaultIo, resumeHint, type CliIo } from "./output.js";
import { driveThread } from "./session.js";

/** --requirements files, as absolute paths; each must be a file. */
export async function checkRequirements(files: string[] = []): Promise<string[]> {
  const checked: string[] = [];
  for (const file of files) {
    if (!(await stat(file).catch(() => undefined))?.isFile()) throw new UsageError(`--requirements ${file} is not a file.`);
    checked.push(resolve(file));
  }
  return checked;
}

export async function checkInput(args: RunArgs): Promise<OpsGuardInput> {
  const repo = resolve(args.repo);
  if (!(await stat(repo).catch(() => undefined))?.isDirectory()) {
    throw new UsageError(`--repo ${args.repo} is not a directory.`);
  }
  if (!args.error.trim()) throw new UsageError("--error is empty: describe what goes wrong, e.g. --error ValueError.");
  if (args["base-url"] !== undefined && !isHttpUrl(args["base-url"])) {
    throw new UsageError(`--base-url ${args["base-url"]} is not an http(s) URL: pass one like http://127.0.0.1:8000/v1.`);
  }
  checkCheckpointSpec(args.checkpoint);
  await ensureWritableDir(resolve(args.artifacts), "--artifacts");
  const candidates: string[] = [];
  for (const file of args.candidate) {
    const found = await stat(file).catch(() => undefined);
    if (!found?.isFile() && !found?.isDirectory()) {
      throw new UsageError(`--candidate ${file} is not a file. Give the whole new file, a .diff/.patch, or a directory of whole files.`);
    }
    candidates.push(resolve(file));
  }
  if (args.module !== undefined && args.entry !== undefined) {
    throw new UsageError("--module and --entry both say what runs: give one of them (--target chooses the file to fix).");
  }
  const env = parseEnvPairs(args.env);
  const problem = runInputProblem({ mode: args.mode, module: args.module, args: args.arg, tests: args.tests, env });
  if (problem) throw new UsageError(problem);
  const requirements = await checkRequirements(args.requirements);
  return {
    repo,
    error: args.error,
    ...(args.entry !== undefined ? { entry: args.entry } : {}),
    ...(args.module !== undefined ? { module: args.module } : {}),
    ...(args.target !== undefined ? { target: args.target } : {}),
    args: args.arg,
    ...(args.tests.length ? { tests: args.tests } : {}),
    env,
    mode: args.mode,
    candidates,
    artifacts: resolve(args.artifacts),
    timeoutSeconds: args.timeout,
    testTimeoutSeconds: args["test-timeout"],
    applyFix: args.apply,
    ...(args["require-sealed"] ? { requireSealed: true } : {}),
    reviewFix: args.review,
    maxReproAttempts: args["max-repro-attempts"],
    ...(args["context-tokens"] !== undefined ? { contextTokens: args["context-tokens"] } : {}),
    maxFixAttempts: args["max-fix-attempts"],
    ...(args["max-tokens"] !== undefined ? { maxTokens: args["max-tokens"] } : {}),
    ...(args.image ? { image: args.image } : {}),
    ...(args.python ? { python: args.python } : {}),
    ...(args.install === false ? { install: false } : {}),
    ...(requirements.length > 0 ? { requirements } : {}),
    ...(args.provider ? { provider: args.provider } : {}),
    ...(args.model ? { model: args.model } : {}),
    ...(args["base-url"] ? { baseUrl: args["base-url"] } : {}),
    ...(args.fallback ? { fallback: args.fallback } : {}),
  };
}

function isHttpUrl(text: string): boolean {
  try {
    return ["http:", "https:"].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

/** A checkpoint store is a SQLite file path or a postgres:// URL; any other URL is a mistake. */
export function checkCheckpointSpec(spec: string | undefined): void {
  if (spec !== undefined && /^[a-z][a-z0-9+.-]*:\/\//i.test(spec) && !/^postgres(ql)?:\/\//i.test(spec)) {
    throw new UsageError(`--checkpoint ${redactUrl(spec)} is neither a SQLite file path nor a postgres:// URL: pass one of those.`);
  }
}

/** The flags `opsguard resume` needs to find the same checkpoints again (a password is shown as ***). */
export function resumeFlags(artifacts: string, checkpoint: string | undefined): string {
  return `${artifacts === "artifacts" ? "" : ` --artifacts ${artifacts}`}${checkpoint ? ` --checkpoint ${redactUrl(checkpoint)}` : ""}`;
}

export async function runCli(args: RunArgs, io: CliIo = defaultIo): Promise<number> {
  let checkpointer;
  try {
    const input = await checkInput(args);
    checkpointer = await openCheckpointer(args.checkpoint, resolve(args.artifacts));
    const threadId = randomBytes(6).toString("hex");
    const flags = resumeFlags(args.artifacts, args.checkpoint);
    io.stderr.write(`[opsguard] thread ${threadId} (if interrupted: ${resumeHint(threadId, flags)})\n`);
    return await driveThread(input, { deps: defaultDeps(), checkpointer, threadId, resumeFlags: flags, json: args.json }, io);
  } catch (err) {
    return reportError(err, io);
  } finally {
    await checkpointer?.close();
  }
}
