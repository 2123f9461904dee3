/** The team-scale checkpointer: a run paused in one process is resumed from PostgreSQL by another. */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { built, ROOT } from "../support/built.js";
import { requireDocker } from "../support/docker.js";
import { startPostgres } from "../support/postgres.js";

let pg: { url: string; stop: () => void };
const scratch = mkdtempSync(join(tmpdir(), "opsguard-pgrun-"));

beforeAll(async () => {
  await requireDocker();
  pg = await startPostgres();
}, 120_000);
afterAll(() => {
  pg?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

function opsguard(args: string[]) {
  const r = spawnSync(process.execPath, [built("bin/cli.js"), ...args], { encoding: "utf8", env: { ...process.env, OPSGUARD_VERBOSE: "" }, timeout: 120_000, input: "" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("--checkpoint postgres://", () => {
  it("keeps a paused run's state in PostgreSQL, where another process resumes it", () => {
    const repo = join(scratch, "repo");
    cpSync(join(ROOT, "demo_repo"), repo, { recursive: true });
    const fix = join(ROOT, "demo_repo/fixes/app.py");
    const paused = opsguard(["--repo", repo, "--error", "ValueError", "--candidate", fix, "--review", "--apply", "--checkpoint", pg.url, "--artifacts", join(scratch, "a1")]);
    expect(paused.code, paused.stderr).toBe(5);
    const thread = /\[opsguard\] thread ([0-9a-f]+)/.exec(paused.stderr)![1]!;
    expect(paused.stderr).toContain(`--checkpoint ${pg.url} --approve`);

    // A different artifacts directory: the state comes from PostgreSQL, not from local files.
    const approved = opsguard(["resume", thread, "--checkpoint", pg.url, "--artifacts", join(scratch, "a1"), "--approve"]);
    expect(approved.code, approved.stderr).toBe(0);
    expect(readFileSync(join(repo, "app.py"), "utf8")).toBe(readFileSync(fix, "utf8"));
  });

  it("an unreachable server is an infrastructure stop with what to check, and the password stays hidden", () => {
    const { code, stderr } = opsguard(["--repo", "demo_repo", "--error", "x", "--checkpoint", "postgres://ops:s3cret@127.0.0.1:1/none", "--artifacts", join(scratch, "a2")]);
    expect(code).toBe(2);
    expect(stderr).toContain("Cannot use the PostgreSQL checkpointer at postgres://ops:***@127.0.0.1:1/none");
    expect(stderr).not.toContain("s3cret");
  });
});
