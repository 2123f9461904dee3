/** The default command: turns flags into the graph's input, streams the run, prints, returns the exit code. */
import { stat } from "node:fs/promises";
import { relative, resolve } from "node:path";
import { remediate } from "../graph/remediate.js";
import { EXIT_CODES, type OpsGuardInput, type OpsGuardState, type TimelineEvent } from "../graph/state.js";
import { UsageError } from "../tools/errors.js";
import { changeList } from "../tools/patch.js";
import { buildFinalReport } from "../tools/report.js";
import { ARTIFACT_FILES } from "../nodes/report.js";
import type { RunArgs } from "./commands/run.js";
import { EXIT } from "./exitCodes.js";

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

const defaultIo: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env };

export async function checkInput(args: RunArgs): Promise<OpsGuardInput> {
  const repo = resolve(args.repo);
  if (!(await stat(repo).catch(() => undefined))?.isDirectory()) {
    throw new UsageError(`--repo ${args.repo} is not a directory.`);
  }
  const candidates: string[] = [];
  for (const file of args.candidate) {
    if (!(await stat(file).catch(() => undefined))?.isFile()) throw new UsageError(`--candidate ${file} is not a file.`);
    candidates.push(resolve(file));
  }
  return {
    repo,
    error: args.error,
    entry: args.entry,
    mode: args.mode,
    candidates,
    artifacts: resolve(args.artifacts),
    timeoutSeconds: args.timeout,
    testTimeoutSeconds: args["test-timeout"],
    applyFix: args.apply,
    maxReproAttempts: args["max-repro-attempts"],
    maxFixAttempts: args["max-fix-attempts"],
    ...(args.image ? { image: args.image } : {}),
    ...(args.provider ? { provider: args.provider } : {}),
    ...(args.model ? { model: args.model } : {}),
    ...(args["base-url"] ? { baseUrl: args["base-url"] } : {}),
    ...(args.fallback ? { fallback: args.fallback } : {}),
  };
}

function progressLine(event: TimelineEvent): string {
  return `[opsguard] ${event.node.padEnd(17)} ${`${event.durationMs} ms`.padStart(8)}  ${event.summary}\n`;
}

function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith("..") ? rel : path;
}

function verboseView(state: OpsGuardState): string {
  const accepted = (state.attempts ?? []).find((a) => a.outcome === "accepted") ?? state.attempts?.at(-1);
  const file = accepted?.files[0];
  if (!file || !state.original) return "No fix to show.\n";
  return [`Diff (${file.path}):`, accepted.diff ?? "", "Changes:", ...changeList(state.original.content, file.content), ""].join("\n");
}

export async function runCli(args: RunArgs, io: CliIo = defaultIo): Promise<number> {
  let input: OpsGuardInput;
  try {
    input = await checkInput(args);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`opsguard: ${err.message}\n`);
    return EXIT.USAGE;
  }

  let state: OpsGuardState;
  try {
    state = await remediate(input, { onNode: (event) => io.stderr.write(progressLine(event)) });
  } catch (err) {
    io.stderr.write(`opsguard: internal error: ${(err as Error).message}\n`);
    if (io.env.OPSGUARD_DEBUG) io.stderr.write(`${(err as Error).stack}\n`);
    return EXIT.INTERNAL;
  }

  const status = state.status ?? "FAILED";
  const human = args.json ? io.stderr : io.stdout;
  if (io.env.OPSGUARD_VERBOSE === "1") human.write(verboseView(state));
  if (args.json) io.stdout.write(`${JSON.stringify(buildFinalReport(state), null, 2)}\n`);
  const paths = state.reportPaths ?? {};
  human.write(
    [
      "OpsGuard execution complete.",
      `Status: ${status}`,
      ...(state.reason ? [`Reason: ${state.reason}`] : []),
      `Presentation report saved to: ${shown(paths[ARTIFACT_FILES.judgeSummary] ?? "-")}`,
      `Machine report: ${shown(paths[ARTIFACT_FILES.finalReport] ?? "-")}`,
      ...(paths[ARTIFACT_FILES.proof] ? [`Proof bundle: ${shown(paths[ARTIFACT_FILES.proof]!)}`] : []),
      ...(state.applied ? [`Fix written to: ${shown(state.applied.path)}`] : []),
      "",
    ].join("\n"),
  );
  return EXIT_CODES[status];
}
