/**
 * Pure builders of the run's reports from the final state: the machine report (final_report.json),
 * the readable summary (judge_summary.txt) and the node log (run.log). Nothing here touches disk.
 */
import type { Attempt, OpsGuardState, SandboxRun } from "../state/state.js";
import { originalOf } from "../state/attempts.js";
import { changeList, diffSummary } from "./patch.js";
import { OPSGUARD_VERSION } from "../system/version.js";

const OUTPUT_EXCERPT = 4000;

function excerpt(text: string, limit = OUTPUT_EXCERPT): string {
  return text.length <= limit ? text : `${text.slice(0, limit / 2)}\n[... ${text.length - limit} characters ...]\n${text.slice(-limit / 2)}`;
}

function runReport(run: SandboxRun | undefined) {
  if (!run) return null;
  return {
    command: run.command,
    image: run.image,
    image_id: run.imageId ?? null,
    exit_code: run.exitCode,
    end_reason: run.endReason,
    duration_ms: run.durationMs,
    stdout: excerpt(run.stdout),
    stderr: excerpt(run.stderr),
  };
}

function attemptReport(attempt: Attempt) {
  return {
    number: attempt.number,
    provider: attempt.provider,
    model: attempt.model,
    latency_ms: attempt.latencyMs,
    usage: attempt.usage ? { input_tokens: attempt.usage.inputTokens, output_tokens: attempt.usage.outputTokens } : null,
    fallbacks: attempt.fallbacks ?? [],
    outcome: attempt.outcome,
    refused_at: attempt.stage ?? null,
    reason: attempt.reason ?? null,
    files: attempt.files.map((f) => ({ path: f.path, sha256: f.sha256 })),
  };
}

function sumDiffs(state: OpsGuardState, attempt: Attempt) {
  let linesAdded = 0;
  let linesRemoved = 0;
  for (const file of attempt.files) {
    const one = diffSummary(originalOf(state, file.path), file.content);
    linesAdded += one.linesAdded;
    linesRemoved += one.linesRemoved;
  }
  return { linesAdded, linesRemoved };
}

/** The accepted attempt, or else the last one. */
export function latestAttempt(state: OpsGuardState): Attempt | undefined {
  const attempts = state.attempts ?? [];
  return attempts.find((a) => a.outcome === "accepted") ?? attempts.at(-1);
}

export function buildFinalReport(state: OpsGuardState) {
  const attempts = state.attempts ?? [];
  const accepted = attempts.find((a) => a.outcome === "accepted");
  const summary = accepted?.files.length ? sumDiffs(state, accepted) : null;
  const sum = (pick: (a: Attempt) => number) => attempts.reduce((total, a) => total + pick(a), 0);
  return {
    status: state.status ?? "FAILED",
    reason: state.reason ?? null,
    warnings: state.warnings ?? [],
    error_type: state.errorType ?? null,
    infra_code: state.infraCode ?? null,
    repo: state.repo,
    entry: state.entry,
    module: state.module ?? null,
    args: state.args ?? [],
    /** Names only: --env values never leave the run. */
    env_keys: Object.keys(state.env ?? {}).sort(),
    target: state.original?.path ?? state.target ?? null,
    mode: state.mode,
    error_description: state.error,
    retries: {
      reproduction: state.reproAttempts ?? 0,
      reproduction_limit: state.maxReproAttempts,
      fix: attempts.length,
      fix_limit: state.maxFixAttempts,
    },
    classification: state.classification ?? null,
    diff_summary: summary ? { lines_added: summary.linesAdded, lines_removed: summary.linesRemoved } : null,
    patch_diff: accepted?.diff ?? null,
    original: state.original ? { path: state.original.path, sha256: state.original.sha256 } : null,
    reproduction: runReport(state.reproduction),
    verification: runReport(state.verification),
    attempts: attempts.map(attemptReport),
    totals: {
      llm_latency_ms: sum((a) => a.latencyMs),
      input_tokens: sum((a) => a.usage?.inputTokens ?? 0),
      output_tokens: sum((a) => a.usage?.outputTokens ?? 0),
    },
    timeline: (state.timeline ?? []).map((e) => ({ node: e.node, started_at: e.startedAt, duration_ms: e.durationMs, summary: e.summary })),
    opsguard_version: OPSGUARD_VERSION,
  };
}
export type FinalReport = ReturnType<typeof buildFinalReport>;

/** `python -m NAME ARGS` or `ENTRY ARGS`, as the user would type it (environment names only). */
export function describeWhatRuns(state: OpsGuardState): string {
  if (state.mode === "pytest") return "pytest";
  const runs = [state.module !== undefined ? `-m ${state.module}` : state.entry, ...(state.args ?? [])].join(" ");
  const env = Object.keys(state.env ?? {});
  return env.length ? `${runs} with ${env.sort().join(", ")} set` : runs;
}

function indent(text: string, prefix = "    "): string {
  return text.replace(/\n$/, "").split("\n").map((line) => prefix + line).join("\n");
}

/** The readable report: what happened, why, and the change in a before/after view. */
export function buildJudgeSummary(state: OpsGuardState): string {
  const report = buildFinalReport(state);
  const lines: string[] = [
    "OpsGuard remediation report",
    "===========================",
    `Status:      ${report.status}`,
    `Reason:      ${report.reason ?? "-"}`,
    ...report.warnings.map((warning) => `Warning:     ${warning}`),
    `Error type:  ${report.error_type ?? "-"}`,
    `Repository:  ${state.repo}`,
    `Runs:        ${describeWhatRuns(state)} (mode ${state.mode})`,
    `Error given: ${state.error}`,
    `Retries:     reproduction ${report.retries.reproduction}/${report.retries.reproduction_limit}, fix ${report.retries.fix}/${report.retries.fix_limit}`,
    "",
  ];
  if (state.reproduction) {
    lines.push("Reproduction (before)", "---------------------", `$ ${state.reproduction.command.join(" ")}`);
    lines.push(`exit ${state.reproduction.exitCode} (${state.reproduction.endReason}) in ${state.reproduction.durationMs} ms`);
    lines.push(indent(excerpt(state.reproduction.stderr || state.reproduction.stdout, 1500) || "(no output)"), "");
  }
  lines.push("Attempts", "--------");
  if (report.attempts.length === 0) lines.push("(none)");
  for (const a of report.attempts) {
    const verdict = a.outcome === "accepted" ? "ACCEPTED" : a.outcome === "refused" ? `REFUSED at ${a.refused_at}` : "PENDING";
    lines.push(`#${a.number} ${a.provider} (${a.model}): ${verdict}${a.reason ? ` - ${a.reason}` : ""}`);
  }
  lines.push("");
  const accepted = (state.attempts ?? []).find((a) => a.outcome === "accepted");
  for (const fixed of accepted?.files ?? []) {
    lines.push(`Change view (${fixed.path})`, "------------------------");
    lines.push(...changeList(originalOf(state, fixed.path), fixed.content), "");
  }
  if (state.verification) {
    lines.push("Verification (after)", "--------------------", `$ ${state.verification.command.join(" ")}`);
    lines.push(`exit ${state.verification.exitCode} (${state.verification.endReason}) in ${state.verification.durationMs} ms`);
    lines.push(indent(excerpt(state.verification.stdout || state.verification.stderr, 1500) || "(no output)"), "");
  }
  lines.push("Timeline", "--------");
  for (const e of state.timeline ?? []) lines.push(`${e.node.padEnd(18)} ${String(e.durationMs).padStart(6)} ms  ${e.summary}`);
  return `${lines.join("\n")}\n`;
}

/** One JSON object a line, one event per node. */
export function buildRunLog(state: OpsGuardState): string {
  return (state.timeline ?? []).map((e) => JSON.stringify({ event: "node", ...e })).join("\n") + "\n";
}
