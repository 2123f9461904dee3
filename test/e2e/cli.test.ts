import Docker from "dockerode";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LABEL } from "../../src/sandbox/docker.js";
import { built, ROOT } from "../support/built.js";
import { requireDocker } from "../support/docker.js";
import { hashTree } from "../support/hashTree.js";
import { tempRepo } from "../support/workspace.js";

let docker: Docker;
beforeAll(async () => {
  docker = await requireDocker();
});

const scratch = mkdtempSync(join(tmpdir(), "opsguard-cli-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;

function opsguard(args: string[], env: Record<string, string> = {}, cwd = ROOT) {
  const result = spawnSync(process.execPath, [built("bin/cli.js"), ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, OPSGUARD_VERBOSE: "", ...env },
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const artifactsDir = () => join(scratch, `artifacts-${++n}`);
const DEMO_FIX = ["--repo", "demo_repo", "--error", "ValueError", "--candidate", "demo_repo/fixes/app.py"];

/** Every user mistake: one line saying what is wrong and what to do; 64 for usage, 2 for the environment. */
const aFile = join(scratch, "a-file");
writeFileSync(aFile, "not a directory\n");
const readOnly = join(scratch, "read-only");
const USAGE_CASES: [string, string[], number, string][] = [
  ["no --repo", ["--error", "x"], 64, "Missing required argument: repo"],
  ["no --error", ["--repo", "demo_repo"], 64, "Missing required argument: error"],
  ["an empty --error", ["--repo", "demo_repo", "--error", " "], 64, "--error is empty: describe what goes wrong"],
  ["a bad --mode", ["--repo", "demo_repo", "--error", "x", "--mode", "fuzz"], 64, "Invalid values"],
  ["a missing --repo", ["--repo", "no/such/dir", "--error", "x"], 64, "--repo no/such/dir is not a directory."],
  ["a --repo that is a file", ["--repo", "demo_repo/app.py", "--error", "x"], 64, "--repo demo_repo/app.py is not a directory."],
  ["a missing --candidate", ["--repo", "demo_repo", "--error", "x", "--candidate", "nope.py"], 64, "--candidate nope.py is not a file."],
  // A directory is a candidate now (an overlay of whole files, issue 13); a device is neither form.
  ["a --candidate that is neither a file nor a directory", ["--repo", "demo_repo", "--error", "x", "--candidate", "/dev/null"], 64, "--candidate /dev/null is not a file. Give the whole new file, a .diff/.patch, or a directory of whole files."],
  ["--timeout 0", ["--repo", "demo_repo", "--error", "x", "--timeout", "0"], 64, "--timeout must be a positive number"],
  ["--timeout that is not a number", ["--repo", "demo_repo", "--error", "x", "--timeout", "soon"], 64, "--timeout must be a positive number"],
  ["--test-timeout -1", ["--repo", "demo_repo", "--error", "x", "--test-timeout", "-1"], 64, "--test-timeout must be a positive number"],
  ["--max-fix-attempts 1.5", ["--repo", "demo_repo", "--error", "x", "--max-fix-attempts", "1.5"], 64, "--max-fix-attempts must be a whole number of at least 1."],
  ["--max-repro-attempts 0", ["--repo", "demo_repo", "--error", "x", "--max-repro-attempts", "0"], 64, "--max-repro-attempts must be a whole number of at least 1."],
  ["--max-tokens 0", ["--repo", "demo_repo", "--error", "x", "--max-tokens", "0"], 64, "--max-tokens must be a whole number of at least 1."],
  ["an unknown flag", ["--repo", "demo_repo", "--error", "x", "--frobnicate"], 64, "Unknown argument: frobnicate"],
  ["a repeated --entry", ["--repo", "demo_repo", "--error", "x", "--entry", "a.py", "--entry", "b.py"], 64, "--entry was given 2 times (a.py, b.py); it takes one value: give it once."],
  ["a repeated --repo", ["--repo", "demo_repo", "--repo", "demo_repo", "--error", "x"], 64, "--repo was given 2 times"],
  ["a repeated --timeout", ["--repo", "demo_repo", "--error", "x", "--timeout", "5", "--timeout", "6"], 64, "--timeout was given 2 times"],
  ["a bad --provider", ["--repo", "demo_repo", "--error", "x", "--provider", "acme"], 64, "Invalid values"],
  ["a --base-url that is not a URL", ["--repo", "demo_repo", "--error", "x", "--base-url", "localhost-ish"], 64, "--base-url localhost-ish is not an http(s) URL"],
  ["a --checkpoint of another scheme", ["--repo", "demo_repo", "--error", "x", "--checkpoint", "mysql://u:pw@db/x"], 64, "--checkpoint mysql://u:***@db/x is neither a SQLite file path nor a postgres:// URL"],
  ["--artifacts that is a file", ["--repo", "demo_repo", "--error", "x", "--artifacts", aFile], 64, `--artifacts ${aFile} is not a directory (a file is in the way)`],
  ["--artifacts under a file", ["--repo", "demo_repo", "--error", "x", "--artifacts", join(aFile, "sub")], 64, `--artifacts ${join(aFile, "sub")} is not a directory (a file is in the way)`],
  ["--artifacts on a read-only file system", ["--repo", "demo_repo", "--error", "x", "--artifacts", join(readOnly, "out")], 2, `--artifacts ${join(readOnly, "out")} is on a read-only file system: pass a directory on a writable disk.`],
  ["resume of an unknown thread", ["resume", "0123abcd", "--artifacts", join(scratch, "none")], 64, "No run with thread 0123abcd"],
  ["resume with a bad --checkpoint", ["resume", "0123abcd", "--checkpoint", "redis://x"], 64, "--checkpoint redis://x is neither"],
  ["verify-proof of a directory without a proof", ["verify-proof", scratch, "--repo", "demo_repo"], 64, "proof.json does not exist: only a SUCCESS writes a proof bundle."],
  ["batch of a missing jobs file", ["batch", join(scratch, "no-jobs.jsonl")], 64, "no-jobs.jsonl"],
  ["batch with a repeated --concurrency", ["batch", join(scratch, "no-jobs.jsonl"), "--concurrency", "1", "--concurrency", "2"], 64, "--concurrency was given 2 times"],
];

describe("opsguard usage errors: one line, the right exit code, no stack trace", () => {
  beforeAll(() => {
    // A read-only file system of its own (root may write anywhere else).
    spawnSync("mkdir", ["-p", readOnly]);
    const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", readOnly]);
    if (mounted.status !== 0) throw new Error(`cannot mount a read-only tmpfs for the test (run as root): ${mounted.stderr}`);
  });
  afterAll(() => {
    spawnSync("umount", [readOnly]);
  });

  it.each(USAGE_CASES)("%s", (_label, args, exit, message) => {
    const { code, stderr, stdout } = opsguard(args);
    expect(code, stderr).toBe(exit);
    expect(stderr).toContain(message);
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stderr).not.toContain("internal error");
    expect(stdout).toBe("");
  });

  it("--help lists the flags and exit codes", () => {
    const { code, stdout } = opsguard(["--help"]);
    expect(code).toBe(0);
    for (const flag of ["--repo", "--error", "--entry", "--mode", "--candidate", "--artifacts", "--timeout", "--image", "--json"]) {
      expect(stdout).toContain(flag);
    }
    expect(stdout).toContain("3 NOT_REPRODUCIBLE");
  });
});

describe("opsguard runs on real Docker", () => {
  it("repairs demo_repo with the shipped fix: exit 0, progress, closing lines, artifacts, repo untouched", async () => {
    const before = hashTree(join(ROOT, "demo_repo"));
    const artifacts = artifactsDir();
    const { code, stdout, stderr } = opsguard([...DEMO_FIX, "--artifacts", artifacts]);
    expect(code).toBe(0);
    expect(stdout).toContain("OpsGuard execution complete.\nStatus: SUCCESS\n");
    expect(stdout).toContain("presentation/judge_summary.txt");
    for (const node of ["setup", "reproduce", "classify", "propose", "validate", "screen", "apply", "verify", "report"]) {
      expect(stderr).toMatch(new RegExp(`\\[opsguard\\] ${node} +\\d+ ms`));
    }
    expect(hashTree(join(ROOT, "demo_repo"))).toBe(before);
    const report = JSON.parse(readFileSync(join(artifacts, "final_report.json"), "utf8"));
    expect(report).toMatchObject({ status: "SUCCESS", error_type: "CODE_ERROR", retries: { fix: 1 } });
    expect(readFileSync(join(artifacts, "presentation/judge_summary.txt"), "utf8")).toContain("Status:      SUCCESS");
  });

  it("repairs demo_repo in pytest mode", () => {
    const { code, stdout } = opsguard([...DEMO_FIX, "--mode", "pytest", "--artifacts", artifactsDir()]);
    expect(code).toBe(0);
    expect(stdout).toContain("Status: SUCCESS");
  });

  it("repairs test_large_repo with its shipped fix", () => {
    const args = ["--repo", "test_large_repo", "--error", "crash", "--candidate", "test_large_repo/fixes/app.py"];
    expect(opsguard([...args, "--artifacts", artifactsDir()]).code).toBe(0);
    expect(opsguard([...args, "--mode", "pytest", "--artifacts", artifactsDir()]).code).toBe(0);
  });

  it("--json prints only the final report on stdout", () => {
    const { code, stdout, stderr } = opsguard([...DEMO_FIX, "--json", "--artifacts", artifactsDir()]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).status).toBe("SUCCESS");
    expect(stderr).toContain("Status: SUCCESS");
  });

  it("reads .env from the working directory (OPSGUARD_VERBOSE=1 prints the diff and the change list)", () => {
    const cwd = join(scratch, `envdir-${++n}`);
    spawnSync("mkdir", ["-p", cwd]);
    writeFileSync(join(cwd, ".env"), "OPSGUARD_VERBOSE=1\n");
    const env = { ...process.env } as Record<string, string>;
    delete env.OPSGUARD_VERBOSE;
    const result = spawnSync(process.execPath, [built("bin/cli.js"), "--repo", join(ROOT, "demo_repo"), "--error", "ValueError", "--candidate", join(ROOT, "demo_repo/fixes/app.py"), "--artifacts", join(cwd, "a")], { cwd, encoding: "utf8", env });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("--- a/app.py");
    expect(result.stdout).toMatch(/^\+ line \d+: /m);
  });

  it("exits 1 (FAILED) for a missing entry file, with the full artifact set", () => {
    const artifacts = artifactsDir();
    const { code, stdout } = opsguard(["--repo", "demo_repo", "--error", "TypeError", "--entry", "wrong.py", "--artifacts", artifacts]);
    expect(code).toBe(1);
    expect(stdout).toContain("Status: FAILED");
    expect(stdout).toContain("wrong.py was not found");
    expect(existsSync(join(artifacts, "internal/run.log"))).toBe(true);
  });

  it("exits 3 (NOT_REPRODUCIBLE) when the code does not fail", () => {
    const repo = tempRepo({ "app.py": "print('fine')\n" });
    const { code, stdout } = opsguard(["--repo", repo, "--error", "x", "--candidate", join(ROOT, "demo_repo/fixes/app.py"), "--artifacts", artifactsDir()]);
    expect(code).toBe(3);
    expect(stdout).toContain("Status: NOT_REPRODUCIBLE");
  });

  it("exits 2 (INFRA_STOP) with what to do when the engine is unreachable", () => {
    const { code, stdout } = opsguard([...DEMO_FIX, "--artifacts", artifactsDir()], { DOCKER_HOST: "unix:///tmp/opsguard-no-engine.sock" });
    expect(code).toBe(2);
    expect(stdout).toContain("Status: INFRA_STOP");
    expect(stdout).toContain("Cannot reach the Docker engine");
  });

  it("exits 2 (INFRA_STOP) with what to do when the image is missing", () => {
    const { code, stdout } = opsguard([...DEMO_FIX, "--image", "opsguard-missing:nope", "--artifacts", artifactsDir()]);
    expect(code).toBe(2);
    expect(stdout).toContain("npm run sandbox:image");
  });

  it("leaves no container and no workspace behind after Ctrl-C", async () => {
    const repo = tempRepo({ "app.py": "import time\nprint('working', flush=True)\ntime.sleep(60)\n" });
    const tmp = mkdtempSync(join(scratch, "tmp-"));
    const child = spawn(process.execPath, [built("bin/cli.js"), "--repo", repo, "--error", "hang", "--artifacts", artifactsDir()], {
      env: { ...process.env, TMPDIR: tmp },
      stdio: "ignore",
    });
    // kind "1": the runs' own containers (the transport probe's, labelled "probe", comes and goes).
    const mine = async (kind?: string) => (await docker.listContainers({ all: true, filters: { label: [kind ? `${LABEL}=${kind}` : LABEL, `dev.opsguard.pid=${child.pid}`] } })).length;
    const deadline = Date.now() + 30_000;
    while ((await mine("1")) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(await mine("1")).toBe(1);
    expect(readdirSync(tmp).filter((f) => f.startsWith("opsguard-ws-"))).toHaveLength(1);
    const exited = new Promise((resolve) => child.on("exit", (_c, signal) => resolve(signal)));
    child.kill("SIGINT");
    expect(await exited).toBe("SIGINT");
    expect(await mine()).toBe(0);
    expect(readdirSync(tmp).filter((f) => f.startsWith("opsguard-ws-"))).toHaveLength(0);
  });
});
