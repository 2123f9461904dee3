/**
 * What a batch leaves behind: batch_report.json in the artifacts root (the machine-readable record),
 * the summary table for people, and the exit code scripts rely on.
 */
import type { InfraCode } from "../errors.js";
import { relative } from "node:path";
import { EXIT } from "../exitCodes.js";
import type { Engine } from "./engines.js";
import type { JobResult, JobStatus } from "./pool.js";

export const BATCH_REPORT_FILE = "batch_report.json";

export const JOB_STATUSES: readonly JobStatus[] = ["SUCCESS", "FAILED", "INFRA_STOP", "NOT_REPRODUCIBLE", "INTERRUPTED", "NOT_STARTED"];

/** Exit codes of a batch stopped by a signal: 128 + the signal's number, as shells report it. */
export const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

export interface BatchReportJob {
  id: string;
  index: number;
  /** Line of the jobs file the job came from. */
  line: number;
  name: string | null;
  repo: string;
  status: JobStatus;
  /** False when the batch was stopped before the job had a result (INTERRUPTED, NOT_STARTED). */
  finished: boolean;
  /** Seconds into the batch when the job first started; null when it never did. */
  startedAfterSeconds: number | null;
  durationSeconds: number | null;
  engine: string | null;
  artifactsDir: string;
  finalReport: string | null;
  reason: string | null;
  infraCode: InfraCode | null;
  fixAttempts: number | null;
  /** Engines that died while running the job; it was moved to another one each time. */
  movedFrom: { engine: string; reason: string }[];
}

export interface BatchReportEngine {
  host: string;
  reachableAtStart: boolean;
  died: boolean;
  diedReason: string | null;
  /** Seconds into the batch when it was found dead; 0 when it never answered. */
  diedAfterSeconds: number | null;
  /** Jobs whose final result came from this engine. */
  jobsRun: number;
  /** Jobs it was running when it died, moved to another engine. */
  jobsLost: number;
}

export interface BatchReport {
  version: 1;
  jobsFile: string;
  artifactsRoot: string;
  concurrency: number;
  startedAt: string;
  finishedAt: string;
  wallSeconds: number;
  /** The signal that stopped the batch, or null when it ran to its end. */
  interruptedBy: string | null;
  exitCode: number;
  totals: Record<JobStatus, number>;
  engines: BatchReportEngine[];
  jobs: BatchReportJob[];
}

const round1 = (seconds: number) => Math.round(seconds * 10) / 10;
const round3 = (seconds: number) => Math.round(seconds * 1000) / 1000;

/** Some engine answered at the start, and one of them either gave a job a result or is still alive. */
export function anyEngineUsable(engines: readonly Engine[]): boolean {
  return engines.some((e) => e.reachableAtStart && (!e.dead || e.jobsRun > 0));
}

/** 130/143 when stopped by a signal, 2 when no engine was usable at all, 0 when all succeeded, else 1. */
export function batchExitCode(results: readonly JobResult[], engines: readonly Engine[], signal: NodeJS.Signals | undefined): number {
  if (signal) return SIGNAL_EXIT[signal] ?? 130;
  if (!anyEngineUsable(engines)) return EXIT.INFRA_STOP;
  return results.every((r) => r.status === "SUCCESS") ? EXIT.SUCCESS : EXIT.FAILED;
}

export function totals(results: readonly JobResult[]): Record<JobStatus, number> {
  const counts = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
  for (const r of results) counts[r.status] += 1;
  return counts;
}

export function buildBatchReport(options: {
  jobsFile: string;
  artifactsRoot: string;
  concurrency: number;
  startedAt: Date;
  finishedAt: Date;
  wallSeconds: number;
  signal: NodeJS.Signals | undefined;
  results: readonly JobResult[];
  engines: readonly Engine[];
}): BatchReport {
  const { results, engines } = options;
  return {
    version: 1,
    jobsFile: options.jobsFile,
    artifactsRoot: options.artifactsRoot,
    concurrency: options.concurrency,
    startedAt: options.startedAt.toISOString(),
    finishedAt: options.finishedAt.toISOString(),
    wallSeconds: round3(options.wallSeconds),
    interruptedBy: options.signal ?? null,
    exitCode: batchExitCode(results, engines, options.signal),
    totals: totals(results),
    engines: engines.map((e) => ({
      host: e.host,
      reachableAtStart: e.reachableAtStart,
      died: e.dead,
      diedReason: e.deadReason ?? null,
      diedAfterSeconds: e.deadAfterSeconds === undefined ? null : round3(e.deadAfterSeconds),
      jobsRun: e.jobsRun,
      jobsLost: e.jobsLost,
    })),
    jobs: results.map((r) => ({
      id: r.job.id,
      index: r.job.index,
      line: r.job.line,
      name: r.job.name ?? null,
      repo: r.job.input.repo,
      status: r.status,
      finished: r.finished,
      startedAfterSeconds: r.startedAfterSeconds === undefined ? null : round3(r.startedAfterSeconds),
      durationSeconds: r.durationSeconds === undefined ? null : round3(r.durationSeconds),
      engine: r.engine ?? null,
      artifactsDir: r.job.input.artifacts ?? "",
      finalReport: r.finalReport ?? null,
      reason: r.reason ?? null,
      infraCode: r.infraCode ?? null,
      fixAttempts: r.fixAttempts ?? null,
      movedFrom: r.movedFrom,
    })),
  };
}

export function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** `[3/8] 02-demo_repo SUCCESS 4.1 s on engine unix:///var/run/docker.sock` */
export function finishedLine(result: JobResult, finishedCount: number, total: number): string {
  const seconds = result.durationSeconds === undefined ? "" : ` ${round1(result.durationSeconds).toFixed(1)} s`;
  const engine = result.engine ? ` on engine ${result.engine}` : "";
  return `[${finishedCount}/${total}] ${result.job.id} ${result.status}${seconds}${engine}`;
}

function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith("..") ? rel : path;
}

/** The table printed at the end: one row per job, then the totals, the engines and the report's path. */
export function summaryTable(report: BatchReport, reportPath: string): string {
  const header = ["JOB", "STATUS", "SECONDS", "ENGINE", "REASON"];
  const rows = report.jobs.map((j) => [
    j.id,
    j.status,
    j.durationSeconds === null ? "-" : round1(j.durationSeconds).toFixed(1),
    j.engine ?? "-",
    oneLine(j.reason ?? "", 80),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const format = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 2 ? cell.padStart(widths[i]!) : i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  const counted = JOB_STATUSES.filter((s) => report.totals[s] > 0).map((s) => `${report.totals[s]} ${s}`);
  const engines = report.engines.map((e) => {
    const fate = e.died ? `died (${oneLine(e.diedReason ?? "", 100)})` : "alive";
    return `  ${e.host}: ${e.jobsRun} job${e.jobsRun === 1 ? "" : "s"} run, ${e.jobsLost} lost, ${fate}`;
  });
  return [
    "",
    format(header),
    ...rows.map(format),
    "",
    `Batch: ${report.jobs.length} job${report.jobs.length === 1 ? "" : "s"}, ${counted.join(", ")}, in ${round1(report.wallSeconds).toFixed(1)} s${report.interruptedBy ? ` (interrupted by ${report.interruptedBy})` : ""}.`,
    "Engines:",
    ...engines,
    `Batch report: ${shown(reportPath)}`,
    "",
  ].join("\n");
}
