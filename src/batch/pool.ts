/**
 * The batch pool: runs jobs on the engines, at most `capacity` at once per engine, always on the
 * live engine with the most free slots. A job is isolated from the others: whatever it does (fail,
 * throw, hang until its sandbox timeout), the pool records it and moves on. A job lost to a dead
 * engine goes back to the front of the queue for another engine; stopping (the signal) starts no
 * new job and aborts the running ones through their own AbortSignal.
 */
import type { InfraCode } from "../errors.js";
import { performance } from "node:perf_hooks";
import { defaultDeps } from "../graph/defaultDeps.js";
import { remediate } from "../graph/remediate.js";
import type { Status, TimelineEvent } from "../state/state.js";
import { ARTIFACT_FILES } from "../nodes/report.js";
import { pickEngine, type Engine } from "./engines.js";
import type { BatchJob } from "./jobs.js";

/** A job's end: a remediation status, or one of the two ways a stopped batch leaves a job unfinished. */
export type JobStatus = Status | "INTERRUPTED" | "NOT_STARTED";

export interface JobResult {
  job: BatchJob;
  status: JobStatus;
  /** False for INTERRUPTED and NOT_STARTED: the job has no final result. */
  finished: boolean;
  reason?: string;
  infraCode?: InfraCode;
  /** The engine that produced the result (the last one tried). */
  engine?: string;
  /** Seconds into the batch when the job first started. */
  startedAfterSeconds?: number;
  /** From the job's first start to its end, moves between engines included. */
  durationSeconds?: number;
  /** Fix attempts the remediation made. */
  fixAttempts?: number;
  /** final_report.json of the job, when the remediation wrote one. */
  finalReport?: string;
  /** Engines that died under this job before it moved on. */
  movedFrom: { engine: string; reason: string }[];
}

export interface PoolEvents {
  onStart?(job: BatchJob, engine: Engine): void;
  onNode?(job: BatchJob, event: TimelineEvent): void;
  /** An engine was found dead (once per engine). */
  onEngineDead?(engine: Engine): void;
  /** A job lost to a dead engine goes back to the queue for a live one. */
  onMove?(job: BatchJob, from: Engine): void;
  onFinish?(result: JobResult, finishedCount: number): void;
}

export interface PoolOptions {
  jobs: readonly BatchJob[];
  engines: readonly Engine[];
  /** Aborting it stops the batch: no new jobs, running ones aborted and awaited. */
  signal: AbortSignal;
  events?: PoolEvents;
  /** Seconds since the batch started, for the engines' time of death. */
  elapsed?: () => number;
}

interface EngineOutcome {
  status: JobStatus;
  reason?: string;
  infraCode?: InfraCode;
  fixAttempts?: number;
  finalReport?: string;
  /** Set when the engine itself is gone: the job's outcome says nothing about the job. */
  engineDied?: string;
}

/** One try of a job on one engine. Never rejects: every way a job can end becomes an outcome. */
async function runOnEngine(job: BatchJob, engine: Engine, signal: AbortSignal, events: PoolEvents): Promise<EngineOutcome> {
  try {
    const state = await remediate(job.input, {
      deps: defaultDeps({ sandbox: engine.sandbox, environments: engine.environments }),
      signal,
      onNode: (event) => events.onNode?.(job, event),
    });
    const status = state.status ?? "FAILED";
    const outcome: EngineOutcome = {
      status,
      ...(state.reason !== undefined ? { reason: state.reason } : {}),
      ...(state.infraCode !== undefined ? { infraCode: state.infraCode } : {}),
      ...(state.attempts ? { fixAttempts: state.attempts.length } : {}),
      ...(state.reportPaths?.[ARTIFACT_FILES.finalReport] ? { finalReport: state.reportPaths[ARTIFACT_FILES.finalReport] } : {}),
    };
    if (status === "INFRA_STOP" && !signal.aborted) {
      if (state.infraCode === "ENGINE_UNREACHABLE") {
        outcome.engineDied = unreachable(job, state.reason);
      } else {
        // Another infrastructure code (ENGINE_ERROR ...) may still be a dying engine: ask it.
        const problem = await engine.ping();
        if (problem) outcome.engineDied = `${problem}; the job had stopped with: ${state.reason ?? state.infraCode}`;
      }
    }
    return outcome;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (signal.aborted) {
      return { status: "INTERRUPTED", reason: "Interrupted while running; its sandbox containers were removed." };
    }
    const problem = await engine.ping();
    return { status: "FAILED", reason: message, ...(problem ? { engineDied: `${problem}; the job had failed with: ${message}` } : {}) };
  }
}

/**
 * The sandbox's message names the engine from DOCKER_HOST whichever engine it ran on, so only its
 * system error code is kept; the engine itself is named by whoever reports the death.
 */
function unreachable(job: BatchJob, reason: string | undefined): string {
  const code = /\((E[A-Z]+)\)/.exec(reason ?? "")?.[1];
  return `unreachable${code ? ` (${code})` : ""} while running ${job.id}`;
}

function deadEnginesReason(engines: readonly Engine[]): string {
  const list = engines.map((e) => `${e.host} (${e.deadReason ?? "dead"})`).join("; ");
  return `No live Docker engine is left to run this job: ${list}.`;
}

/** Runs every job and resolves, in job order, to one result per job. Never rejects for a job's sake. */
export async function runPool(options: PoolOptions): Promise<JobResult[]> {
  const { jobs, engines, signal } = options;
  const events = options.events ?? {};
  const batchStart = performance.now();
  const elapsed = options.elapsed ?? (() => (performance.now() - batchStart) / 1000);

  const queue: BatchJob[] = [...jobs];
  const results = new Map<number, JobResult>();
  const firstStart = new Map<number, number>();
  const movedFrom = new Map<number, { engine: string; reason: string }[]>();
  const controllers = new Set<AbortController>();
  const active = new Set<Promise<void>>();

  // One controller per running job rather than the batch signal itself: each remediation adds and
  // removes its own listeners, and a long batch must not pile listeners onto one shared signal.
  const abortAll = () => {
    for (const controller of controllers) controller.abort(signal.reason);
  };
  signal.addEventListener("abort", abortAll, { once: true });

  const finish = (job: BatchJob, result: Omit<JobResult, "job" | "movedFrom" | "durationSeconds" | "startedAfterSeconds">) => {
    const began = firstStart.get(job.index);
    results.set(job.index, {
      job,
      ...result,
      ...(began !== undefined ? { startedAfterSeconds: began, durationSeconds: elapsed() - began } : {}),
      movedFrom: movedFrom.get(job.index) ?? [],
    });
    events.onFinish?.(results.get(job.index)!, results.size);
  };

  const start = (job: BatchJob, engine: Engine) => {
    engine.running += 1;
    const controller = new AbortController();
    controllers.add(controller);
    if (!firstStart.has(job.index)) firstStart.set(job.index, elapsed());
    events.onStart?.(job, engine);
    const task: Promise<void> = runOnEngine(job, engine, controller.signal, events)
      .then((outcome) => {
        engine.running -= 1;
        controllers.delete(controller);
        if (outcome.engineDied !== undefined) {
          const wasAlive = !engine.dead;
          engine.markDead(outcome.engineDied, elapsed());
          engine.jobsLost += 1;
          movedFrom.set(job.index, [...(movedFrom.get(job.index) ?? []), { engine: engine.host, reason: outcome.engineDied }]);
          if (wasAlive) events.onEngineDead?.(engine);
          if (signal.aborted) {
            finish(job, { status: "INTERRUPTED", finished: false, engine: engine.host, reason: `Interrupted; its engine had died: ${outcome.engineDied}` });
          } else {
            // Not an attempt of the job's own: it goes first in line for a live engine.
            queue.unshift(job);
            events.onMove?.(job, engine);
          }
          return;
        }
        const finished = outcome.status !== "INTERRUPTED";
        if (finished) engine.jobsRun += 1;
        const { engineDied: _unused, ...rest } = outcome;
        finish(job, { ...rest, finished, engine: engine.host });
      })
      .finally(() => {
        active.delete(task);
      });
    active.add(task);
  };

  try {
    for (;;) {
      if (!signal.aborted) {
        for (let engine = pickEngine(engines); engine && queue.length > 0; engine = pickEngine(engines)) {
          start(queue.shift()!, engine);
        }
        if (queue.length > 0 && engines.every((e) => e.dead)) {
          const reason = deadEnginesReason(engines);
          for (const job of queue.splice(0)) finish(job, { status: "INFRA_STOP", finished: true, infraCode: "ENGINE_UNREACHABLE", reason });
        }
      }
      if (active.size === 0) break;
      await Promise.race(active);
    }
    for (const job of queue.splice(0)) {
      const started = firstStart.has(job.index);
      finish(job, {
        status: started ? "INTERRUPTED" : "NOT_STARTED",
        finished: false,
        reason: started ? "Interrupted while waiting for a live engine." : "Not started: the batch was interrupted first.",
      });
    }
  } finally {
    signal.removeEventListener("abort", abortAll);
  }
  return jobs.map((job) => results.get(job.index)!);
}
