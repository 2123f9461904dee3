/** Checkpoints, resume after SIGKILL, and human review, as a CLI user meets them. */
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { built, ROOT } from "../support/built.js";
import { requireDocker } from "../support/docker.js";
import { hashTree } from "../support/hashTree.js";

beforeAll(async () => {
  await requireDocker();
});

const scratch = mkdtempSync(join(tmpdir(), "opsguard-resume-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;

const ORIGINAL = "def parse(text):\n    return int(text)\n\ndef main():\n    print(parse('7') + parse('N/A'))\n\nif __name__ == '__main__':\n    main()\n";
// The fix takes a few seconds in verification, which leaves time to kill the run there.
const SLOW_FIX = "import time\n\ndef parse(text):\n    return int(text) if text.isdigit() else 0\n\ndef main():\n    time.sleep(4)\n    print(parse('7') + parse('N/A'))\n\nif __name__ == '__main__':\n    main()\n";

function setup(name: string) {
  const dir = join(scratch, `${name}-${++n}`);
  cpSync(join(ROOT, "demo_repo"), join(dir, "repo"), { recursive: true });
  return { dir, repo: join(dir, "repo"), artifacts: join(dir, "artifacts"), tmp: mkdtempSync(join(dir, "tmp-")) };
}

function opsguard(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [built("bin/cli.js"), ...args], { encoding: "utf8", env: { ...process.env, OPSGUARD_VERBOSE: "", ...env }, timeout: 120_000, input: "" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const threadOf = (stderr: string) => /\[opsguard\] thread ([0-9a-f]+)/.exec(stderr)?.[1];
const report = (artifacts: string) => JSON.parse(readFileSync(join(artifacts, "final_report.json"), "utf8"));
const nodes = (artifacts: string) => report(artifacts).timeline.map((e: { node: string }) => e.node);

describe("resume after SIGKILL", () => {
  it.each([
    ["reusing the workspace the killed process left", false],
    ["rebuilding a workspace that is gone", true],
  ])("continues from the last completed step, %s", async (_name, removeWorkspace) => {
    const { dir, artifacts, tmp } = setup("kill");
    const repo = join(dir, "app");
    cpSync(join(ROOT, "demo_repo/tests"), join(repo, "tests"), { recursive: true });
    writeFileSync(join(repo, "app.py"), ORIGINAL);
    writeFileSync(join(dir, "fix.py"), SLOW_FIX);
    const before = hashTree(repo);
    const args = ["--repo", repo, "--error", "ValueError", "--candidate", join(dir, "fix.py"), "--artifacts", artifacts];
    const child = spawn(process.execPath, [built("bin/cli.js"), ...args], { env: { ...process.env, TMPDIR: tmp } });
    let stderr = "";
    await new Promise<void>((resolve, reject) => {
      child.stderr.on("data", (chunk) => {
        stderr += chunk;
        // apply is done: verification (about 4 s) is running now.
        if (/\[opsguard\] apply /.test(stderr)) {
          child.kill("SIGKILL");
          resolve();
        }
      });
      child.on("exit", () => reject(new Error(`the run ended before it could be killed:\n${stderr}`)));
    });
    await new Promise((resolve) => child.on("exit", resolve));
    const thread = threadOf(stderr)!;
    expect(thread).toMatch(/^[0-9a-f]{12}$/);
    expect(existsSync(join(artifacts, "final_report.json"))).toBe(false);
    if (removeWorkspace) for (const ws of readdirSync(tmp)) rmSync(join(tmp, ws), { recursive: true, force: true });

    const resumed = opsguard(["resume", thread, "--artifacts", artifacts], { TMPDIR: tmp });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`resuming thread ${thread} before verify`);
    expect(resumed.stderr.includes("rebuilt the workspace")).toBe(removeWorkspace);
    expect(resumed.stdout).toContain("Status: SUCCESS");
    // Nothing that had completed ran again: one reproduction, one proposal, one compile check.
    expect(nodes(artifacts)).toEqual(["setup", "buildReproduction", "reproduce", "classify", "propose", "validate", "screen", "apply", "verify", "report"]);

    const uninterrupted = join(dir, "uninterrupted");
    expect(opsguard([...args.slice(0, -1), uninterrupted]).code).toBe(0);
    const [a, b] = [report(artifacts), report(uninterrupted)];
    for (const key of ["status", "error_type", "retries", "patch_diff", "diff_summary", "original"]) expect(a[key], key).toEqual(b[key]);
    expect(a.attempts.map((x: { outcome: string }) => x.outcome)).toEqual(b.attempts.map((x: { outcome: string }) => x.outcome));
    expect(hashTree(repo)).toBe(before);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it("says so when the thread is unknown", () => {
    const { artifacts } = setup("unknown");
    const { code, stderr } = opsguard(["resume", "0123456789ab", "--artifacts", artifacts]);
    expect(code).toBe(64);
    expect(stderr).toContain("No run with thread 0123456789ab in");
  });

  it("prints the final report again for a finished thread", () => {
    const { repo, artifacts } = setup("finished");
    const first = opsguard(["--repo", repo, "--error", "ValueError", "--candidate", join(ROOT, "demo_repo/fixes/app.py"), "--artifacts", artifacts]);
    const again = opsguard(["resume", threadOf(first.stderr)!, "--artifacts", artifacts]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("already finished");
    expect(again.stdout).toContain("Status: SUCCESS");
  });
});

describe("--review", () => {
  const FIX = join(ROOT, "demo_repo/fixes/app.py");

  it("without a terminal, pauses before writing and prints how to approve or reject; reject leaves the repo untouched", () => {
    const { repo, artifacts } = setup("reject");
    const before = hashTree(repo);
    const paused = opsguard(["--repo", repo, "--error", "ValueError", "--candidate", FIX, "--apply", "--review", "--artifacts", artifacts]);
    expect(paused.code).toBe(5);
    const thread = threadOf(paused.stderr)!;
    expect(paused.stderr).toContain("A proven fix is waiting for review.");
    expect(paused.stderr).toContain("+++ b/app.py");
    expect(paused.stderr).toContain(`Approve: opsguard resume ${thread} --artifacts ${artifacts} --approve`);
    expect(paused.stderr).toContain(`Reject:  opsguard resume ${thread} --artifacts ${artifacts} --reject`);
    expect(hashTree(repo)).toBe(before);

    const rejected = opsguard(["resume", thread, "--artifacts", artifacts, "--reject"]);
    expect(rejected.code).toBe(1);
    expect(rejected.stdout).toContain("Status: FAILED");
    expect(rejected.stdout).toContain("A reviewer rejected the proven fix; the repository was left untouched.");
    expect(hashTree(repo)).toBe(before);
    expect(existsSync(join(artifacts, "proof.json"))).toBe(false);
  });

  it("approve writes the fix", () => {
    const { repo, artifacts } = setup("approve");
    const paused = opsguard(["--repo", repo, "--error", "ValueError", "--candidate", FIX, "--apply", "--review", "--artifacts", artifacts]);
    expect(paused.code).toBe(5);
    const approved = opsguard(["resume", threadOf(paused.stderr)!, "--artifacts", artifacts, "--approve"]);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stderr).toContain("rebuilt the workspace");
    expect(readFileSync(join(repo, "app.py"), "utf8")).toBe(readFileSync(FIX, "utf8"));
  });

  it("an answered review leaves a finished thread; --approve with --reject is a usage error", () => {
    const { repo, artifacts } = setup("not-waiting");
    const paused = opsguard(["--repo", repo, "--error", "ValueError", "--candidate", FIX, "--artifacts", artifacts, "--review"]);
    const thread = threadOf(paused.stderr)!;
    expect(opsguard(["resume", thread, "--artifacts", artifacts, "--approve"]).code).toBe(0);
    const again = opsguard(["resume", thread, "--artifacts", artifacts, "--approve"]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("already finished");
    expect(opsguard(["resume", thread, "--artifacts", artifacts, "--approve", "--reject"]).code).toBe(64);
  });

  it("asks at a terminal and takes the answer", () => {
    const { repo, artifacts } = setup("tty");
    const command = [process.execPath, built("bin/cli.js"), "--repo", repo, "--error", "ValueError", "--candidate", FIX, "--apply", "--review", "--artifacts", artifacts]
      .map((part) => `'${part}'`)
      .join(" ");
    // script(1) gives the CLI a real terminal; "y" answers the question.
    const r = spawnSync("script", ["-qec", command, "/dev/null"], { input: "y\n", encoding: "utf8", timeout: 120_000 });
    expect(r.stdout).toContain("Write this proven fix into the repository? [y/N]");
    expect(r.status, r.stdout).toBe(0);
    expect(readFileSync(join(repo, "app.py"), "utf8")).toBe(readFileSync(FIX, "utf8"));
  });
});
