/**
 * The graph as LangGraph Studio sees it: served by `langgraphjs dev` from langgraph.json and
 * driven over HTTP with the SDK client, the same calls Studio makes (schemas for the input form,
 * threads, streamed updates, a breakpoint before a node, resume).
 */
import { Client } from "@langchain/langgraph-sdk";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../support/built.js";
import { requireDocker } from "../support/docker.js";
import { freePort } from "../support/freePort.js";

const GRAPH_ID = "opsguard";
const NODES = [
  "setup", "buildReproduction", "reproduce", "classify", "propose",
  "validate", "screen", "apply", "verify", "report",
];
const STARTUP_LIMIT_MS = 60_000;

let server: ChildProcess | undefined;
let serverOutput = "";
let client: Client;
let assistantId: string;
const scratch = mkdtempSync(join(tmpdir(), "opsguard-studio-"));
let runs = 0;


async function waitUntilReady(apiUrl: string): Promise<void> {
  const deadline = Date.now() + STARTUP_LIMIT_MS;
  while (Date.now() < deadline) {
    if (server?.exitCode !== null) {
      throw new Error(`langgraphjs dev exited with code ${server?.exitCode} before answering:\n${serverOutput}`);
    }
    try {
      if ((await fetch(`${apiUrl}/ok`)).ok) return;
    } catch {
      // Connection refused until the server listens: keep polling.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`langgraphjs dev did not answer ${apiUrl}/ok within ${STARTUP_LIMIT_MS / 1000} s:\n${serverOutput}`);
}

function demoInput() {
  const repo = join(ROOT, "demo_repo");
  return {
    repo,
    error: "ValueError",
    candidates: [join(repo, "fixes", "app.py")],
    artifacts: join(scratch, `artifacts-${++runs}`),
  };
}

beforeAll(async () => {
  await requireDocker();
  const port = await freePort();
  // npx starts a chain of processes: its own group lets afterAll stop all of them at once.
  server = spawn("npx", ["--no-install", "langgraphjs", "dev", "--port", String(port), "--host", "127.0.0.1", "--no-browser", "--no-reload"], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, LANGGRAPH_CLI_NO_ANALYTICS: "1" },
  });
  server.stdout?.on("data", (chunk: Buffer) => (serverOutput += chunk.toString()));
  server.stderr?.on("data", (chunk: Buffer) => (serverOutput += chunk.toString()));
  const apiUrl = `http://127.0.0.1:${port}`;
  await waitUntilReady(apiUrl);
  client = new Client({ apiUrl });
  const assistants = await client.assistants.search({ graphId: GRAPH_ID });
  expect(assistants.map((a) => a.graph_id)).toContain(GRAPH_ID);
  assistantId = assistants.find((a) => a.graph_id === GRAPH_ID)!.assistant_id;
}, 120_000);

afterAll(async () => {
  if (server?.pid !== undefined && server.exitCode === null) {
    const exited = new Promise((resolve) => server!.once("exit", resolve));
    try {
      process.kill(-server.pid, "SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    } catch {
      // The group is already gone.
    }
  }
  rmSync(scratch, { recursive: true, force: true });
}, 30_000);

describe("OpsGuard under the LangGraph dev server (what Studio uses)", () => {
  it("offers the CLI's inputs in the input schema Studio builds its form from", async () => {
    const schemas = await client.assistants.getSchemas(assistantId);
    const input = schemas.input_schema as { properties?: Record<string, { minLength?: number; default?: unknown }> } | null | undefined;
    expect(input?.properties).toBeDefined();
    const fields = Object.keys(input!.properties!);
    for (const field of [
      "repo", "error", "entry", "mode", "candidates", "artifacts", "timeoutSeconds", "image",
      "maxReproAttempts", "maxFixAttempts", "provider", "model", "baseUrl", "fallback",
    ]) {
      expect(fields).toContain(field);
    }
    // LangGraph serves the input schema as a partial (no `required` list), so the non-empty rule and
    // the defaults are what carry the CLI's contract into Studio's form.
    expect(input!.properties!.repo).toMatchObject({ minLength: 1 });
    expect(input!.properties!.error).toMatchObject({ minLength: 1 });
    expect(input!.properties!.entry).toMatchObject({ default: "app.py" });
    // What the user runs reaches Studio's form as well.
    expect(fields).toEqual(expect.arrayContaining(["module", "args", "env", "target"]));
    expect(input!.properties!.timeoutSeconds).toMatchObject({ default: 30 });
    // The form shows only inputs: node-written keys belong to the state schema, not the input one.
    expect(fields).not.toContain("status");
    const state = schemas.state_schema as { properties?: Record<string, unknown> } | null | undefined;
    expect(Object.keys(state?.properties ?? {})).toEqual(expect.arrayContaining(["status", "classification", "attempts"]));
  });

  it("streams every node's update in order and ends SUCCESS", async () => {
    const thread = await client.threads.create();
    const order: string[] = [];
    for await (const chunk of client.runs.stream(thread.thread_id, assistantId, { input: demoInput(), streamMode: "updates" })) {
      if (chunk.event === "error") throw new Error(`run failed: ${JSON.stringify(chunk.data)}`);
      if (chunk.event === "updates") order.push(...Object.keys(chunk.data as Record<string, unknown>));
    }
    expect(order).toEqual(NODES);
    const state = await client.threads.getState<{ status?: string; errorType?: string }>(thread.thread_id);
    expect(state.next).toEqual([]);
    expect(state.values.status).toBe("SUCCESS");
    expect(state.values.errorType).toBe("CODE_ERROR");
  }, 120_000);

  it("pauses before propose with the classification in the state, then resumes to SUCCESS", async () => {
    const thread = await client.threads.create();
    await client.runs.wait(thread.thread_id, assistantId, { input: demoInput(), interruptBefore: ["propose"] });
    const paused = await client.threads.getState<{ status?: string; classification?: { errorType: string; exception?: string } }>(thread.thread_id);
    expect(paused.next).toEqual(["propose"]);
    expect(paused.values.classification).toMatchObject({ errorType: "CODE_ERROR", exception: "ValueError" });
    expect(paused.values.status).toBeUndefined();

    await client.runs.wait(thread.thread_id, assistantId, { input: null });
    const done = await client.threads.getState<{ status?: string }>(thread.thread_id);
    expect(done.next).toEqual([]);
    expect(done.values.status).toBe("SUCCESS");
  }, 120_000);

  it("pauses for review with an interrupt and resumes with a Command", async () => {
    const thread = await client.threads.create();
    await client.runs.wait(thread.thread_id, assistantId, { input: { ...demoInput(), reviewFix: true } });
    const paused = await client.threads.getState<{ status?: string }>(thread.thread_id);
    expect(paused.next).toEqual(["review"]);
    const request = paused.tasks[0]?.interrupts[0]?.value as { question: string; diff: string };
    expect(request.question).toBe("Accept this proven fix?");
    expect(request.diff).toContain("+++ b/app.py");

    await client.runs.wait(thread.thread_id, assistantId, { command: { resume: "reject" } });
    const done = await client.threads.getState<{ status?: string; reason?: string }>(thread.thread_id);
    expect(done.next).toEqual([]);
    expect(done.values.status).toBe("FAILED");
    expect(done.values.reason).toContain("A reviewer rejected the proven fix");
  }, 120_000);
});
