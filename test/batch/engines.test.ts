/** `opsguard batch` over two real engines: the default one and a private dockerd started here. */
import Docker from "dockerode";
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BatchReport, BatchReportJob } from "../../src/batch/report.js";
import { LABEL } from "../../src/sandbox/docker.js";
import { built, ROOT } from "../support/built.js";
import { requireDocker } from "../support/docker.js";
import { startSecondEngine, type SecondEngine } from "../support/secondEngine.js";
import { tempRepo } from "../support/workspace.js";

const FIRST = process.env.DOCKER_HOST || "unix:///var/run/docker.sock";
let docker: Docker;
let second: SecondEngine;

beforeAll(async () => {
  docker = await requireDocker();
  second = await startSecondEngine();
}, 180_000);

afterAll(async () => {
  await second?.stop();
}, 120_000);

const scratch = mkdtempSync(join(tmpdir(), "opsguard-batch-engines-"));
chmodSync(scratch, 0o755);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;

function writeJobs(jobs: Record<string, unknown>[]): string {
  const dir = join(scratch, `batch-${++n}`);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const file = join(dir, "jobs.jsonl");
  writeFileSync(file, `${jobs.map((j) => JSON.stringify(j)).join("\n")}\n`);
  return file;
}

/** Starts the built CLI; resolves with its exit and output. */
function startBatch(args: string[]) {
  const child = spawn(process.execPath, [built("bin/cli.js"), "batch", ...args], { cwd: scratch, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("exit", (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done, stderr: () => stderr };
}

const readReport = (root: string): BatchReport => JSON.parse(readFileSync(join(root, "batch_report.json"), "utf8"));

/** Most jobs ever running at once on `engine`, from the report's start times and durations. */
function mostAtOnce(jobs: BatchReportJob[], engine: string): number {
  const moments = jobs
    .filter((j) => j.engine === engine && j.movedFrom.length === 0)
    .flatMap((j) => [
      { t: j.startedAfterSeconds!, d: 1 },
      // Rounded to the millisecond, and a queued job starts within one of the end it waited for.
      { t: j.startedAfterSeconds! + j.durationSeconds! - 0.005, d: -1 },
    ])
    .sort((a, b) => a.t - b.t || a.d - b.d);
  let running = 0;
  let most = 0;
  for (const m of moments) most = Math.max(most, (running += m.d));
  return most;
}

const DEMO = { repo: join(ROOT, "demo_repo"), error: "ValueError", candidate: [join(ROOT, "demo_repo/fixes/app.py")] };
const LARGE = { repo: join(ROOT, "test_large_repo"), error: "crash", candidate: [join(ROOT, "test_large_repo/fixes/app.py")] };

describe("opsguard batch over two engines", () => {
  it("spreads the jobs over both engines, at most --concurrency at once on each", async () => {
    const root = join(scratch, `art-${++n}`);
    const file = writeJobs([DEMO, LARGE, DEMO, LARGE]);
    const { done } = startBatch([file, "--concurrency", "1", "--docker-host", FIRST, "--docker-host", second.host, "--artifacts", root]);
    const { code, stdout, stderr } = await done;
    expect(code, stderr).toBe(0);

    const report = readReport(root);
    expect(report.jobs.map((j) => j.status)).toEqual(["SUCCESS", "SUCCESS", "SUCCESS", "SUCCESS"]);
    expect(report.engines.map((e) => e.host)).toEqual([FIRST, second.host]);
    for (const engine of report.engines) {
      expect(engine, engine.host).toMatchObject({ died: false, jobsLost: 0 });
      expect(engine.jobsRun, engine.host).toBeGreaterThanOrEqual(1);
      expect(mostAtOnce(report.jobs, engine.host), engine.host).toBe(1);
    }
    expect(report.engines[0]!.jobsRun + report.engines[1]!.jobsRun).toBe(4);
    // The first two jobs start at once, one on each engine.
    expect(new Set(report.jobs.slice(0, 2).map((j) => j.engine))).toEqual(new Set([FIRST, second.host]));
    expect(stdout).toMatch(new RegExp(`^\\d\\d-\\S+\\s+SUCCESS\\s+\\d+\\.\\d\\s+${second.host.replace(/[/.]/g, "\\$&")}`, "m"));
  }, 180_000);

  it("moves the job of an engine killed mid-batch to the live one: every job SUCCESS, the report says it died", async () => {
    // A second per run widens the window to kill the engine while its first job still needs it
    // (any of the job's later containers would do too: reproduction, compile check, verification).
    const slow = tempRepo({ "app.py": "import time\ntime.sleep(1)\nraise ValueError('boom')\n" });
    const fix = join(slow, "fixed.py");
    writeFileSync(fix, "import time\ntime.sleep(1)\nprint('ok')\n");
    chmodSync(fix, 0o644);
    const job = { repo: slow, error: "ValueError", candidate: [fix] };
    const root = join(scratch, `art-${++n}`);
    const file = writeJobs([job, job, job, job]);
    const { child, done, stderr } = startBatch([file, "--concurrency", "1", "--docker-host", FIRST, "--docker-host", second.host, "--artifacts", root]);

    const onSecond = async () =>
      (await second.docker.listContainers({ all: true, filters: { label: [LABEL, `dev.opsguard.pid=${child.pid}`] } }).catch(() => [])).length;
    const deadline = Date.now() + 60_000;
    while ((await onSecond()) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await onSecond(), stderr()).toBeGreaterThan(0);
    second.kill();

    const { code, stdout } = await done;
    expect(code, stderr()).toBe(0);
    const report = readReport(root);
    expect(report.jobs.map((j) => [j.status, j.engine])).toEqual(Array.from({ length: 4 }, () => ["SUCCESS", FIRST]));
    const [first, killed] = report.engines;
    expect(first).toMatchObject({ host: FIRST, died: false, jobsRun: 4, jobsLost: 0 });
    expect(killed).toMatchObject({ host: second.host, reachableAtStart: true, died: true, jobsRun: 0, jobsLost: 1 });
    expect(killed!.diedReason).toMatch(/unreachable|ping failed/);
    const moved = report.jobs.filter((j) => j.movedFrom.length > 0);
    expect(moved).toHaveLength(1);
    expect(moved[0]!.movedFrom).toEqual([{ engine: second.host, reason: killed!.diedReason }]);
    // The move is not an attempt of the job's own: its remediation took one fix, as the others did.
    expect(moved[0]!.fixAttempts).toBe(1);
    expect(stderr()).toContain(`engine ${second.host} is dead`);
    expect(stdout).toMatch(new RegExp(`${second.host.replace(/[/.]/g, "\\$&")}: 0 jobs run, 1 lost, died`));
    expect(await docker.listContainers({ all: true, filters: { label: [`dev.opsguard.pid=${child.pid}`] } })).toEqual([]);
  }, 180_000);
});
