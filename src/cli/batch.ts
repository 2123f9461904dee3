/**
 * `opsguard batch`: checks the jobs file and the engines, runs the pool with progress on stderr,
 * writes batch_report.json, prints the summary and returns the exit code. Ctrl-C (and SIGTERM)
 * stops the batch gracefully: no new jobs, running ones aborted and awaited, the report written.
 */
import { reportError } from "./reportError.js";
import { performance } from "node:perf_hooks";
import { join, resolve } from "node:path";
import type { BatchArgs } from "./options/batch.js";
import { EXIT } from "../exitCodes.js";
import { createArtifactWriter } from "../reports/artifacts.js";
import { AbortedError, InfraError, UsageError } from "../errors.js";
import { ensureWritableDir } from "../workspace/writableDir.js";
import { Engine, engineSpecs, type EngineSpec } from "../batch/engines.js";
import { loadJobs, type BatchJob } from "../batch/jobs.js";
import { runPool } from "../batch/pool.js";
import { Progress, type ProgressStream } from "../batch/progress.js";
import { BATCH_REPORT_FILE, buildBatchReport, summaryTable } from "../batch/report.js";

export interface BatchIo {
  stdout: NodeJS.WritableStream;
  stderr: ProgressStream;
  env: NodeJS.ProcessEnv;
}

const defaultIo: BatchIo = { stdout: process.stdout, stderr: process.stderr, env: process.env };

const STOP_SIGNALS = ["SIGINT", "SIGTERM"] as const;

export async function runBatchCli(args: BatchArgs, io: BatchIo = defaultIo): Promise<number> {
  let specs: EngineSpec[];
  let jobs: BatchJob[];
  try {
    if (!Number.isInteger(args.concurrency) || args.concurrency < 1) {
      throw new UsageError("--concurrency must be a whole number of at least 1.");
    }
    specs = engineSpecs(args["docker-host"], io.env);
    jobs = await loadJobs(args.jobs, args.artifacts);
    await ensureWritableDir(resolve(args.artifacts), "--artifacts");
  } catch (err) {
    if (!(err instanceof UsageError) && !(err instanceof InfraError)) throw err;
    return reportError(err, { stderr: io.stderr, env: io.env });
  }

  const artifactsRoot = resolve(args.artifacts);
  const engines = specs.map((spec) => new Engine(spec, args.concurrency));
  const progress = new Progress(io.stderr, jobs.length);
  const stop = new AbortController();
  let stoppedBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    // Only the first signal counts. The sandbox's own last-chance cleanup re-raises the signal once
    // its containers are removed; that echo must not be taken for a second, impatient Ctrl-C.
    if (stoppedBy) return;
    stoppedBy = signal;
    progress.message(`${signal}: starting no new job, stopping the running ones and removing their containers`);
    stop.abort(new AbortedError(`The batch was stopped by ${signal}.`));
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);

  const startedAt = new Date();
  const t0 = performance.now();
  const elapsed = () => (performance.now() - t0) / 1000;
  try {
    await Promise.all(
      engines.map(async (engine) => {
        const problem = await engine.ping();
        if (!problem) return;
        engine.reachableAtStart = false;
        engine.markDead(problem, 0);
        progress.message(`engine ${engine.host} does not answer (${problem}); no job goes there`);
      }),
    );
    const results = await runPool({ jobs, engines, signal: stop.signal, events: progress, elapsed });
    if (stoppedBy) progress.message("waiting for the aborted sandbox runs to end and their containers to go");
    await Promise.all(engines.map((engine) => engine.settle()));
    progress.close();

    const report = buildBatchReport({
      jobsFile: resolve(args.jobs),
      artifactsRoot,
      concurrency: args.concurrency,
      startedAt,
      finishedAt: new Date(),
      wallSeconds: elapsed(),
      signal: stoppedBy,
      results,
      engines,
    });
    const written = await createArtifactWriter().write(artifactsRoot, { [BATCH_REPORT_FILE]: `${JSON.stringify(report, null, 2)}\n` });
    const reportPath = written[BATCH_REPORT_FILE] ?? join(artifactsRoot, BATCH_REPORT_FILE);
    const human = args.json ? io.stderr : io.stdout;
    human.write(summaryTable(report, reportPath));
    if (args.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return report.exitCode;
  } finally {
    progress.close();
    // After a signal the handlers stay: the cleanup's re-raised signal may still be on its way, and
    // without a listener it would kill the process before it exits with its own code.
    if (!stoppedBy) for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
  }
}
