/** What the CLI prints: progress lines, the closing lines, the verbose change view, the review. */
import { relative } from "node:path";
import { EXIT_CODES } from "../exitCodes.js";
import type { OpsGuardState, TimelineEvent } from "../state/state.js";
import { ARTIFACT_FILES } from "../nodes/report.js";
import type { ReviewRequest } from "../nodes/review.js";
import { changeList } from "../reports/patch.js";
import { originalOf } from "../state/attempts.js";
import { buildFinalReport } from "../reports/report.js";

export interface CliIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

export const defaultIo: CliIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };

export function progressLine(event: TimelineEvent): string {
  return `[opsguard] ${event.node.padEnd(17)} ${`${event.durationMs} ms`.padStart(8)}  ${event.summary}\n`;
}

export function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith("..") ? rel : path;
}

function verboseView(state: OpsGuardState): string {
  const accepted = (state.attempts ?? []).find((a) => a.outcome === "accepted") ?? state.attempts?.at(-1);
  if (!accepted?.files.length || !state.original) return "No fix to show.\n";
  const paths = accepted.files.map((f) => f.path).join(", ");
  const changes = accepted.files.flatMap((f) => [...(accepted.files.length > 1 ? [`${f.path}:`] : []), ...changeList(originalOf(state, f.path), f.content)]);
  return [`Diff (${paths}):`, accepted.diff ?? "", "Changes:", ...changes, ""].join("\n");
}

/** The closing lines (and the JSON report with --json); returns the exit code for the status. */
export function printOutcome(state: OpsGuardState, json: boolean, io: CliIo): number {
  const status = state.status ?? "FAILED";
  const human = json ? io.stderr : io.stdout;
  if (io.env.OPSGUARD_VERBOSE === "1") human.write(verboseView(state));
  if (json) io.stdout.write(`${JSON.stringify(buildFinalReport(state), null, 2)}\n`);
  for (const warning of state.warnings ?? []) io.stderr.write(`opsguard: warning: ${warning}\n`);
  const paths = state.reportPaths ?? {};
  human.write(
    [
      "OpsGuard execution complete.",
      `Status: ${status}`,
      ...(state.reason ? [`Reason: ${state.reason}`] : []),
      `Presentation report saved to: ${shown(paths[ARTIFACT_FILES.judgeSummary] ?? "-")}`,
      `Machine report: ${shown(paths[ARTIFACT_FILES.finalReport] ?? "-")}`,
      ...(paths[ARTIFACT_FILES.proof] ? [`Proof bundle: ${shown(paths[ARTIFACT_FILES.proof]!)}`] : []),
      ...(state.applied ? [`Fix written to: ${(state.applied.files ?? [state.applied]).map((f) => shown(f.path)).join(", ")}`] : []),
      "",
    ].join("\n"),
  );
  return EXIT_CODES[status];
}

export function reviewView(request: ReviewRequest): string {
  return ["", "A proven fix is waiting for review.", `Evidence: ${request.evidence}`, "", request.diff, request.question, ""].join("\n");
}

export function resumeHint(threadId: string, artifactsFlag: string): string {
  return `opsguard resume ${threadId}${artifactsFlag}`;
}
