/** --module, --arg, --env and --target through the built CLI on the real engine: what the user runs, fixed where the bug is. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { built, ROOT } from "../support/built.js";
import { requireDocker } from "../support/docker.js";
import { hashTree } from "../support/hashTree.js";
import { tempRepo } from "../support/workspace.js";

beforeAll(async () => {
  await requireDocker();
});

const scratch = mkdtempSync(join(tmpdir(), "opsguard-runs-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;
const artifactsDir = () => join(scratch, `artifacts-${++n}`);

function opsguard(args: string[]) {
  const result = spawnSync(process.execPath, [built("bin/cli.js"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, OPSGUARD_VERBOSE: "1" },
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Every file under `dir` except the checkpoint store, as text. */
function artifactTexts(dir: string): Record<string, string> {
  const texts: Record<string, string> = {};
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (!name.startsWith("checkpoints.sqlite")) texts[path] = readFileSync(path, "utf8");
    }
  };
  walk(dir);
  return texts;
}

const SECRET = "s3cr3t-token-4711";

// A package run with `python -m jobrunner --limit 3`: relative imports, argv and the environment all
// matter, and the bug is in jobrunner/core.py, not in the file that runs.
const JOBRUNNER = {
  "jobrunner/__init__.py": "",
  "jobrunner/__main__.py": [
    "import os",
    "import sys",
    "",
    "from .core import run",
    "",
    "token = os.environ['API_TOKEN']",
    "print('using token', token)",
    "limit = int(sys.argv[sys.argv.index('--limit') + 1])",
    "print('done', run([10, 20, 30], limit, token))",
    "",
  ].join("\n"),
  "jobrunner/core.py": [
    "def run(jobs, limit, token):",
    "    if not token:",
    "        raise PermissionError('no token')",
    "    batch = jobs[:limit]",
    "    # the bug: with every job in one batch nothing remains",
    "    return sum(batch) / (len(jobs) - limit), 'token=' + token",
    "",
  ].join("\n"),
};
const JOBRUNNER_FIX = [
  "def run(jobs, limit, token):",
  "    if not token:",
  "        raise PermissionError('no token')",
  "    batch = jobs[:limit]",
  "    remaining = len(jobs) - limit",
  "    return (sum(batch) / remaining if remaining else float(sum(batch))), 'token=' + token",
  "",
].join("\n");

describe("--module, --arg and --env run what the user runs", () => {
  it("fixes jobrunner/core.py for `python -m jobrunner --limit 3` and never shows the --env value", () => {
    const repo = tempRepo(JOBRUNNER);
    const fix = join(scratch, "core.py");
    writeFileSync(fix, JOBRUNNER_FIX);
    const before = hashTree(repo);
    const artifacts = artifactsDir();
    const { code, stdout, stderr } = opsguard([
      "--repo", repo, "--error", "ZeroDivisionError with --limit 3",
      "--module", "jobrunner", "--arg=--limit", "--arg", "3", "--env", `API_TOKEN=${SECRET}`,
      "--target", "jobrunner/core.py", "--candidate", fix, "--artifacts", artifacts, "--json",
    ]);
    expect(stderr).toContain("Status: SUCCESS");
    expect(code).toBe(0);
    expect(stderr).toContain("opsguard_entry.py -m jobrunner --limit 3");
    const report = JSON.parse(stdout);
    // argv reached the program (the failure needs --limit 3), and so did the environment (no PermissionError).
    expect(report.reproduction.stderr).toContain("ZeroDivisionError: division by zero");
    expect(report.reproduction.stderr).toContain('File "/workspace/jobrunner/core.py", line 6, in run');
    expect(report.reproduction.stderr).not.toContain("opsguard_entry.py");
    expect(report.reproduction.stdout).toContain("using token [redacted]");
    expect(report.verification.stdout).toContain("done (60.0, 'token=[redacted]')");
    expect(report).toMatchObject({ module: "jobrunner", args: ["--limit", "3"], env_keys: ["API_TOKEN"], target: "jobrunner/core.py" });
    expect(report.reason).toContain("failure site run() in core.py line 6");
    const proof = JSON.parse(readFileSync(join(artifacts, "proof.json"), "utf8"));
    expect(proof).toMatchObject({ module: "jobrunner", args: ["--limit", "3"], env_keys: ["API_TOKEN"], original: { path: "jobrunner/core.py" } });
    // The value is nowhere: not on the terminal, not in any report, log, diff or page.
    expect(stdout + stderr).not.toContain(SECRET);
    const texts = artifactTexts(artifacts);
    expect(Object.keys(texts).length).toBeGreaterThanOrEqual(8);
    for (const [path, text] of Object.entries(texts)) expect(text, path).not.toContain(SECRET);
    expect(hashTree(repo)).toBe(before);

    // verify-proof needs the value again, and says so; with it the proof holds.
    const cli = (args: string[]) => spawnSync(process.execPath, [built("bin/cli.js"), ...args], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
    const without = cli(["verify-proof", artifacts, "--repo", repo]);
    expect(without.status).toBe(64);
    expect(without.stderr).toContain("The proof was made with --env API_TOKEN: pass the same value again (--env KEY=VALUE).");
    const withEnv = cli(["verify-proof", artifacts, "--repo", repo, "--env", `API_TOKEN=${SECRET}`]);
    expect(withEnv.stdout).toContain("Proof holds");
    expect(withEnv.status).toBe(0);
    expect(withEnv.stdout + withEnv.stderr).not.toContain(SECRET);
  });

  it("runs the entry file from the repository root with the root on sys.path, and fixes the imported module", () => {
    const repo = tempRepo({
      "scripts/run.py": "import sys\nfrom mypkg.pricing import total\n\nprint('total', total([('tea', '2.50'), ('cake', 'N/A')]), sys.argv[1:])\n",
      "mypkg/__init__.py": "",
      "mypkg/pricing.py": "def total(items):\n    return round(sum(float(price) for _, price in items), 2)\n",
    });
    const fix = join(scratch, "pricing.py");
    writeFileSync(fix, "def total(items):\n    return round(sum(float(price) for _, price in items if price != 'N/A'), 2)\n");
    const artifacts = artifactsDir();
    const { code, stdout } = opsguard([
      "--repo", repo, "--error", "ValueError on N/A", "--entry", "scripts/run.py", "--arg", "weekly",
      "--target", "mypkg/pricing.py", "--candidate", fix, "--artifacts", artifacts,
    ]);
    expect(stdout).toContain("Status: SUCCESS");
    expect(code).toBe(0);
    expect(stdout).toContain("--- a/mypkg/pricing.py");
    const report = JSON.parse(readFileSync(join(artifacts, "final_report.json"), "utf8"));
    expect(report.reproduction.stderr).toContain("ValueError: could not convert string to float: 'N/A'");
    expect(report.verification.stdout).toContain("total 2.5 ['weekly']");
    expect(readFileSync(join(artifacts, "presentation/judge_summary.txt"), "utf8")).toContain("Runs:        scripts/run.py weekly (mode entry)");
  });

  it("ends FAILED at gate 1 when the module is not in the repository", () => {
    const repo = tempRepo({ "app.py": "print('x')\n" });
    const { code, stdout } = opsguard(["--repo", repo, "--error", "x", "--module", "jobs.cli", "--artifacts", artifactsDir()]);
    expect(code).toBe(1);
    expect(stdout).toContain("Module jobs.cli was not found in");
    expect(stdout).toContain("neither jobs/cli/__main__.py nor jobs/cli.py exists (gate 1).");
  });
});

describe("usage errors for what runs: one line, exit 64", () => {
  it.each([
    [["--module", "jobrunner", "--entry", "app.py"], "--module and --entry both say what runs: give one of them (--target chooses the file to fix)."],
    [["--module", "job-runner"], '--module "job-runner" is not a Python module name (like jobrunner or mypkg.cli).'],
    [["--module", "jobrunner", "--mode", "pytest"], "--module and --arg choose what entry mode runs; pytest mode runs the tests"],
    [["--arg", "x", "--mode", "pytest"], "--module and --arg choose what entry mode runs"],
    [["--tests", "tests"], "--tests chooses what pytest mode collects; add --mode pytest."],
    [["--context-tokens", "0"], "--context-tokens must be a whole number of at least 1."],
    [["--env", "NOVALUE"], '--env "NOVALUE" must have the form KEY=VALUE.'],
    [["--env", "1X=2"], '--env: "1X" is not a valid environment variable name'],
    [["--env", "OPSGUARD_NONCE=abc"], "--env: OPSGUARD_NONCE is reserved: OpsGuard's own runners use the OPSGUARD_ prefix."],
  ])("%j", (args, message) => {
    const { code, stderr, stdout } = opsguard(["--repo", "demo_repo", "--error", "x", ...args]);
    expect(code).toBe(64);
    expect(stderr).toContain(message);
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stdout).toBe("");
  });
});
