import Docker from "dockerode";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildGraph } from "../../src/graph/buildGraph.js";
import type { OpsGuardInput, OpsGuardState } from "../../src/state/state.js";
import { recursionLimit } from "../../src/graph/remediate.js";
import { createDockerSandbox } from "../../src/sandbox/docker.js";
import { requireDocker } from "../support/docker.js";
import { hashTree } from "../support/hashTree.js";
import { countingSandbox, scriptedDeps } from "../support/scripted.js";
import { tempRepo } from "../support/workspace.js";

beforeAll(async () => {
  await requireDocker();
});

const artifactRoot = mkdtempSync(join(tmpdir(), "opsguard-artifacts-"));
afterAll(() => rmSync(artifactRoot, { recursive: true, force: true }));
let runs = 0;

const BUGGY = [
  "def parse_price(text):",
  "    return float(text)",
  "",
  "def total(items):",
  "    return sum(parse_price(t) for t in items)",
  "",
  "if __name__ == '__main__':",
  "    print(total(['1.5', 'N/A', '2']))",
  "",
].join("\n");
const FIXED = BUGGY.replace("    return float(text)", "    try:\n        return float(text)\n    except ValueError:\n        return 0.0");
const WRONG = BUGGY.replace("    return float(text)", "    return float(text.strip())");

async function remediate(files: Record<string, string>, answers: string[], input: Partial<OpsGuardInput> = {}, sandbox = countingSandbox()) {
  const repo = tempRepo(files);
  const before = hashTree(repo);
  const { deps, proposer } = scriptedDeps(answers, sandbox);
  const artifacts = join(artifactRoot, `run-${++runs}`);
  const full = { repo, error: "ValueError on N/A", artifacts, ...input };
  const state = (await buildGraph(deps).invoke(full, { recursionLimit: recursionLimit({}) })) as OpsGuardState;
  expect(hashTree(repo)).toBe(before);
  for (const file of ["final_report.json", "internal/latest_patch.py", "internal/patch.diff", "internal/run.log", "presentation/judge_summary.txt"]) {
    expect(existsSync(join(artifacts, file)), file).toBe(true);
  }
  const report = JSON.parse(readFileSync(join(artifacts, "final_report.json"), "utf8"));
  expect(report.status).toBe(state.status);
  if (state.workspace) expect(existsSync(state.workspace)).toBe(false);
  return { state, report, proposer, sandbox, artifacts };
}

describe("the remediation graph on real Docker", () => {
  it("fixes the bug on the first attempt: SUCCESS with a diff", async () => {
    const { state, report, sandbox, artifacts } = await remediate({ "app.py": BUGGY }, [FIXED]);
    expect(state.status).toBe("SUCCESS");
    expect(state.errorType).toBe("CODE_ERROR");
    // Two containers for the whole remediation: the reproduction, and compile-then-verify.
    expect(sandbox.runs.length).toBe(2);
    expect(report.attempts).toHaveLength(1);
    expect(report.attempts[0].outcome).toBe("accepted");
    expect(readFileSync(join(artifacts, "internal/patch.diff"), "utf8")).toContain("+    except ValueError:");
    expect(readFileSync(join(artifacts, "internal/latest_patch.py"), "utf8")).toBe(FIXED);
    const log = readFileSync(join(artifacts, "internal/run.log"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(log.map((e) => e.node)).toEqual(["setup", "buildReproduction", "reproduce", "classify", "propose", "validate", "screen", "apply", "verify", "report"]);
  });

  it("retries with each refusal fed back, then succeeds on the third attempt", async () => {
    const { state, proposer, report } = await remediate({ "app.py": BUGGY }, ["def broken(:\n", WRONG, FIXED]);
    expect(state.status).toBe("SUCCESS");
    expect(report.attempts.map((a: { outcome: string; refused_at: string | null }) => [a.outcome, a.refused_at])).toEqual([
      ["refused", "validate"], ["refused", "verify"], ["accepted", null],
    ]);
    expect(proposer.requests[1]!.previousAttempts[0]!.refusal).toContain("validate");
    expect(proposer.requests[2]!.previousAttempts[1]!.refusal).toContain("ValueError");
    expect(proposer.requests[0]!.reproductionOutput).toContain("ValueError: could not convert string to float: 'N/A'");
  });

  it("refuses a file that parses but does not compile in the sandbox (gate 4)", async () => {
    const noCompile = `${FIXED}\nreturn 1\n`;
    const { state, report } = await remediate({ "app.py": BUGGY }, [noCompile, FIXED]);
    expect(state.status).toBe("SUCCESS");
    expect(report.attempts[0].refused_at).toBe("compile");
    expect(report.attempts[0].reason).toContain("'return' outside function");
  });

  it("ends FAILED after three refused attempts", async () => {
    const { state, report, proposer } = await remediate({ "app.py": BUGGY }, [WRONG, WRONG + "\n# again\n", WRONG + "\n# third\n", FIXED]);
    expect(state.status).toBe("FAILED");
    expect(report.attempts).toHaveLength(3);
    expect(proposer.requests).toHaveLength(3);
    expect(state.reason).toContain("All 3 fix attempts were refused");
  });

  it("ends FAILED when the candidates run out, without more attempts", async () => {
    const { state, report } = await remediate({ "app.py": BUGGY }, [WRONG]);
    expect(state.status).toBe("FAILED");
    expect(report.attempts).toHaveLength(1);
    expect(state.reason).toContain("candidates ran out");
  });

  it("ends NOT_REPRODUCIBLE after two clean runs", async () => {
    const { state, sandbox } = await remediate({ "app.py": "print('all good')\n" }, [FIXED]);
    expect(state.status).toBe("NOT_REPRODUCIBLE");
    expect(state.errorType).toBe("NO_ERROR");
    expect(sandbox.runs).toHaveLength(2);
  });

  it("honours a different reproduction limit", async () => {
    const { state, sandbox } = await remediate({ "app.py": "print('all good')\n" }, [], { maxReproAttempts: 3 });
    expect(state.status).toBe("NOT_REPRODUCIBLE");
    expect(sandbox.runs).toHaveLength(3);
  });

  it("stops with INFRA_STOP on an infrastructure failure, without asking for a fix", async () => {
    const code = "import sys\nprint('upstream said: connection refused', file=sys.stderr)\nsys.exit(1)\n";
    const { state, proposer } = await remediate({ "app.py": code }, [FIXED]);
    expect(state.status).toBe("INFRA_STOP");
    expect(state.errorType).toBe("INFRA_ERROR");
    expect(proposer.requests).toHaveLength(0);
  });

  it("stops with INFRA_STOP when the engine is unreachable", async () => {
    const dead = createDockerSandbox({ docker: new Docker({ socketPath: "/tmp/opsguard-no-engine.sock" }) });
    const { state } = await remediate({ "app.py": BUGGY }, [FIXED], {}, countingSandbox(dead));
    expect(state.status).toBe("INFRA_STOP");
    expect(state.reason).toContain("Cannot reach the Docker engine");
  });

  it("ends FAILED before any container when the entry file is missing (gate 1)", async () => {
    const { state, sandbox } = await remediate({ "app.py": BUGGY }, [FIXED], { entry: "wrong.py" });
    expect(state.status).toBe("FAILED");
    expect(state.reason).toContain("wrong.py was not found");
    expect(sandbox.runs).toHaveLength(0);
  });

  // Gate 2 is "pytest collects at least one test" (issue 13): it needs the reproduction's container,
  // and ends the run there, before any fix is asked for.
  it("ends FAILED after the reproduction alone in pytest mode when pytest collects no test (gate 2)", async () => {
    const { state, sandbox } = await remediate({ "app.py": BUGGY }, [FIXED], { mode: "pytest" });
    expect(state.status).toBe("FAILED");
    expect(state.reason).toContain("Pytest collected no tests (gate 2)");
    expect(sandbox.runs).toHaveLength(1);
    expect(state.attempts).toEqual([]);
  });

  it("fixes a failing test suite in pytest mode", async () => {
    const files = {
      "app.py": BUGGY,
      "tests/conftest.py": "import sys, os\nsys.path.insert(0, os.path.dirname(os.path.dirname(__file__)))\n",
      "tests/test_app.py": "import app\n\ndef test_total():\n    assert app.total(['1', '2']) == 3\n\ndef test_bad():\n    assert app.total(['1', 'N/A']) == 1\n",
    };
    const { state } = await remediate(files, [FIXED], { mode: "pytest" });
    expect(state.status).toBe("SUCCESS");
    expect(state.classification?.failingTests).toEqual(["tests/test_app.py::test_bad"]);
  });
});
