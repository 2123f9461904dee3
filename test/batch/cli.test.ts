/** `opsguard batch` as a user runs it: the built CLI, a real jobs file, the real Docker engine. */
import Docker from "dockerode";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BatchReport } from "../../src/batch/report.js";
import { LABEL } from "../../src/sandbox/docker.js";
import { built, ROOT } from "../support/built.js";
import { requireDocker } from "../support/docker.js";
import { tempRepo } from "../support/workspace.js";

let docker: Docker;
beforeAll(async () => {
  docker = await requireDocker();
});

const scratch = mkdtempSync(join(tmpdir(), "opsguard-batch-cli-"));
chmodSync(scratch, 0o755);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;

/** A fresh directory holding `jobs.jsonl` with these lines (objects are written as JSON). */
function jobsDir(lines: (string | Record<string, unknown>)[]): { dir: string; file: string } {
  const dir = join(scratch, `batch-${++n}`);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const file = join(dir, "jobs.jsonl");
  writeFileSync(file, `${lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n")}\n`);
  return { dir, file };
}

function batchSync(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [built("bin/cli.js"), "batch", ...args], { cwd, encoding: "utf8", timeout: 240_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const readReport = (root: string): BatchReport => JSON.parse(readFileSync(join(root, "batch_report.json"), "utf8"));
const HANGS = "import time\nprint('working', flush=True)\ntime.sleep(10**6)\n";

describe("opsguard batch on real Docker", () => {
  it("runs every job to its end: shipped fixes, a missing entry, a hang bounded by its timeout", () => {
    const hang = tempRepo({ "app.py": HANGS });
    const { dir, file } = jobsDir([]);
    writeFileSync(join(dir, "ok.py"), "print('ok')\n");
    chmodSync(join(dir, "ok.py"), 0o644);
    // Paths relative to the jobs file's directory; the CLI runs from elsewhere.
    const rel = (path: string) => relative(dir, path);
    const lines = [
      "# four shipped fixes, a wrong entry file and a hang",
      { repo: rel(join(ROOT, "demo_repo")), error: "ValueError", candidate: [rel(join(ROOT, "demo_repo/fixes/app.py"))] },
      { name: "demo-pytest", repo: rel(join(ROOT, "demo_repo")), error: "ValueError", mode: "pytest", candidate: [rel(join(ROOT, "demo_repo/fixes/app.py"))] },
      "",
      { repo: rel(join(ROOT, "test_large_repo")), error: "crash", candidate: [rel(join(ROOT, "test_large_repo/fixes/app.py"))] },
      { name: "large-pytest", repo: rel(join(ROOT, "test_large_repo")), error: "crash", mode: "pytest", candidate: [rel(join(ROOT, "test_large_repo/fixes/app.py"))] },
      { name: "missing-entry", repo: rel(join(ROOT, "demo_repo")), error: "TypeError", entry: "wrong.py" },
      { name: "hang", repo: rel(hang), error: "it never finishes", timeout: 3, candidate: ["ok.py"] },
    ];
    writeFileSync(file, `${lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n")}\n`);
    const cwd = mkdtempSync(join(scratch, "cwd-"));

    const started = Date.now();
    const { code, stdout, stderr } = batchSync([file, "--concurrency", "2"], cwd);
    const seconds = (Date.now() - started) / 1000;
    expect(code, stderr).toBe(1);

    // The default artifacts root, under the working directory.
    const root = join(cwd, "artifacts/batch");
    const report = readReport(root);
    const byId = Object.fromEntries(report.jobs.map((j) => [j.id, j]));
    expect(Object.keys(byId)).toEqual(["01-demo_repo", "02-demo-pytest", "03-test_large_repo", "04-large-pytest", "05-missing-entry", "06-hang"]);
    for (const id of ["01-demo_repo", "02-demo-pytest", "03-test_large_repo", "04-large-pytest", "06-hang"]) {
      expect(byId[id], id).toMatchObject({ status: "SUCCESS", finished: true });
    }
    expect(byId["05-missing-entry"]).toMatchObject({ status: "FAILED", reason: expect.stringContaining("wrong.py was not found") });
    // The hang was cut at 3 s by the sandbox, then fixed by the candidate.
    expect(byId["06-hang"]!.durationSeconds).toBeGreaterThan(3);
    expect(byId["06-hang"]!.durationSeconds).toBeLessThan(60);
    expect(report.totals).toMatchObject({ SUCCESS: 5, FAILED: 1, INFRA_STOP: 0, INTERRUPTED: 0, NOT_STARTED: 0 });
    expect(report).toMatchObject({ exitCode: 1, interruptedBy: null, concurrency: 2, jobsFile: file });
    expect(report.engines).toEqual([expect.objectContaining({ died: false, jobsRun: 6, jobsLost: 0, reachableAtStart: true })]);
    expect(report.wallSeconds).toBeGreaterThan(0);
    expect(report.wallSeconds).toBeLessThan(seconds);

    for (const job of report.jobs) {
      expect(job.artifactsDir).toBe(join(root, job.id));
      const final = JSON.parse(readFileSync(join(job.artifactsDir, "final_report.json"), "utf8"));
      expect(final.status, job.id).toBe(job.status);
      expect(job.finalReport).toBe(join(job.artifactsDir, "final_report.json"));
    }

    // Never more than --concurrency jobs at once on the one engine. The report rounds to the
    // millisecond and a queued job starts within a millisecond of the end it waited for.
    const moments = report.jobs.flatMap((j) => [
      { t: j.startedAfterSeconds!, d: 1 },
      { t: j.startedAfterSeconds! + j.durationSeconds! - 0.005, d: -1 },
    ]);
    moments.sort((a, b) => a.t - b.t || a.d - b.d);
    let running = 0;
    let most = 0;
    for (const m of moments) most = Math.max(most, (running += m.d));
    expect(most).toBeLessThanOrEqual(2);
    expect(most).toBe(2);

    // One progress line per finished job (stderr is not a terminal here), and the summary table.
    const progress = stderr.split("\n").filter((l) => /^\[\d+\/6\] /.test(l));
    expect(progress).toHaveLength(6);
    for (const line of progress) expect(line).toMatch(/^\[\d\/6\] \d\d-\S+ (SUCCESS|FAILED) \d+\.\d s on engine unix:\/\/\S+$/);
    expect(stdout).toMatch(/^JOB\s+STATUS\s+SECONDS\s+ENGINE\s+REASON$/m);
    for (const job of report.jobs) expect(stdout).toMatch(new RegExp(`^${job.id}\\s+${job.status}\\s+\\d+\\.\\d\\s+unix://`, "m"));
    expect(stdout).toContain("Batch: 6 jobs, 5 SUCCESS, 1 FAILED");
    expect(stdout).toContain("artifacts/batch/batch_report.json");
  });

  it("--json prints the batch report on stdout and the summary on stderr", () => {
    const { file } = jobsDir([{ repo: join(ROOT, "demo_repo"), error: "ValueError", candidate: [join(ROOT, "demo_repo/fixes/app.py")] }]);
    const root = join(scratch, `art-${++n}`);
    const { code, stdout, stderr } = batchSync([file, "--json", "--artifacts", root], scratch);
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout)).toEqual(readReport(root));
    expect(stderr).toMatch(/^01-demo_repo\s+SUCCESS/m);
  });

  it("exits 2 with every job INFRA_STOP when no engine answers", () => {
    const { file } = jobsDir([
      { repo: join(ROOT, "demo_repo"), error: "ValueError", candidate: [join(ROOT, "demo_repo/fixes/app.py")] },
      { repo: join(ROOT, "test_large_repo"), error: "crash", candidate: [join(ROOT, "test_large_repo/fixes/app.py")] },
    ]);
    const root = join(scratch, `art-${++n}`);
    const { code, stderr } = batchSync([file, "--docker-host", "unix:///tmp/opsguard-no-engine.sock", "--artifacts", root], scratch);
    expect(code, stderr).toBe(2);
    expect(stderr).toContain("engine unix:///tmp/opsguard-no-engine.sock does not answer");
    const report = readReport(root);
    expect(report.exitCode).toBe(2);
    expect(report.jobs.map((j) => j.status)).toEqual(["INFRA_STOP", "INFRA_STOP"]);
    expect(report.engines).toEqual([expect.objectContaining({ reachableAtStart: false, died: true, jobsRun: 0 })]);
  });

  it("Ctrl-C: no new jobs, running ones aborted, exit 130, report marks the unfinished, no container left", async () => {
    const hang = tempRepo({ "app.py": HANGS });
    const job = { repo: hang, error: "hangs", timeout: 120, candidate: [join(ROOT, "demo_repo/fixes/app.py")] };
    const { file } = jobsDir([job, job, job, job]);
    const root = join(scratch, `art-${++n}`);
    const tmp = mkdtempSync(join(scratch, "tmp-"));
    const child = spawn(process.execPath, [built("bin/cli.js"), "batch", file, "--concurrency", "2", "--artifacts", root], {
      cwd: scratch,
      env: { ...process.env, TMPDIR: tmp },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on("exit", (c, s) => resolve([c, s])));

    // kind "1": the runs' own containers (the transport probe's, labelled "probe", comes and goes).
    const mine = async (kind?: string) => (await docker.listContainers({ all: true, filters: { label: [kind ? `${LABEL}=${kind}` : LABEL, `dev.opsguard.pid=${child.pid}`] } })).length;
    const deadline = Date.now() + 60_000;
    while ((await mine("1")) < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(await mine("1"), stderr).toBe(2);

    const sent = Date.now();
    child.kill("SIGINT");
    expect(await exited, stderr).toEqual([130, null]);
    // Bounded by the abort, not by the jobs' 120 s timeout.
    expect(Date.now() - sent).toBeLessThan(30_000);
    expect(await mine()).toBe(0);
    expect(readdirSync(tmp).filter((f) => f.startsWith("opsguard-ws-"))).toEqual([]);

    const report = readReport(root);
    expect(report).toMatchObject({ interruptedBy: "SIGINT", exitCode: 130 });
    expect(report.jobs.map((j) => [j.status, j.finished])).toEqual([
      ["INTERRUPTED", false],
      ["INTERRUPTED", false],
      ["NOT_STARTED", false],
      ["NOT_STARTED", false],
    ]);
    expect(report.totals).toMatchObject({ INTERRUPTED: 2, NOT_STARTED: 2, SUCCESS: 0 });
    expect(stdout).toContain("(interrupted by SIGINT)");
  });
});

describe("opsguard batch usage errors: one line, exit 64, nothing run", () => {
  it.each([
    [['{"repo": "__DEMO__", "error": "x"}', '{"repo": "__DEMO__", "error": "x", "timeout": "soon"}'], 'line 2: "timeout" must be a positive number of seconds'],
    [["# comment", "", "{oops"], "line 3: not valid JSON"],
    [['{"repo": "__DEMO__", "error": "x", "candidates": ["a.py"]}'], 'line 1: unknown key "candidates"'],
  ])("%j", (lines, message) => {
    const { file } = jobsDir(lines.map((l) => l.replace("__DEMO__", join(ROOT, "demo_repo"))));
    const root = join(scratch, `art-${++n}`);
    const { code, stdout, stderr } = batchSync([file, "--artifacts", root], scratch);
    expect(code).toBe(64);
    expect(stderr.startsWith(`opsguard: ${file} ${message}`)).toBe(true);
    expect(stderr.split("\n")).toEqual([expect.any(String), ""]);
    expect(stdout).toBe("");
    expect(existsSync(root)).toBe(false);
  });

  it("--concurrency must be a whole number of at least 1", () => {
    const { file } = jobsDir([{ repo: join(ROOT, "demo_repo"), error: "x" }]);
    const { code, stderr } = batchSync([file, "--concurrency", "0"], scratch);
    expect(code).toBe(64);
    expect(stderr).toBe("opsguard: --concurrency must be a whole number of at least 1.\n");
  });
});
