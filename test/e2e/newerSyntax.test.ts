/**
 * Syntax of a newer Python, on real Docker: a SyntaxError that the sandbox's Python 3.11 reports but
 * the newer sandbox image's Python compiles is INFRA_STOP (exit 2) with `--python 3.13`, before any
 * model is asked; an ordinary SyntaxError stays a code bug. Without a newer image, the grammar
 * table decides alone. Needs opsguard-sandbox:py3.11 and :py3.13 (fails, never skips, saying how to build them).
 */
import Docker from "dockerode";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildGraph } from "../../src/graph/buildGraph.js";
import { recursionLimit } from "../../src/graph/remediate.js";
import type { OpsGuardInput, OpsGuardState } from "../../src/state/state.js";
import { built, ROOT } from "../support/built.js";
import { requireDocker, SANDBOX_IMAGE } from "../support/docker.js";
import { startFakeLlmServer, type FakeLlmServer } from "../support/fakeLlmServer.js";
import { scriptedDeps } from "../support/scripted.js";
import { tempRepo } from "../support/workspace.js";

const PY313 = SANDBOX_IMAGE.replace(/:py\d+\.\d+$/, ":py3.13");
/** The base image under a family that has no py3.13: no newer Python to ask. */
const LONE_REPO = `opsguard-test-lone${process.pid}`;
const LONE = `${LONE_REPO}:py3.11`;
let docker: Docker;
let llm: FakeLlmServer;

beforeAll(async () => {
  docker = await requireDocker();
  await docker.getImage(PY313).inspect().catch(() => {
    throw new Error(`These tests need ${PY313}. Build it with \`npm run sandbox:image -- ${PY313} --python 3.13\`.`);
  });
  await docker.getImage(SANDBOX_IMAGE).tag({ repo: LONE_REPO, tag: "py3.11" });
  llm = await startFakeLlmServer();
});

const scratch = mkdtempSync(join(tmpdir(), "opsguard-newer-"));
afterAll(async () => {
  await llm?.close();
  await docker?.getImage(LONE).remove().catch(() => undefined);
  rmSync(scratch, { recursive: true, force: true });
});
let runs = 0;

async function remediate(files: Record<string, string>, answers: string[], input: Partial<OpsGuardInput> = {}) {
  const { deps, proposer, sandbox } = scriptedDeps(answers);
  const full = { repo: tempRepo(files), error: "it fails", artifacts: join(scratch, `run-${++runs}`), image: SANDBOX_IMAGE, ...input };
  const state = (await buildGraph(deps).invoke(full, { recursionLimit: recursionLimit({}) })) as OpsGuardState;
  return { state, proposer, sandbox };
}

const NESTED_QUOTES = 'prices = {"tea": 1.5}\nprint(f"tea costs {prices["tea"]}")\nprint(1 / 0)\n';
/** A PEP 701 form the grammar table does not know: a line break inside a single-quoted f-string's field. */
const MULTILINE_FIELD = 'x = 1\nprint(f"{x\n+ 1}")\nprint(1 / 0)\n';
const TYPE_PARAMETERS = "def first[T](items: list[T]) -> T:\n    return items[1]\n\nprint(first([1.5]))\n";

describe("a SyntaxError the newer sandbox Python compiles", () => {
  it("a multi-line f-string field, which no table entry names, is NEWER_PYTHON because py3.13 compiles the file", async () => {
    const { state, proposer, sandbox } = await remediate({ "app.py": MULTILINE_FIELD }, ["print(2)\n"]);
    expect(state.reproduction?.stderr).toContain("SyntaxError: unterminated string literal");
    expect(state.status).toBe("INFRA_STOP");
    expect(state.infraCode).toBe("NEWER_PYTHON");
    expect(state.reason).toContain(`app.py:2 is a SyntaxError for the sandbox's Python, but ${PY313} (Python 3.13) compiles the file: the code is written for a newer Python.`);
    expect(state.reason).toContain("Pass --python 3.13 (or --image with a Python 3.13+ image).");
    expect(proposer.requests).toHaveLength(0);
    // The reproduction, then the compile in the newer image: a sandbox run like any other.
    expect(sandbox.runs).toHaveLength(2);
    expect(sandbox.runs[1]?.slice(0, 2)).toEqual(["python3", "-c"]);
  });

  it.each([
    ["a backslash", 'words = ["a", "b"]\nprint(f"{\'\\n\'.join(words)}")\nprint(1 / 0)\n'],
    ["a comment", 'x = 1\nprint(f"{x  # the count\n}")\nprint(1 / 0)\n'],
  ])("a PEP 701 f-string with %s in its field is NEWER_PYTHON, named and checked", async (_what, app) => {
    const { state, proposer } = await remediate({ "app.py": app }, ["print(2)\n"]);
    expect(state.infraCode).toBe("NEWER_PYTHON");
    expect(state.reason).toContain("app.py:2 uses a PEP 701 f-string");
    expect(state.reason).toContain(`(${PY313} (Python 3.13) compiles the file)`);
    expect(proposer.requests).toHaveLength(0);
  });

  it("PEP 696 type parameter defaults (3.13) on 3.11 name the construct and the Python that accepts it", async () => {
    const app = "def pick[T = int](items: list[T]) -> T:\n    return items[0]\n\nprint(pick([2]))\n";
    const { state, proposer } = await remediate({ "app.py": app }, ["print(2)\n"]);
    expect(state.infraCode).toBe("NEWER_PYTHON");
    expect(state.reason).toContain("app.py:1 uses a PEP 696 type parameter default (`def f[T = int]()`), which the sandbox's Python rejects as a SyntaxError; Python 3.13 and later accept it");
    expect(proposer.requests).toHaveLength(0);
  });

  it("a missing colon is still a code bug: the newer Python rejects it too, and the proposer is asked", async () => {
    const { state, proposer } = await remediate({ "app.py": "def total(items)\n    return sum(items)\n\nprint(total([1]))\n" }, ["def total(items):\n    return sum(items)\n\nprint(total([1]))\n"]);
    expect(state.reproduction?.stderr).toContain("SyntaxError: expected ':'");
    expect(state.errorType).toBe("CODE_ERROR");
    expect(state.status).toBe("SUCCESS");
    expect(proposer.requests).toHaveLength(1);
  });

  it("a SyntaxError the program raises while running is a code bug, though the file compiles everywhere", async () => {
    const app = "def parse(text):\n    raise SyntaxError('bad rule: ' + text)\n\nparse('a ->')\n";
    const { state, proposer, sandbox } = await remediate({ "app.py": app }, ["print('ok')\n"]);
    expect(state.errorType).toBe("CODE_ERROR");
    expect(proposer.requests.length).toBeGreaterThan(0);
    expect(sandbox.runs.some((command) => command[1] === "-c")).toBe(false);
  });

  it("on 3.13, PEP 696 code is no environment failure: its real bug reproduces and goes to the proposer", async () => {
    const app = "def pick[T = int](items: list[T]) -> T:\n    return items[1]\n\nprint(pick([2]))\n";
    const { state, proposer } = await remediate({ "app.py": app }, [app.replace("items[1]", "items[0]")], { python: "3.13" });
    expect(state.errorType).toBe("CODE_ERROR");
    expect(state.classification?.exception).toBe("IndexError");
    expect(proposer.requests.length).toBeGreaterThan(0);
  });
});

describe("without a newer image, the grammar table decides alone", () => {
  it("PEP 701 nested quotes: NEWER_PYTHON, naming the construct", async () => {
    const { state } = await remediate({ "app.py": NESTED_QUOTES }, ["print(2)\n"], { image: LONE });
    expect(state.infraCode).toBe("NEWER_PYTHON");
    expect(state.reason).toContain("app.py:2 uses a PEP 701 f-string (its expression reuses the string's quotes, or holds a backslash or a comment), which the sandbox's Python rejects as a SyntaxError; Python 3.12 and later accept it.");
    expect(state.reason).not.toContain("compiles the file");
  });

  it("a form the table does not know is left to the proposer", async () => {
    const { state, proposer } = await remediate({ "app.py": MULTILINE_FIELD }, ["print(2)\n"], { image: LONE });
    expect(state.errorType).toBe("CODE_ERROR");
    expect(proposer.requests).toHaveLength(1);
  });
});

/** The CLI with a model configured (the fake server on 127.0.0.1), so "no model call" is counted. */
function opsguard(repo: string): Promise<{ code: number | null; stdout: string; stderr: string; artifacts: string }> {
  const artifacts = join(scratch, `cli-${++runs}`);
  const args = ["--repo", repo, "--error", "SyntaxError", "--provider", "openai", "--base-url", llm.openAiBaseUrl, "--model", "m", "--artifacts", artifacts];
  const child = spawn(process.execPath, [built("bin/cli.js"), ...args], { cwd: ROOT, env: { ...process.env, OPSGUARD_VERBOSE: "", OPSGUARD_IMAGE: SANDBOX_IMAGE, LANGSMITH_TRACING: "false" } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr, artifacts })));
}

describe("the command line", () => {
  beforeEach(() => {
    llm.requests.length = 0;
    llm.script({ m: [{ kind: "answer", content: "print(2)\n" }] });
  });

  it.each([
    ["a PEP 701 f-string with nested quotes", NESTED_QUOTES, "app.py:2 uses a PEP 701 f-string"],
    ["PEP 695 type parameters", TYPE_PARAMETERS, "app.py:1 uses PEP 695 type parameters (`def f[T]()`, `class C[T]`)"],
  ])("%s on 3.11: INFRA_STOP, exit 2, --python 3.13, and the model is never called", async (_name, app, names) => {
    const run = await opsguard(tempRepo({ "app.py": app }));
    expect(run.code, run.stderr).toBe(2);
    expect(run.stdout).toContain("Status: INFRA_STOP");
    expect(run.stdout).toContain(names);
    expect(run.stdout).toContain(`(${PY313} (Python 3.13) compiles the file)`);
    expect(run.stdout).toContain("Pass --python 3.13 (or --image with a Python 3.12+ image).");
    const report = JSON.parse(readFileSync(join(run.artifacts, "final_report.json"), "utf8"));
    expect(report).toMatchObject({ status: "INFRA_STOP", infra_code: "NEWER_PYTHON", attempts: [] });
    expect(llm.requests).toHaveLength(0);
  });
});
