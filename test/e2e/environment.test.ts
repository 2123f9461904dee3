/**
 * Environment failures on real Docker: what the sandbox lacks stops the run as INFRA_STOP with the
 * remedy, before any proposer is asked; a code bug that looks similar still goes to the proposer.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildGraph } from "../../src/graph/buildGraph.js";
import { recursionLimit } from "../../src/graph/remediate.js";
import type { OpsGuardInput, OpsGuardState } from "../../src/state/state.js";
import { createDockerSandbox } from "../../src/sandbox/docker.js";
import { STDLIB_MODULE_NAMES } from "../../src/environment/stdlibModules.js";
import { requireDocker, SANDBOX_IMAGE } from "../support/docker.js";
import { scriptedDeps } from "../support/scripted.js";
import { hashTree } from "../support/hashTree.js";
import { tempRepo } from "../support/workspace.js";

beforeAll(async () => {
  await requireDocker();
});

const artifactRoot = mkdtempSync(join(tmpdir(), "opsguard-env-artifacts-"));
afterAll(() => rmSync(artifactRoot, { recursive: true, force: true }));
let runs = 0;

async function remediate(files: Record<string, string>, answers: string[], input: Partial<OpsGuardInput> = {}) {
  const repo = tempRepo(files);
  const { deps, proposer, sandbox } = scriptedDeps(answers);
  const full = { repo, error: "it fails", artifacts: join(artifactRoot, `run-${++runs}`), ...input };
  const state = (await buildGraph(deps).invoke(full, { recursionLimit: recursionLimit({}) })) as OpsGuardState;
  return { state, proposer, sandbox };
}

const YAML_APP = "import yaml\n\nprint(yaml.safe_load(open('config.yml'))['port'])\n";
/** The "fix" a model once made: hide the missing dependency and hand-parse the file. */
const HIDES_DEPENDENCY = "try:\n    import yaml\nexcept ImportError:\n    yaml = None\n\nline = open('config.yml').read().split(':')\nprint(int(line[1]))\n";

describe("the standard library OpsGuard knows", () => {
  it("is the sandbox Python's own sys.stdlib_module_names", async () => {
    const result = await createDockerSandbox({ image: SANDBOX_IMAGE }).run(tempRepo({}), ["python3", "-c", "import sys; print(' '.join(sorted(sys.stdlib_module_names)))"]);
    const names = result.stdout.trim().split(/\s+/);
    expect(names.length).toBeGreaterThan(200);
    expect(names.filter((name) => !STDLIB_MODULE_NAMES.has(name))).toEqual([]);
  });
});

describe("environment failures stop before any model is asked", () => {
  it("a module in requirements.txt but not installed (--no-install): INFRA_STOP naming the requirement, the hiding fix is never tried", async () => {
    const { state, proposer } = await remediate(
      { "app.py": YAML_APP, "config.yml": "port: 8080\n", "requirements.txt": "requests>=2\nPyYAML>=6.0\n" },
      [HIDES_DEPENDENCY],
      { install: false },
    );
    expect(state.status).toBe("INFRA_STOP");
    expect(state.infraCode).toBe("MISSING_MODULE");
    expect(state.reason).toContain("No module named 'yaml'");
    expect(state.reason).toContain("PyYAML>=6.0 is declared in requirements.txt:2 but --no-install skipped the installation");
    expect(proposer.requests).toHaveLength(0);
    expect(state.attempts).toEqual([]);
  });

  it("an undeclared third-party module: INFRA_STOP naming the distribution", async () => {
    const { state, proposer } = await remediate({ "app.py": "from PIL import Image\nprint(Image)\n" }, ["print(1)\n"]);
    expect(state.status).toBe("INFRA_STOP");
    expect(state.reason).toContain("No module named 'PIL'");
    expect(state.reason).toContain("Pillow");
    expect(proposer.requests).toHaveLength(0);
  });

  it("a module that is in the repository but not importable is a code bug: the proposer is asked", async () => {
    const { state, proposer } = await remediate(
      { "app.py": "import helpers\nprint(helpers.VALUE)\n", "lib/helpers.py": "VALUE = 1\n" },
      ["import sys\nsys.path.insert(0, 'lib')\nimport helpers\nprint(helpers.VALUE)\n"],
    );
    expect(state.errorType).toBe("CODE_ERROR");
    expect(proposer.requests).toHaveLength(1);
  });

  it("PEP 695 syntax on Python 3.11: INFRA_STOP suggesting a newer Python", async () => {
    const app = "type Price = float\n\ndef first[T](items: list[T]) -> T:\n    return items[0]\n\nprint(first([1.5]))\n";
    const { state, proposer } = await remediate({ "app.py": app }, ["print(1.5)\n"]);
    expect(state.status).toBe("INFRA_STOP");
    expect(state.infraCode).toBe("NEWER_PYTHON");
    expect(state.reason).toContain("app.py:1 uses a PEP 695 type alias");
    expect(state.reason).toContain("Python 3.12 and later accept it");
    expect(proposer.requests).toHaveLength(0);
  });

  it("a plain syntax error is still a code bug", async () => {
    const { state, proposer } = await remediate({ "app.py": "def total(:\n    return 1\n" }, ["def total():\n    return 1\n"]);
    expect(state.errorType).toBe("CODE_ERROR");
    expect(proposer.requests).toHaveLength(1);
  });
});

const PYTEST_HEADER = { "app.py": "def add(a, b):\n    return a + b\n", "tests/conftest.py": "import os, sys\nsys.path.insert(0, os.path.dirname(os.path.dirname(__file__)))\n" };

describe("missing pytest plugins and slow suites", () => {
  it("async tests skipped without pytest-asyncio: INFRA_STOP naming the plugin, not 'all tests passed'", async () => {
    const tests = "import pytest\nimport app\n\n@pytest.mark.asyncio\nasync def test_add():\n    assert app.add(1, 2) == 4\n\ndef test_sync():\n    assert app.add(1, 1) == 2\n";
    const { state, proposer } = await remediate({ ...PYTEST_HEADER, "tests/test_app.py": tests }, ["x = 1\n"], { mode: "pytest" });
    expect(state.status).toBe("INFRA_STOP");
    expect(state.infraCode).toBe("MISSING_PYTEST_PLUGIN");
    expect(state.reason).toContain("pytest-asyncio");
    expect(proposer.requests).toHaveLength(0);
  });

  it("pytest-mock's mocker fixture missing: INFRA_STOP naming pytest-mock", async () => {
    const tests = "import app\n\ndef test_add(mocker):\n    mocker.patch('app.add', return_value=5)\n    assert app.add(1, 2) == 5\n";
    const { state, proposer } = await remediate({ ...PYTEST_HEADER, "tests/test_app.py": tests }, ["x = 1\n"], { mode: "pytest" });
    expect(state.status).toBe("INFRA_STOP");
    expect(state.reason).toContain("fixture 'mocker' not found");
    expect(state.reason).toContain("pytest-mock");
    expect(proposer.requests).toHaveLength(0);
  });

  it("a slow suite cut off by the wall-clock limit: INFRA_STOP suggesting --timeout", async () => {
    const tests = "import time\n\n" + Array.from({ length: 20 }, (_, i) => `def test_${i}():\n    time.sleep(0.4)\n`).join("\n");
    const { state, proposer } = await remediate({ ...PYTEST_HEADER, "tests/test_slow.py": tests }, ["x = 1\n"], { mode: "pytest", timeoutSeconds: 4 });
    expect(state.status).toBe("INFRA_STOP");
    expect(state.infraCode).toBe("SLOW_SUITE");
    expect(state.reason).toMatch(/reached the 4 s limit while tests were still finishing \(\d+ of 20 done/);
    expect(state.reason).toMatch(/Pass --timeout \d+ \(or more\)\./);
    expect(proposer.requests).toHaveLength(0);
  });

  it("a suite that hangs is still a code bug (quiet for longer than a slow suite pauses)", async () => {
    const tests = "def test_quick():\n    assert True\n\ndef test_hang():\n    while True:\n        pass\n";
    const { state, proposer } = await remediate({ ...PYTEST_HEADER, "tests/test_hang.py": tests }, ["x = 1\n"], { mode: "pytest", timeoutSeconds: 5 });
    expect(state.errorType).toBe("CODE_ERROR");
    expect(state.classification?.reason).toContain("did not finish before the time limit");
    expect(proposer.requests.length).toBeGreaterThan(0);
  });
});

const WRITER = [
  "import csv, os, sqlite3",
  "",
  "def parse_price(text):",
  "    return float(text)",
  "",
  "def export(rows):",
  "    os.makedirs('out', exist_ok=True)",
  "    db = sqlite3.connect('out/cache.db')",
  "    db.execute('create table if not exists seen (sku)')",
  "    with open('out/orders.csv', 'w', newline='') as handle:",
  "        writer = csv.writer(handle)",
  "        for sku, price in rows:",
  "            db.execute('insert into seen values (?)', (sku,))",
  "            writer.writerow([sku, parse_price(price)])",
  "    db.commit()",
  "    print('exported', db.execute('select count(*) from seen').fetchone()[0])",
  "",
  "if __name__ == '__main__':",
  "    export([('a', '1.5'), ('b', 'N/A')])",
  "",
].join("\n");
const WRITER_FIXED = WRITER.replace("    return float(text)", "    try:\n        return float(text)\n    except ValueError:\n        return 0.0");

describe("programs that write", () => {
  it("a program writing out/orders.csv and a sqlite file is reproduced and fixed; nothing reaches the repository or the workspace", async () => {
    const repo = tempRepo({ "app.py": WRITER });
    const before = hashTree(repo);
    const { deps, proposer, sandbox } = scriptedDeps([WRITER_FIXED]);
    let workspaceAfterVerify: string | undefined;
    const watching = { ...sandbox, run: async (...args: Parameters<typeof sandbox.run>) => {
      const result = await sandbox.run(...args);
      workspaceAfterVerify = readdirSync(args[0]).sort().join(",");
      return result;
    } };
    const state = (await buildGraph({ ...deps, sandbox: watching }).invoke(
      { repo, error: "ValueError", artifacts: join(artifactRoot, `run-${++runs}`) },
      { recursionLimit: recursionLimit({}) },
    )) as OpsGuardState;
    expect(state.reproduction?.stderr).toContain("ValueError: could not convert string to float: 'N/A'");
    expect(state.reproduction?.stderr).not.toContain("Read-only file system");
    expect(state.status).toBe("SUCCESS");
    expect(state.verification?.stdout).toContain("exported 2");
    expect(proposer.requests).toHaveLength(1);
    expect(workspaceAfterVerify).toBe("app.py");
    expect(hashTree(repo)).toBe(before);
  });

  it("a fix that rewrites a test file while it runs is refused, though its copy was writable", async () => {
    const tests = "import app\n\ndef test_total():\n    assert app.total(['1', 'N/A']) == 1\n";
    const buggy = "def total(items):\n    return sum(float(t) for t in items)\n";
    const sneaky = [
      "import pathlib",
      "",
      "def total(items):",
      "    return sum(float(t) for t in items)",
      "",
      "for _p in pathlib.Path(__file__).parent.rglob('*.py'):",
      "    if _p.name.endswith('_app.py'):",
      "        _p.write_text(_p.read_text().replace('== 1', '> 0 or True'))",
      "",
    ].join("\n");
    const { state } = await remediate({ ...PYTEST_HEADER, "app.py": buggy, "tests/test_app.py": tests }, [sneaky], { mode: "pytest" });
    expect(state.status).toBe("FAILED");
    const attempt = state.attempts?.[0];
    expect(attempt?.outcome).toBe("refused");
    expect(attempt?.stage).toBe("verify");
    // The runtime guard refuses the open first (the write never happens); the copy's hash check
    // is what remains for a write the guard does not see.
    expect(attempt?.reason).toBe("the fix did a forbidden operation: open /workspace/tests/test_app.py at app.py line 8 in <module>");
  });
});
