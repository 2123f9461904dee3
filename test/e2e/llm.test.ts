/**
 * The whole remediation through the real provider clients (@langchain/openai, @langchain/groq)
 * against an OpenAI-compatible server on 127.0.0.1: nothing leaves the machine.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { built, ROOT } from "../support/built.js";
import { requireDocker } from "../support/docker.js";
import { startFakeLlmServer, type FakeLlmServer } from "../support/fakeLlmServer.js";
import { freePort } from "../support/freePort.js";

let llm: FakeLlmServer;
const scratch = mkdtempSync(join(tmpdir(), "opsguard-llm-"));
const FIX = readFileSync(join(ROOT, "demo_repo/fixes/app.py"), "utf8");
const NVIDIA_KEY = "nvapi-test-0123456789abcdef";
const GROQ_KEY = "gsk-test-fedcba9876543210";
let n = 0;

beforeAll(async () => {
  await requireDocker();
  llm = await startFakeLlmServer();
});
afterAll(async () => {
  await llm?.close();
  rmSync(scratch, { recursive: true, force: true });
});
beforeEach(() => {
  llm.requests.length = 0;
});

/** Spawned asynchronously: the fake server lives in this process and must keep answering. */
function opsguard(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string; artifacts: string }> {
  const artifacts = join(scratch, `a${++n}`);
  const clean = { ...process.env } as Record<string, string>;
  for (const key of ["NVIDIA_API_KEY", "GROQ_API_KEY", "OPENAI_API_KEY", "OPSGUARD_VERBOSE"]) delete clean[key];
  const child = spawn(process.execPath, [built("bin/cli.js"), "--repo", "demo_repo", "--error", "ValueError on a missing price", "--artifacts", artifacts, ...args], {
    cwd: ROOT,
    env: { ...clean, NVIDIA_BASE_URL: llm.openAiBaseUrl, GROQ_BASE_URL: llm.origin, LANGSMITH_TRACING: "false", ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr, artifacts })));
}

function everyArtifact(dir: string): string {
  const walk = (d: string): string[] => readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [readFileSync(join(d, f), "latin1")]));
  return walk(dir).join("\n");
}

describe("remediation through a model", () => {
  it("NVIDIA answers with a fix: SUCCESS, usage summed, the prompt carries the failure, no key in any artifact", async () => {
    llm.script({ "meta/llama-3.1-70b-instruct": [{ kind: "answer", content: FIX, usage: { promptTokens: 900, completionTokens: 700 } }] });
    const { code, stdout, stderr, artifacts } = await opsguard([], { NVIDIA_API_KEY: NVIDIA_KEY });
    expect(code, stderr).toBe(0);
    expect(stdout).toContain("Status: SUCCESS");
    const prompt = llm.requests[0]!.messages.map((m) => m.content).join("\n");
    expect(prompt).toContain("ValueError on a missing price");
    expect(prompt).toContain("could not convert string to float: 'N/A'");
    expect(prompt).toContain("def parse_price");
    const report = JSON.parse(readFileSync(join(artifacts, "final_report.json"), "utf8"));
    expect(report.attempts[0]).toMatchObject({ provider: "nvidia", model: "meta/llama-3.1-70b-instruct", usage: { input_tokens: 900, output_tokens: 700 } });
    expect(report.totals).toMatchObject({ input_tokens: 900, output_tokens: 700 });
    expect(everyArtifact(artifacts)).not.toContain(NVIDIA_KEY);
    expect(stderr + stdout).not.toContain(NVIDIA_KEY);
  });

  it("falls back to Groq when NVIDIA fails with 5xx", async () => {
    llm.script({ "meta/llama-3.1-70b-instruct": [{ kind: "status", status: 503 }], "llama-3.3-70b-versatile": [{ kind: "answer", content: FIX }] });
    const { code, artifacts } = await opsguard([], { NVIDIA_API_KEY: NVIDIA_KEY, GROQ_API_KEY: GROQ_KEY });
    expect(code).toBe(0);
    const attempt = JSON.parse(readFileSync(join(artifacts, "final_report.json"), "utf8")).attempts[0];
    expect(attempt.provider).toBe("groq");
    expect(attempt.fallbacks[0]).toMatchObject({ provider: "nvidia" });
    expect(everyArtifact(artifacts)).not.toContain(GROQ_KEY);
  });

  it("feeds a refused answer back to the model, which corrects itself on the next attempt", async () => {
    llm.script({ "meta/llama-3.1-70b-instruct": [{ kind: "answer", content: "Here is the fixed file:\n```python\n" + FIX + "```\n" }, { kind: "answer", content: FIX }] });
    const { code, artifacts } = await opsguard(["--provider", "nvidia"], { NVIDIA_API_KEY: NVIDIA_KEY });
    expect(code).toBe(0);
    const report = JSON.parse(readFileSync(join(artifacts, "final_report.json"), "utf8"));
    expect(report.attempts.map((a: { outcome: string; refused_at: string | null }) => [a.outcome, a.refused_at])).toEqual([["refused", "validate"], ["accepted", null]]);
    const retryPrompt = llm.requests[1]!.messages.map((m) => m.content).join("\n");
    expect(retryPrompt).toContain("refused at the validate gate");
  });

  it("a rejected key is INFRA_STOP (exit 2) with one line naming the variable", async () => {
    llm.script({ "meta/llama-3.1-70b-instruct": [{ kind: "status", status: 401 }] });
    const { code, stdout, artifacts } = await opsguard([], { NVIDIA_API_KEY: NVIDIA_KEY });
    expect(code).toBe(2);
    expect(stdout).toContain("Status: INFRA_STOP");
    expect(stdout).toContain("NVIDIA_API_KEY");
    expect(everyArtifact(artifacts)).not.toContain(NVIDIA_KEY);
  });

  it("no key at all is INFRA_STOP naming both variables and --candidate", async () => {
    const { code, stdout } = await opsguard([], {});
    expect(code).toBe(2);
    expect(stdout).toMatch(/NVIDIA_API_KEY.*GROQ_API_KEY|GROQ_API_KEY.*NVIDIA_API_KEY/);
    expect(stdout).toContain("--candidate");
    expect(llm.requests).toHaveLength(0);
  });

  it("any OpenAI-compatible server with --provider openai --base-url, no key needed", async () => {
    llm.script({ "qwen2.5-coder:7b": [{ kind: "answer", content: FIX }] });
    const { code, artifacts } = await opsguard(["--provider", "openai", "--base-url", llm.openAiBaseUrl, "--model", "qwen2.5-coder:7b"], {});
    expect(code).toBe(0);
    expect(JSON.parse(readFileSync(join(artifacts, "final_report.json"), "utf8")).attempts[0].provider).toBe("openai");
  });

  it("an answer that is exactly one fenced block is unwrapped and proven in one attempt", async () => {
    llm.script({ "meta/llama-3.1-70b-instruct": [{ kind: "answer", content: "```python\n" + FIX + "```\n" }] });
    const { code, stderr, artifacts } = await opsguard(["--provider", "nvidia"], { NVIDIA_API_KEY: NVIDIA_KEY });
    expect(code, stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(artifacts, "final_report.json"), "utf8"));
    expect(report.attempts.map((a: { outcome: string }) => a.outcome)).toEqual(["accepted"]);
    expect(readFileSync(join(artifacts, "internal/latest_patch.py"), "utf8")).toBe(FIX);
    expect(llm.requests).toHaveLength(1);
  });

  it("no provider reachable at all is INFRA_STOP (exit 2) naming each endpoint, with no attempt spent", async () => {
    const nvidia = `http://127.0.0.1:${await freePort()}/v1`;
    const groq = `http://127.0.0.1:${await freePort()}`;
    const { code, stdout, artifacts } = await opsguard([], { NVIDIA_API_KEY: NVIDIA_KEY, GROQ_API_KEY: GROQ_KEY, NVIDIA_BASE_URL: nvidia, GROQ_BASE_URL: groq });
    expect(code).toBe(2);
    expect(stdout).toContain("Status: INFRA_STOP");
    expect(stdout).toContain(`Reason: No model provider can be reached: nvidia at ${nvidia} (Connection error. (ECONNREFUSED)); groq at ${groq}`);
    const report = JSON.parse(readFileSync(join(artifacts, "final_report.json"), "utf8"));
    expect(report.attempts).toEqual([]);
  });

  it("--max-tokens ends the run FAILED before a call would exceed the budget, counting every call so far", async () => {
    const refusedAnswer = "Here is the fixed file:\n```python\n" + FIX + "```\n";
    llm.script({ "meta/llama-3.1-70b-instruct": [{ kind: "answer", content: refusedAnswer, usage: { promptTokens: 900, completionTokens: 700 } }, { kind: "answer", content: FIX }] });
    const { code, stdout, artifacts } = await opsguard(["--provider", "nvidia", "--max-tokens", "7500"], { NVIDIA_API_KEY: NVIDIA_KEY });
    expect(code).toBe(1);
    expect(stdout).toMatch(/Reason: The token budget is spent: --max-tokens 7500, 1600 used so far, and the next call to nvidia may take up to \d+ \(prompt and completion\)\./);
    expect(llm.requests).toHaveLength(1);
    const report = JSON.parse(readFileSync(join(artifacts, "final_report.json"), "utf8"));
    expect(report.attempts).toHaveLength(1);

    llm.requests.length = 0;
    const tiny = await opsguard(["--provider", "nvidia", "--max-tokens", "100"], { NVIDIA_API_KEY: NVIDIA_KEY });
    expect(tiny.code).toBe(1);
    expect(tiny.stdout).toContain("Reason: The token budget is spent: --max-tokens 100, 0 used so far");
    expect(llm.requests).toHaveLength(0);
  });
});
