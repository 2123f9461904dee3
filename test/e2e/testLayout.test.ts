/** Pytest mode collects what pytest collects, with the repository's own configuration, on the real engine. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { built, ROOT } from "../support/built.js";
import { requireDocker } from "../support/docker.js";
import { tempRepo } from "../support/workspace.js";

beforeAll(async () => {
  await requireDocker();
});

const scratch = mkdtempSync(join(tmpdir(), "opsguard-layout-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;

function opsguard(args: string[]) {
  const artifacts = join(scratch, `artifacts-${++n}`);
  const result = spawnSync(process.execPath, [built("bin/cli.js"), "--mode", "pytest", "--artifacts", artifacts, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, OPSGUARD_VERBOSE: "" },
    timeout: 120_000,
  });
  const read = (name: string) => JSON.parse(readFileSync(join(artifacts, name), "utf8"));
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, read };
}

const PRICING = "def total(prices):\n    return round(sum(float(p) for p in prices), 2)\n";
const PRICING_FIX = "def total(prices):\n    return round(sum(float(p) for p in prices if p != 'N/A'), 2)\n";
const TESTS = [
  "from mypkg.pricing import total",
  "",
  "def test_sums():",
  "    assert total(['1.50', '2']) == 3.5",
  "",
  "def test_skips_missing_prices():",
  "    assert total(['1.50', 'N/A']) == 1.5",
  "",
].join("\n");
const fixFile = () => {
  const file = join(scratch, `pricing-${++n}.py`);
  writeFileSync(file, PRICING_FIX);
  return file;
};
const MYPKG = { "mypkg/__init__.py": "", "mypkg/pricing.py": PRICING, "app.py": "from mypkg.pricing import total\nprint(total(['1']))\n" };

describe("pytest mode finds the repository's tests where they are", () => {
  it("tests next to the code (mypkg/test_pricing.py): the bug in mypkg/pricing.py is reproduced and fixed", () => {
    const repo = tempRepo({ ...MYPKG, "mypkg/test_pricing.py": TESTS });
    const { code, stdout, stderr, read } = opsguard(["--repo", repo, "--error", "ValueError on N/A", "--target", "mypkg/pricing.py", "--candidate", fixFile()]);
    expect(stdout).toContain("Status: SUCCESS");
    expect(code).toBe(0);
    expect(stderr).toMatch(/reproduce .*2 test\(s\) from 1 file\(s\)/);
    const proof = read("proof.json");
    expect(proof.fix.path).toBe("mypkg/pricing.py");
    expect(Object.keys(proof.evidence.fail_to_pass)).toEqual(["mypkg/test_pricing.py::test_skips_missing_prices"]);
    expect(Object.keys(proof.evidence.pass_to_pass)).toEqual(["mypkg/test_pricing.py::test_sums"]);
    expect(Object.keys(proof.tests)).toEqual(["mypkg/test_pricing.py"]);
  });

  it("tests in test/ with a conftest, no configuration", () => {
    const repo = tempRepo({ ...MYPKG, "test/conftest.py": "import pytest\n", "test/test_pricing.py": TESTS });
    const { code, read } = opsguard(["--repo", repo, "--error", "ValueError", "--target", "mypkg/pricing.py", "--candidate", fixFile()]);
    expect(code).toBe(0);
    expect(Object.keys(read("proof.json").tests)).toEqual(["test/conftest.py", "test/test_pricing.py"]);
  });

  it("testpaths and python_files from pyproject.toml: checks/check_pricing.py, and the config is protected", () => {
    const repo = tempRepo({
      ...MYPKG,
      "pyproject.toml": '[tool.pytest.ini_options]\ntestpaths = ["checks"]\npython_files = ["check_*.py"]\n',
      "checks/check_pricing.py": TESTS,
      // Not in testpaths: pytest must not run it, so its failure must not count.
      "other/test_unrelated.py": "def test_broken():\n    assert False\n",
    });
    const { code, stdout, read } = opsguard(["--repo", repo, "--error", "ValueError", "--target", "mypkg/pricing.py", "--candidate", fixFile()]);
    expect(stdout).toContain("Status: SUCCESS");
    expect(code).toBe(0);
    const proof = read("proof.json");
    expect(Object.keys(proof.evidence.fail_to_pass)).toEqual(["checks/check_pricing.py::test_skips_missing_prices"]);
    expect(Object.keys(proof.tests)).toEqual(["checks/check_pricing.py", "other/test_unrelated.py", "pyproject.toml"]);
  });

  it("--tests narrows what pytest collects", () => {
    const repo = tempRepo({ ...MYPKG, "tests/unit/test_pricing.py": TESTS, "tests/slow/test_slow.py": "def test_slow():\n    assert False\n" });
    const { code, read } = opsguard(["--repo", repo, "--error", "ValueError", "--tests", "tests/unit", "--target", "mypkg/pricing.py", "--candidate", fixFile()]);
    expect(code).toBe(0);
    const report = read("final_report.json");
    expect(report.reproduction.command.slice(-1)).toEqual(["tests/unit"]);
    expect(Object.keys(read("proof.json").evidence.pass_to_pass)).toEqual(["tests/unit/test_pricing.py::test_sums"]);
  });
});

describe("gate 2: pytest collects at least one test", () => {
  it("says where it looked and how to point it when nothing is collected", () => {
    const repo = tempRepo({ ...MYPKG, "pytest.ini": "[pytest]\ntestpaths = specs\n", "specs/helpers.py": "X = 1\n" });
    const { code, stdout } = opsguard(["--repo", repo, "--error", "x", "--target", "mypkg/pricing.py", "--candidate", fixFile()]);
    expect(code).toBe(1);
    expect(stdout).toContain(
      "Reason: Pytest collected no tests (gate 2): it looked in specs from testpaths in pytest.ini for files named test_*.py or *_test.py. " +
        "Point it at the tests with --tests PATH (repeatable), or set testpaths and python_files in pytest.ini or pyproject.toml.",
    );
  });

  it("names the repository root when there is no configuration, and --tests when it was given", () => {
    const repo = tempRepo(MYPKG);
    const bare = opsguard(["--repo", repo, "--error", "x", "--target", "mypkg/pricing.py", "--candidate", fixFile()]);
    expect(bare.code).toBe(1);
    expect(bare.stdout).toContain("it looked in the repository root with no pytest configuration for files named test_*.py or *_test.py.");
    const given = opsguard(["--repo", repo, "--error", "x", "--tests", "mypkg", "--target", "mypkg/pricing.py", "--candidate", fixFile()]);
    expect(given.stdout).toContain("it looked in mypkg as given with --tests");
    const missing = opsguard(["--repo", repo, "--error", "x", "--tests", "nope/", "--candidate", fixFile()]);
    expect(missing.stdout).toContain("--tests nope/ was not found in");
  });

  it("refuses to take a collected test file as the file to fix", () => {
    const repo = tempRepo({ ...MYPKG, "pyproject.toml": '[tool.pytest.ini_options]\npython_files = ["check_*.py"]\n', "check_pricing.py": TESTS });
    const { code, stdout } = opsguard(["--repo", repo, "--error", "x", "--target", "check_pricing.py", "--candidate", fixFile()]);
    expect(code).toBe(1);
    expect(stdout).toContain("check_pricing.py is a test or pytest configuration file, and OpsGuard never changes the tests that judge a fix");
  });
});
