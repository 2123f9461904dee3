/**
 * Streamed outcomes, on real Docker: a wall-clock kill loses nothing already written, so a suite
 * whose every test hangs still reproduces, and a run that dies early leaves no complete record.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { buildGraph } from "../../src/graph/buildGraph.js";
import { recursionLimit } from "../../src/graph/remediate.js";
import type { OpsGuardInput, OpsGuardState } from "../../src/state/state.js";
import { requireDocker } from "../support/docker.js";
import { scriptedDeps } from "../support/scripted.js";
import { tempRepo } from "../support/workspace.js";

beforeAll(async () => {
  await requireDocker();
});

const CONFTEST = "import os, sys\nsys.path.insert(0, os.path.dirname(os.path.dirname(__file__)))\n";
// Every call hangs, and the loop swallows ordinary exceptions: only the wall clock ends it.
const HANGING = `import time

def poll(source):
    while True:
        try:
            time.sleep(0.05)
        except Exception:
            pass

def fetch(n):
    return poll(n)

def total(items):
    poll(items)
`;
const FIXED = "def poll(source):\n    return source\n\ndef fetch(n):\n    return poll(n) * 2\n\ndef total(items):\n    return sum(items)\n";
const TESTS = `import app

def test_poll():
    assert app.poll(3) == 3

def test_fetch():
    assert app.fetch(2) == 4

def test_total():
    assert app.total([1, 2]) == 3
`;

async function run(candidate: string, input: Partial<OpsGuardInput>) {
  const { deps } = scriptedDeps([candidate]);
  const full = { error: "hangs", artifacts: tempRepo({}), maxFixAttempts: 1, mode: "pytest" as const, ...input } as OpsGuardInput;
  return (await buildGraph(deps).invoke(full, { recursionLimit: recursionLimit({}) })) as OpsGuardState;
}

describe("pytest mode: streamed outcomes", () => {
  it("reproduces a suite whose every test hangs past the wall clock, and proves the fix", async () => {
    const repo = tempRepo({ "app.py": HANGING, "tests/conftest.py": CONFTEST, "tests/test_app.py": TESTS });
    // 3 tests x 4 s per test > the 6 s wall clock: the run is killed during the second test (or,
    // on a loaded machine, the first): the test running at the kill failed, later ones never ran.
    const state = await run(FIXED, { repo, timeoutSeconds: 6, testTimeoutSeconds: 4 });
    expect(state.reproduction?.endReason).toBe("timed_out");
    const before = state.testsBefore ?? {};
    expect(before["tests/test_app.py::test_poll"]).toBe("failed");
    expect(before["tests/test_app.py::test_total"]).toBe("missing");
    expect(["failed", "missing"]).toContain(before["tests/test_app.py::test_fetch"]);
    expect(state.attempts?.[0]?.reason).toBeUndefined();
    expect(state.status).toBe("SUCCESS");
    const missing = Object.keys(before).filter((id) => before[id] === "missing");
    expect(state.proof?.unobserved).toEqual(Object.fromEntries(missing.map((id) => [id, { before: "missing", after: "passed" }])));
    expect(state.proof?.summary).toContain(`${missing.length} test(s) the original never reached pass`);
  }, 60_000);

  it("refuses a fix that passes the tests it reaches but leaves an unstarted test failing", async () => {
    const repo = tempRepo({ "app.py": HANGING, "tests/conftest.py": CONFTEST, "tests/test_app.py": TESTS });
    const halfFixed = FIXED.replace("return sum(items)", "return 0");
    const state = await run(halfFixed, { repo, timeoutSeconds: 6, testTimeoutSeconds: 4 });
    expect(state.status).toBe("FAILED");
    expect(state.attempts?.[0]?.reason).toContain("tests/test_app.py::test_total never ran on the original and is failed after the fix");
  }, 60_000);
});
