/**
 * The graph's retry and refusal paths over a scripted sandbox and a scripted proposer: no Docker,
 * real files (workspace, artifacts), each run in milliseconds. What Docker decides is scripted;
 * what the nodes and routes make of it is what is tested.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildGraph } from "../../src/graph/buildGraph.js";
import { defaultDeps } from "../../src/graph/defaultDeps.js";
import { recursionLimit } from "../../src/graph/remediate.js";
import type { OpsGuardInput, OpsGuardState } from "../../src/state/state.js";
import type { Sandbox } from "../../src/sandbox/docker.js";
import { scriptedProposer } from "../support/scripted.js";
import { evidenceLines, guardLines, scriptedSandbox, traceback } from "../support/scriptedSandbox.js";
import { tempRepo } from "../support/workspace.js";

const BUGGY = "def main():\n    raise ValueError('bad')\nmain()\n";
const STILL_BUGGY = "def main():\n    raise ValueError('still bad')\nmain()\n";
const artifactRoot = mkdtempSync(join(tmpdir(), "opsguard-nodes-"));
afterAll(() => rmSync(artifactRoot, { recursive: true, force: true }));
let n = 0;

async function run(sandbox: Sandbox, answers: string[], input: Partial<OpsGuardInput> = {}) {
  const repo = tempRepo({ "app.py": BUGGY });
  const proposer = scriptedProposer(answers);
  // No environment builder: the run uses the base image, and nothing asks Docker.
  const deps = { ...defaultDeps({ sandbox, proposerFor: () => proposer }), environments: undefined };
  const artifacts = join(artifactRoot, `run-${++n}`);
  const full = { repo, error: "ValueError", artifacts, ...input };
  const state = (await buildGraph(deps).invoke(full, { recursionLimit: recursionLimit(full) })) as OpsGuardState;
  const report = JSON.parse(readFileSync(join(artifacts, "final_report.json"), "utf8"));
  return { state, report, proposer, repo, artifacts };
}

describe("reproduce and classify", () => {
  it("tries the reproduction max-repro-attempts times, then ends NOT_REPRODUCIBLE without asking for a fix", async () => {
    const sandbox = scriptedSandbox(() => ({ exitCode: 0, stdout: "all fine\n" }));
    const { state, report, proposer } = await run(sandbox, [STILL_BUGGY], { maxReproAttempts: 3 });
    expect(state.status).toBe("NOT_REPRODUCIBLE");
    expect(state.reproAttempts).toBe(3);
    expect(sandbox.runs).toHaveLength(3);
    expect(sandbox.runs.every((r) => !r.verifying)).toBe(true);
    expect(proposer.requests).toHaveLength(0);
    expect(report.status).toBe("NOT_REPRODUCIBLE");
  });

  it("stops INFRA_STOP on a failure no code change can fix, without asking for a fix", async () => {
    const sandbox = scriptedSandbox(() => ({ exitCode: 1, stderr: traceback("ConnectionRefusedError", "[Errno 111] Connection refused") }));
    const { state, proposer } = await run(sandbox, [STILL_BUGGY]);
    expect(state.status).toBe("INFRA_STOP");
    expect(state.errorType).toBe("INFRA_ERROR");
    expect(sandbox.runs).toHaveLength(1);
    expect(proposer.requests).toHaveLength(0);
  });

  it("gives every run its own nonce, never the user's", async () => {
    const sandbox = scriptedSandbox(() => ({ exitCode: 0 }));
    await run(sandbox, [], { maxReproAttempts: 2, env: { API: "x" } });
    const nonces = sandbox.runs.map((r) => r.env.OPSGUARD_NONCE);
    expect(nonces.every((nonce) => /^[0-9a-f]{32}$/.test(nonce ?? ""))).toBe(true);
    expect(new Set(nonces).size).toBe(2);
    expect(sandbox.runs[0]!.env.API).toBe("x");
  });
});

describe("propose, verify, retry", () => {
  const failing = () => scriptedSandbox(() => ({ exitCode: 1, stderr: traceback("ValueError", "bad", 2) }));

  it("refuses each fix the verification still sees fail, asks again with the refusal, and ends FAILED after max-fix-attempts", async () => {
    const sandbox = failing();
    const { state, report, proposer } = await run(sandbox, [STILL_BUGGY, STILL_BUGGY, STILL_BUGGY], { maxFixAttempts: 2 });
    expect(state.status).toBe("FAILED");
    expect(state.attempts?.map((a) => [a.outcome, a.stage])).toEqual([
      ["refused", "verify"],
      ["refused", "verify"],
    ]);
    expect(proposer.requests).toHaveLength(2);
    // The second request carries what the first attempt's verification saw.
    expect(proposer.requests[1]!.previousAttempts?.[0]?.refusal).toContain("refused at the verify gate: still failing in the sandbox");
    expect(sandbox.runs.map((r) => r.verifying)).toEqual([false, true, true]);
    expect(report.attempts).toHaveLength(2);
    expect(existsSync(state.workspace ?? "")).toBe(false);
  });

  it("refuses a fix whose run prints an evidence line with another nonce (a forgery), and never proves it", async () => {
    const sandbox = scriptedSandbox((run) =>
      run.verifying ? { exitCode: 0, stderr: evidenceLines("0".repeat(32), [{ compile: "ok" }]) } : { exitCode: 1, stderr: traceback("ValueError", "bad", 2) },
    );
    const { state } = await run(sandbox, [STILL_BUGGY], { maxFixAttempts: 1 });
    expect(state.status).toBe("FAILED");
    expect(state.attempts?.[0]).toMatchObject({ outcome: "refused", stage: "verify" });
    expect(state.attempts?.[0]?.reason).toContain("forged OpsGuard evidence line");
  });

  it("refuses a fix that does not parse before any container runs it", async () => {
    const sandbox = failing();
    const { state } = await run(sandbox, ["def main(:\n    pass\n"], { maxFixAttempts: 1 });
    expect(state.status).toBe("FAILED");
    expect(state.attempts?.[0]).toMatchObject({ outcome: "refused", stage: "validate" });
    expect(sandbox.runs.filter((r) => r.verifying)).toHaveLength(0);
  });

  it("ends FAILED when the proposer has nothing more to offer", async () => {
    const sandbox = failing();
    const { state, proposer } = await run(sandbox, [STILL_BUGGY], { maxFixAttempts: 3 });
    expect(state.status).toBe("FAILED");
    expect(proposer.requests).toHaveLength(2);
    expect(state.attempts).toHaveLength(1);
  });
});

describe("a proven fix", () => {
  const FIXED = "def main():\n    return 'ok'\nmain()\n";
  // Where the reproduction failed: main() in app.py, called from the module.
  const FAILURE = `Traceback (most recent call last):\n  File "/workspace/app.py", line 3, in <module>\n    main()\n  File "/workspace/app.py", line 2, in main\n    raise ValueError('bad')\nValueError: bad\n`;
  const completed = (nonce: string) => guardLines(nonce, [{ k: "end", ended: "completed", watched: { "app.py:main": { calls: 1, returns: 1, raised: 0 } }, channel: "intact" }]);

  it("after a refused attempt, proves the next on the guard's evidence, writes it with --apply, and leaves a proof bundle", async () => {
    const sandbox = scriptedSandbox((r, i) => (r.verifying && i > 1 ? { exitCode: 0, stderr: completed(r.env.OPSGUARD_NONCE!) } : { exitCode: 1, stderr: FAILURE }));
    const { state, report, repo, artifacts } = await run(sandbox, [STILL_BUGGY, FIXED], { applyFix: true });
    expect(state.status).toBe("SUCCESS");
    expect(state.attempts?.map((a) => a.outcome)).toEqual(["refused", "accepted"]);
    expect(state.failureSite?.chain.map((f) => f.function)).toEqual(["<module>", "main"]);
    expect(state.reason).toContain("failure site main() in app.py line 2 reached 1 time(s), 1 normal return(s)");
    expect(readFileSync(join(repo, "app.py"), "utf8")).toBe(FIXED);
    expect(report.status).toBe("SUCCESS");
    expect(existsSync(join(artifacts, "proof.json"))).toBe(true);
  });

  it("refuses a fix that exits 0 without ever reaching the failure site", async () => {
    const never = (nonce: string) => guardLines(nonce, [{ k: "end", ended: "completed", watched: { "app.py:main": { calls: 0, returns: 0, raised: 0 } }, channel: "intact" }]);
    const sandbox = scriptedSandbox((r) => (r.verifying ? { exitCode: 0, stderr: never(r.env.OPSGUARD_NONCE!) } : { exitCode: 1, stderr: FAILURE }));
    const { state, repo } = await run(sandbox, [FIXED], { applyFix: true, maxFixAttempts: 1 });
    expect(state.status).toBe("FAILED");
    expect(state.attempts?.[0]?.reason).toContain("is never reached: the program exits or returns before it");
    expect(readFileSync(join(repo, "app.py"), "utf8")).toBe(BUGGY);
  });
});

describe("pytest mode", () => {
  it("gate 2: pytest collecting nothing ends FAILED saying where it looked, before any fix is asked for", async () => {
    const where = { args: ["/workspace"], rootdir: "/workspace", inifile: null, testpaths: [], python_files: ["test_*.py"] };
    const sandbox = scriptedSandbox((r) => ({ exitCode: 5, stderr: evidenceLines(r.env.OPSGUARD_NONCE!, [{ seq: 0, collected: [], files: [], where }, { seq: 1, end: 5, tests: 0 }]) }));
    const { state, proposer } = await run(sandbox, [STILL_BUGGY], { mode: "pytest" });
    expect(state.status).toBe("FAILED");
    expect(state.reason).toBe(
      "Pytest collected no tests (gate 2): it looked in the repository root with no pytest configuration for files named test_*.py. " +
        "Point it at the tests with --tests PATH (repeatable), or set testpaths and python_files in pytest.ini or pyproject.toml.",
    );
    expect(proposer.requests).toHaveLength(0);
  });
});
