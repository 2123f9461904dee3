/** Fixes of several files: a diff candidate, a directory candidate, --apply and verify-proof, on the real engine. */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { built, ROOT } from "../support/built.js";
import { requireDocker } from "../support/docker.js";
import { hashTree } from "../support/hashTree.js";
import { tempRepo } from "../support/workspace.js";

beforeAll(async () => {
  await requireDocker();
});

const scratch = mkdtempSync(join(tmpdir(), "opsguard-multi-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;

function opsguard(args: string[]) {
  const result = spawnSync(process.execPath, [built("bin/cli.js"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, OPSGUARD_VERBOSE: "" },
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

// The rename: reports.weekly.summary becomes weekly_summary, and app.py must call it by its new
// name; the bug (refund rows have no "amount") is fixed in load(), where the KeyError is raised.
const BEFORE = {
  "app.py": [
    "from reports import weekly",
    "",
    "ROWS = [{'amount': 3}, {'amount': 4}, {'refund': 2}]",
    "",
    "",
    "def main():",
    "    print(weekly.summary(ROWS))",
    "",
    "",
    "if __name__ == '__main__':",
    "    main()",
    "",
  ].join("\n"),
  "reports/__init__.py": "",
  "reports/weekly.py": [
    "def load(rows):",
    "    return [row['amount'] for row in rows]",
    "",
    "",
    "def summary(rows):",
    "    amounts = load(rows)",
    "    return {'count': len(amounts), 'total': sum(amounts)}",
    "",
  ].join("\n"),
  "tests/test_weekly.py": "from reports import weekly\n\n\ndef test_total():\n    assert weekly.load([{'amount': 1}]) == [1]\n",
};
const AFTER = {
  "app.py": BEFORE["app.py"].replace("weekly.summary(ROWS)", "weekly.weekly_summary(ROWS)"),
  "reports/weekly.py": BEFORE["reports/weekly.py"]
    .replace("return [row['amount'] for row in rows]", "return [row.get('amount', 0) - row.get('refund', 0) for row in rows]")
    .replace("def summary(rows):", "def weekly_summary(rows):"),
};

/** A real `git diff` of the given changes against `repo`, which is left as it was. */
function gitDiff(repo: string, changes: Record<string, string>): string {
  const work = join(scratch, `git-${++n}`);
  cpSync(repo, work, { recursive: true });
  const git = (...args: string[]) => execFileSync("git", ["-c", "user.email=t@t", "-c", "user.name=t", ...args], { cwd: work, encoding: "utf8" });
  git("init", "-q");
  git("add", ".");
  git("commit", "-qm", "before");
  for (const [path, content] of Object.entries(changes)) {
    mkdirSync(dirname(join(work, path)), { recursive: true });
    writeFileSync(join(work, path), content);
  }
  git("add", "-N", ".");
  return git("diff");
}

function candidateFile(name: string, content: string): string {
  const file = join(scratch, `${++n}-${name}`);
  writeFileSync(file, content);
  return file;
}

function candidateDir(files: Record<string, string>): string {
  const dir = join(scratch, `overlay-${++n}`);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

const readJson = (dir: string, name: string) => JSON.parse(readFileSync(join(dir, name), "utf8"));

describe("a fix of two files", () => {
  it("a git diff candidate: both files proven, one multi-file patch.diff that git apply accepts, verify-proof holds", () => {
    const repo = tempRepo(BEFORE);
    const before = hashTree(repo);
    const patch = candidateFile("rename.diff", gitDiff(repo, AFTER));
    expect(patch).toMatch(/\.diff$/);
    const artifacts = join(scratch, `artifacts-${++n}`);
    const { code, stdout, stderr } = opsguard(["--repo", repo, "--error", "KeyError: 'amount'", "--candidate", patch, "--artifacts", artifacts]);
    expect(stdout).toContain("Status: SUCCESS");
    expect(code).toBe(0);
    expect(stderr).toMatch(/propose .*: app\.py, reports\/weekly\.py/);
    expect(stderr).toMatch(/apply .*in 2 files/);
    expect(hashTree(repo)).toBe(before);

    const proof = readJson(artifacts, "proof.json");
    expect(proof.files.map((f: { path: string }) => f.path)).toEqual(["app.py", "reports/weekly.py"]);
    expect(proof.evidence.failure_site.chain.map((f: { function: string }) => f.function)).toEqual(["<module>", "main", "summary", "load", "<listcomp>"]);
    expect(proof.evidence.trust).toBe("guarded");
    expect(readFileSync(join(artifacts, "internal/fix/reports/weekly.py"), "utf8")).toBe(AFTER["reports/weekly.py"]);
    expect(readFileSync(join(artifacts, "internal/original/reports/weekly.py"), "utf8")).toBe(BEFORE["reports/weekly.py"]);

    // internal/patch.diff is one diff of both files that git apply takes from the root.
    const copy = join(scratch, `apply-${++n}`);
    cpSync(repo, copy, { recursive: true });
    execFileSync("git", ["apply", join(artifacts, "internal/patch.diff")], { cwd: copy });
    for (const [path, content] of Object.entries(AFTER)) expect(readFileSync(join(copy, path), "utf8")).toBe(content);

    const verified = spawnSync(process.execPath, [built("bin/cli.js"), "verify-proof", artifacts, "--repo", repo], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
    expect(verified.stderr).toContain("ok   repository files: 2 files hold the original (fix not applied)");
    expect(verified.stdout).toContain("Proof holds");
    expect(verified.status).toBe(0);
  });

  it("a directory candidate with --apply writes both files, and verify-proof holds on the applied repository", () => {
    const repo = tempRepo(BEFORE);
    const artifacts = join(scratch, `artifacts-${++n}`);
    // The overlay repeats the unchanged package file: it is not part of the fix.
    const overlay = candidateDir({ ...AFTER, "reports/__init__.py": "" });
    const { code, stdout } = opsguard(["--repo", repo, "--error", "KeyError", "--candidate", overlay, "--apply", "--artifacts", artifacts]);
    expect(stdout).toContain("Status: SUCCESS");
    expect(code).toBe(0);
    expect(stdout).toContain(`Fix written to: ${join(repo, "app.py")}, ${join(repo, "reports/weekly.py")}`);
    for (const [path, content] of Object.entries(AFTER)) expect(readFileSync(join(repo, path), "utf8")).toBe(content);
    expect(readJson(artifacts, "proof.json").files).toHaveLength(2);
    const verified = spawnSync(process.execPath, [built("bin/cli.js"), "verify-proof", artifacts, "--repo", repo], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
    expect(verified.stderr).toContain("ok   repository files: 2 files hold the fix (applied)");
    expect(verified.status).toBe(0);
  });

  it("a fix that adds a module: git apply creates it", () => {
    const repo = tempRepo(BEFORE);
    const artifacts = join(scratch, `artifacts-${++n}`);
    const helper = "def amount(row):\n    return row.get('amount', 0) - row.get('refund', 0)\n";
    const weekly = BEFORE["reports/weekly.py"].replace("return [row['amount'] for row in rows]", "return [amount(row) for row in rows]");
    const patch = candidateFile("add.patch", gitDiff(repo, { "reports/amounts.py": helper, "reports/weekly.py": `from reports.amounts import amount\n\n\n${weekly}` }));
    const { code, stdout } = opsguard(["--repo", repo, "--error", "KeyError", "--candidate", patch, "--artifacts", artifacts]);
    expect(stdout).toContain("Status: SUCCESS");
    expect(code).toBe(0);
    expect(readJson(artifacts, "proof.json").files).toEqual([
      expect.objectContaining({ path: "reports/amounts.py", original_sha256: null }),
      expect.objectContaining({ path: "reports/weekly.py" }),
    ]);
    const copy = join(scratch, `apply-${++n}`);
    cpSync(repo, copy, { recursive: true });
    execFileSync("git", ["apply", join(artifacts, "internal/patch.diff")], { cwd: copy });
    expect(readFileSync(join(copy, "reports/amounts.py"), "utf8")).toBe(helper);
  });
});

describe("diff candidates that are refused, each with its reason", () => {
  const refusal = (repo: string, diff: string, name = "fix.diff") => {
    const artifacts = join(scratch, `artifacts-${++n}`);
    const { code } = opsguard(["--repo", repo, "--error", "KeyError", "--candidate", candidateFile(name, diff), "--artifacts", artifacts]);
    expect(code).toBe(1);
    const attempt = readJson(artifacts, "final_report.json").attempts[0];
    expect(attempt.outcome).toBe("refused");
    return attempt.reason as string;
  };

  it("a diff that touches a test file", () => {
    const repo = tempRepo(BEFORE);
    const diff = gitDiff(repo, { ...AFTER, "tests/test_weekly.py": "def test_total():\n    assert True\n" });
    expect(refusal(repo, diff)).toBe("tests/test_weekly.py is a test, conftest or pytest configuration file, which a fix may never change or add");
  });

  it("a diff that adds a conftest.py", () => {
    const repo = tempRepo(BEFORE);
    const diff = gitDiff(repo, { ...AFTER, "reports/conftest.py": "import pytest\n" });
    expect(refusal(repo, diff, "fix.patch")).toContain("reports/conftest.py is a test, conftest or pytest configuration file");
  });

  it("a hunk that does not apply", () => {
    const repo = tempRepo(BEFORE);
    const stale = gitDiff(tempRepo({ ...BEFORE, "reports/weekly.py": BEFORE["reports/weekly.py"].replace("row['amount']", "row['value']") }), AFTER);
    expect(refusal(repo, stale)).toMatch(/^the diff does not apply: hunk 1 of \d for reports\/weekly\.py \(at line 1, "def load\(rows\):"\) does not apply: its context or removed lines are not in the file$/);
  });
});

it("keeps the single-file forms: a .py candidate replaces --target", () => {
  const repo = tempRepo(BEFORE);
  const fixed = BEFORE["reports/weekly.py"].replace("return [row['amount'] for row in rows]", "return [row.get('amount', 0) for row in rows]");
  const artifacts = join(scratch, `artifacts-${++n}`);
  const { code } = opsguard(["--repo", repo, "--error", "KeyError", "--target", "reports/weekly.py", "--candidate", candidateFile("weekly.py", fixed), "--artifacts", artifacts]);
  expect(code).toBe(0);
  expect(existsSync(join(artifacts, "internal/fix/reports/weekly.py"))).toBe(true);
  expect(readFileSync(join(artifacts, "internal/latest_patch.py"), "utf8")).toBe(fixed);
});

describe("review and resume of a multi-file fix", () => {
  const threadOf = (stderr: string) => /\[opsguard\] thread ([0-9a-f]+)/.exec(stderr)?.[1];
  const cli = (args: string[]) => spawnSync(process.execPath, [built("bin/cli.js"), ...args], { cwd: ROOT, encoding: "utf8", timeout: 120_000, input: "" });

  it("rebuilds the workspace from the repository and the recorded files, checking every file the fix touches", () => {
    const repo = tempRepo(BEFORE);
    const artifacts = join(scratch, `artifacts-${++n}`);
    const paused = cli(["--repo", repo, "--error", "KeyError", "--candidate", candidateDir(AFTER), "--review", "--apply", "--artifacts", artifacts]);
    expect(paused.status).toBe(5);
    const thread = threadOf(paused.stderr)!;

    // A file only the second half of the fix touches changes: the resume refuses, naming it.
    writeFileSync(join(repo, "reports/weekly.py"), `${BEFORE["reports/weekly.py"]}# edited\n`);
    const refused = cli(["resume", thread, "--approve", "--artifacts", artifacts]);
    expect(refused.status).toBe(64);
    expect(refused.stderr).toContain(`reports/weekly.py changed in ${repo} since this run started; start a new run instead of resuming.`);

    writeFileSync(join(repo, "reports/weekly.py"), BEFORE["reports/weekly.py"]);
    const approved = cli(["resume", thread, "--approve", "--artifacts", artifacts]);
    expect(approved.stderr).toContain("rebuilt the workspace");
    expect(approved.stdout).toContain("Status: SUCCESS");
    expect(approved.status).toBe(0);
    for (const [path, content] of Object.entries(AFTER)) expect(readFileSync(join(repo, path), "utf8")).toBe(content);
  });
});
