/**
 * Progress on stderr. On a terminal: one line, redrawn in place, with what runs where and the
 * counts so far. Anywhere else (CI logs, pipes): one plain line per finished job, which stays
 * readable when interleaved with other output and greps well.
 */
import type { TimelineEvent } from "../state/state.js";
import type { Engine } from "./engines.js";
import type { BatchJob } from "./jobs.js";
import type { JobResult, JobStatus, PoolEvents } from "./pool.js";
import { finishedLine, oneLine } from "./report.js";

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export class Progress implements PoolEvents {
  private readonly running = new Map<string, string>();
  private readonly counts = new Map<JobStatus, number>();
  private finished = 0;
  private readonly started = Date.now();
  private ticker: NodeJS.Timeout | undefined;
  private drawn = false;
  private closed = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly total: number,
  ) {
    if (this.tty) {
      // Elapsed time moves even while no job starts or ends; unref'd so it never holds the process.
      this.ticker = setInterval(() => this.draw(), 1000);
      this.ticker.unref();
    }
  }

  private get tty(): boolean {
    return this.stream.isTTY === true;
  }

  onStart(job: BatchJob): void {
    this.running.set(job.id, "starting");
    this.draw();
  }

  onNode(job: BatchJob, event: TimelineEvent): void {
    if (!this.running.has(job.id)) return;
    // The event marks a node's end: say so, rather than pass the finished node off as the current one.
    this.running.set(job.id, `after ${event.node}`);
    this.draw();
  }

  onEngineDead(engine: Engine): void {
    this.message(`engine ${engine.host} is dead: ${oneLine(engine.deadReason ?? "", 160)}`);
  }

  onMove(job: BatchJob, from: Engine): void {
    this.running.delete(job.id);
    this.message(`${job.id} was lost with engine ${from.host}; it goes to another engine`);
  }

  onFinish(result: JobResult, finishedCount: number): void {
    this.running.delete(result.job.id);
    this.finished = finishedCount;
    this.counts.set(result.status, (this.counts.get(result.status) ?? 0) + 1);
    if (this.tty) this.draw();
    else this.stream.write(`${finishedLine(result, finishedCount, this.total)}\n`);
  }

  /** A line that stays: printed above the live line on a terminal, as is elsewhere. */
  message(text: string): void {
    this.clear();
    this.stream.write(`[opsguard batch] ${text}\n`);
    this.draw();
  }

  /** Removes the live line, for the summary that follows. */
  close(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.clear();
    this.closed = true;
  }

  private clear(): void {
    if (this.tty && this.drawn) this.stream.write("\r\x1b[2K");
    this.drawn = false;
  }

  private draw(): void {
    if (!this.tty || this.closed) return;
    const seconds = Math.round((Date.now() - this.started) / 1000);
    const counts = [...this.counts].map(([status, n]) => `${n} ${status}`).join(", ");
    const running = [...this.running].map(([id, node]) => `${id} (${node})`).join(", ");
    const line = `[${this.finished}/${this.total}] ${seconds} s${counts ? ` | ${counts}` : ""}${running ? ` | running: ${running}` : ""}`;
    // Wider than the terminal would wrap, and a wrapped line can no longer be redrawn in place.
    const width = Math.max(20, (this.stream.columns ?? 80) - 1);
    this.stream.write(`\r\x1b[2K${oneLine(line, width)}`);
    this.drawn = true;
  }
}
