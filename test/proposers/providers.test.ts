import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AbortedError, InfraError, OpsGuardError, UsageError } from "../../src/errors.js";
import { buildFixPrompt, findPackageRoot } from "../../src/proposers/prompt.js";
import type { ProposalRequest } from "../../src/proposers/proposer.js";
import { validateCandidate } from "../../src/judge/validator.js";
import { createLlmProposer, resolveProviders, type LlmProposerOptions, type ValidationVerdict } from "../../src/proposers/providers.js";
import { startFakeLlmServer, type FakeLlmServer } from "../support/fakeLlmServer.js";
import { ROOT } from "../support/built.js";

const NVIDIA_KEY = "nvapi-TEST-KEY-0123456789";
const GROQ_KEY = "gsk_TEST_KEY_9876543210";
const OPENAI_KEY = "sk-TEST-KEY-5555";
const NVIDIA_MODEL = "meta/llama-3.1-70b-instruct";
const GROQ_MODEL = "llama-3.3-70b-versatile";

const ORIGINAL = "def total(items):\n    return sum(item.price for item in items)\n";
const FIXED = "def total(items):\n    return sum(item['price'] for item in items)\n";

const request: ProposalRequest = {
  errorDescription: "total() crashes on the order list",
  reproductionOutput: "exit code 1\nAttributeError: 'dict' object has no attribute 'price'",
  mode: "entry",
  file: { path: "app.py", content: ORIGINAL },
  previousAttempts: [],
};

const acceptAll = async (): Promise<ValidationVerdict> => ({ ok: true });
/** Refuses any answer containing "BROKEN", the way the real validator refuses a damaged file. */
const refuseBroken = async (_original: string, candidate: string): Promise<ValidationVerdict> =>
  candidate.includes("BROKEN") ? { ok: false, code: "MISSING_SYMBOL", reason: "function total was removed" } : { ok: true };

let server: FakeLlmServer;
// Tracing would send prompts to LangSmith: these tests talk to 127.0.0.1 only.
const TRACING_VARS = ["LANGSMITH_TRACING", "LANGCHAIN_TRACING_V2"] as const;
const savedTracing = TRACING_VARS.map((name) => [name, process.env[name]] as const);

beforeAll(async () => {
  for (const name of TRACING_VARS) process.env[name] = "false";
  server = await startFakeLlmServer();
});

afterAll(async () => {
  for (const [name, value] of savedTracing) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await server.close();
});

afterEach(() => {
  server.requests.length = 0;
});

/** Every base URL points at the fake server, so no test can reach a real provider. */
function loopbackEnv(keys: Record<string, string>): Record<string, string | undefined> {
  return {
    NVIDIA_BASE_URL: server.openAiBaseUrl,
    GROQ_BASE_URL: server.origin,
    OPENAI_BASE_URL: server.openAiBaseUrl,
    ...keys,
  };
}

function proposer(overrides: Partial<LlmProposerOptions> & Pick<LlmProposerOptions, "primary">) {
  return createLlmProposer({
    env: loopbackEnv({ NVIDIA_API_KEY: NVIDIA_KEY, GROQ_API_KEY: GROQ_KEY }),
    validate: acceptAll,
    maxRetries: 0,
    timeoutMs: 5_000,
    ...overrides,
  });
}

async function rejection(promise: Promise<unknown>): Promise<OpsGuardError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof OpsGuardError) return err;
    throw err;
  }
  throw new Error("expected a rejection");
}

/** A loopback port nothing listens on: the OS handed it out, then it was released. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

function userMessage(index: number): string {
  const message = server.requests[index]?.messages.find((m) => m.role === "user");
  if (!message) throw new Error(`request ${index} has no user message`);
  return message.content;
}

describe("buildFixPrompt", () => {
  it("carries the error, the reproduction output, the mode and the whole file with its path", () => {
    const { system, user } = buildFixPrompt(request);
    expect(system).toMatch(/no Markdown code fences/);
    expect(system).toMatch(/Never swallow exceptions/);
    expect(system).toMatch(/Never exit early/);
    expect(system).toMatch(/Never touch the tests/);
    expect(user).toContain(request.errorDescription);
    expect(user).toContain(request.reproductionOutput);
    expect(user).toContain(`<file path="app.py">\n${ORIGINAL}`);
    expect(user).toContain("Mode: entry");
    expect(user).not.toContain("refused");
    expect(user).not.toMatch(/\{\{|\}\}/);
  });

  it("lists each refused attempt with its reason and content, shortening long ones", () => {
    const long = `${"x = 1\n".repeat(1000)}END_OF_LONG_ATTEMPT`;
    const { user } = buildFixPrompt({
      ...request,
      mode: "pytest",
      previousAttempts: [
        { number: 1, content: "def total(items):\n    pass\n", refusal: "validator: total no longer returns a value" },
        { number: 2, refusal: "the model returned nothing" },
        { number: 3, content: long, refusal: "compile error: invalid syntax (line 4)" },
      ],
    });
    expect(user).toContain("Mode: pytest");
    expect(user).toContain('<attempt number="1">\n<refusal>\nvalidator: total no longer returns a value');
    expect(user).toContain("def total(items):\n    pass");
    expect(user).toContain("the model returned nothing");
    expect(user).toContain("compile error: invalid syntax (line 4)");
    expect(user).toContain("END_OF_LONG_ATTEMPT");
    expect(user).toMatch(/\[\.\.\. \d+ characters omitted \.\.\.\]/);
    expect(user.length).toBeLessThan(long.length);
  });

  it("inserts the user's text literally, never expanding braces inside it", () => {
    const { user } = buildFixPrompt({ ...request, file: { path: "app.py", content: "print('{{mode}} $& {{#retry}}')\n" } });
    expect(user).toContain("print('{{mode}} $& {{#retry}}')");
  });

  it("finds the package root from dist/ as well as from src/", () => {
    expect(findPackageRoot(join(ROOT, "dist", "tools"))).toBe(ROOT);
    expect(findPackageRoot(join(ROOT, "src", "tools"))).toBe(ROOT);
    expect(findPackageRoot()).toBe(ROOT);
  });
});

describe("createLlmProposer against a local OpenAI-compatible server", () => {
  it("asks NVIDIA through ChatOpenAI and records model, usage and latency, returning the answer untouched", async () => {
    const answer = `\n${FIXED}  \n`;
    server.script({ [NVIDIA_MODEL]: [{ kind: "answer", content: answer, usage: { promptTokens: 321, completionTokens: 45 } }] });
    const proposal = await proposer({ primary: { provider: "nvidia" } }).propose(request);

    expect(proposal).toEqual({
      content: answer,
      provider: "nvidia",
      model: NVIDIA_MODEL,
      latencyMs: expect.any(Number),
      usage: { inputTokens: 321, outputTokens: 45 },
    });
    expect(server.requests).toHaveLength(1);
    const sent = server.requests[0];
    expect(sent?.path).toBe("/v1/chat/completions");
    expect(sent?.authorization).toBe(`Bearer ${NVIDIA_KEY}`);
    expect(sent?.messages.map((m) => m.role)).toEqual(["system", "user"]);
    expect(userMessage(0)).toContain(request.errorDescription);
    expect(userMessage(0)).toContain(request.reproductionOutput);
    expect(userMessage(0)).toContain(ORIGINAL);
  });

  it("asks Groq through ChatGroq on its /openai/v1 route", async () => {
    server.script({ [GROQ_MODEL]: [{ kind: "answer", content: FIXED, usage: { promptTokens: 10, completionTokens: 5 } }] });
    const proposal = await proposer({ primary: { provider: "groq" } }).propose(request);

    expect(proposal).toMatchObject({ content: FIXED, provider: "groq", model: GROQ_MODEL, usage: { inputTokens: 10, outputTokens: 5 } });
    expect(server.requests.map((r) => [r.path, r.authorization])).toEqual([["/openai/v1/chat/completions", `Bearer ${GROQ_KEY}`]]);
  });

  it("takes base URLs from options over the environment", async () => {
    server.script({ "custom-nvidia": [{ kind: "answer", content: FIXED }] });
    const proposal = await proposer({
      primary: { provider: "nvidia", model: "custom-nvidia", baseUrl: `${server.openAiBaseUrl}/` },
      env: { NVIDIA_API_KEY: NVIDIA_KEY, NVIDIA_BASE_URL: "http://127.0.0.1:9/unused" },
    }).propose(request);

    expect(proposal?.model).toBe("custom-nvidia");
    expect(server.requests.map((r) => r.path)).toEqual(["/v1/chat/completions"]);
  });

  it("talks to a keyless local server with --base-url, sending a dummy key", async () => {
    server.script({ "local-model": [{ kind: "answer", content: FIXED }] });
    const proposal = await proposer({
      primary: { provider: "openai", model: "local-model", baseUrl: server.openAiBaseUrl },
      env: {},
    }).propose(request);

    expect(proposal).toMatchObject({ content: FIXED, provider: "openai", model: "local-model" });
    expect(server.requests[0]?.authorization).toBe("Bearer not-needed");
  });

  it("sends OPENAI_API_KEY to an OpenAI-compatible server when it is set", async () => {
    server.script({ "gpt-4o-mini": [{ kind: "answer", content: FIXED }] });
    const proposal = await proposer({
      primary: { provider: "openai" },
      env: loopbackEnv({ OPENAI_API_KEY: OPENAI_KEY }),
    }).propose(request);

    expect(proposal).toMatchObject({ provider: "openai", model: "gpt-4o-mini" });
    expect(server.requests[0]?.authorization).toBe(`Bearer ${OPENAI_KEY}`);
  });

  it("puts each refused attempt and its reason into the prompt of a retry", async () => {
    server.script({ [NVIDIA_MODEL]: [{ kind: "answer", content: FIXED }] });
    await proposer({ primary: { provider: "nvidia" } }).propose({
      ...request,
      previousAttempts: [{ number: 1, content: "def total(items):\n    return 0\n", refusal: "verify: still fails, expected 30 got 0" }],
    });

    expect(userMessage(0)).toContain("verify: still fails, expected 30 got 0");
    expect(userMessage(0)).toContain("def total(items):\n    return 0");
  });
});

describe("fallback", () => {
  const both = { primary: { provider: "nvidia" as const }, fallback: { provider: "groq" as const } };

  it("moves to the fallback when the primary answers HTTP 500", async () => {
    server.script({
      [NVIDIA_MODEL]: [{ kind: "status", status: 500, message: "upstream exploded" }],
      [GROQ_MODEL]: [{ kind: "answer", content: FIXED, usage: { promptTokens: 7, completionTokens: 3 } }],
    });
    const proposal = await proposer(both).propose(request);

    expect(proposal).toMatchObject({ content: FIXED, provider: "groq", model: GROQ_MODEL, usage: { inputTokens: 7, outputTokens: 3 } });
    expect(proposal?.fallbacks).toEqual([{ provider: "nvidia", model: NVIDIA_MODEL, reason: "HTTP 500: upstream exploded" }]);
    expect(server.requests.map((r) => r.path)).toEqual(["/v1/chat/completions", "/openai/v1/chat/completions"]);
  });

  it("moves to the fallback on HTTP 429", async () => {
    server.script({
      [NVIDIA_MODEL]: [{ kind: "status", status: 429, message: "slow down" }],
      [GROQ_MODEL]: [{ kind: "answer", content: FIXED }],
    });
    const proposal = await proposer(both).propose(request);

    expect(proposal?.provider).toBe("groq");
    expect(proposal?.fallbacks?.[0]?.reason).toBe("HTTP 429: slow down");
  });

  it("moves to the fallback when the primary does not answer within the timeout", async () => {
    server.script({
      [NVIDIA_MODEL]: [{ kind: "hang", ms: 10_000 }],
      [GROQ_MODEL]: [{ kind: "answer", content: FIXED }],
    });
    const started = Date.now();
    const proposal = await proposer({ ...both, timeoutMs: 500 }).propose(request);

    expect(Date.now() - started).toBeLessThan(5_000);
    expect(proposal?.provider).toBe("groq");
    expect(proposal?.fallbacks).toEqual([{ provider: "nvidia", model: NVIDIA_MODEL, reason: "no answer within 500 ms" }]);
  });

  it("moves to the fallback when the server cannot be reached", async () => {
    server.script({ [GROQ_MODEL]: [{ kind: "answer", content: FIXED }] });
    const proposal = await proposer({
      ...both,
      primary: { provider: "nvidia", baseUrl: `http://127.0.0.1:${await closedPort()}/v1` },
    }).propose(request);

    expect(proposal?.provider).toBe("groq");
    expect(proposal?.fallbacks?.[0]?.reason).toMatch(/Connection error.*ECONNREFUSED/);
  });

  it("moves to the fallback when the validator refuses the primary's answer", async () => {
    server.script({
      [NVIDIA_MODEL]: [{ kind: "answer", content: "BROKEN" }],
      [GROQ_MODEL]: [{ kind: "answer", content: FIXED }],
    });
    const proposal = await proposer({ ...both, validate: refuseBroken }).propose(request);

    expect(proposal).toMatchObject({ content: FIXED, provider: "groq" });
    expect(proposal?.fallbacks).toEqual([
      { provider: "nvidia", model: NVIDIA_MODEL, reason: "the validator refused the answer (MISSING_SYMBOL): function total was removed" },
    ]);
  });

  it("with the real validator, falls back past a fenced answer and returns the clean one", async () => {
    const fenced = `Here is the fix:\n\`\`\`python\n${FIXED}\`\`\`\n`;
    server.script({
      [NVIDIA_MODEL]: [{ kind: "answer", content: fenced }],
      [GROQ_MODEL]: [{ kind: "answer", content: FIXED }],
    });
    const proposal = await proposer({ ...both, validate: validateCandidate }).propose(request);

    const verdict = await validateCandidate(ORIGINAL, fenced);
    if (verdict.ok) throw new Error("the validator accepted a fenced answer");
    expect(proposal).toMatchObject({ content: FIXED, provider: "groq" });
    expect(proposal?.fallbacks).toEqual([
      { provider: "nvidia", model: NVIDIA_MODEL, reason: `the validator refused the answer (${verdict.code}): ${verdict.reason}` },
    ]);
  });

  it("returns the last refused answer when every provider's answer is refused, so the graph records it", async () => {
    server.script({
      [NVIDIA_MODEL]: [{ kind: "answer", content: "BROKEN by nvidia" }],
      [GROQ_MODEL]: [{ kind: "answer", content: "BROKEN by groq" }],
    });
    const proposal = await proposer({ ...both, validate: refuseBroken }).propose(request);

    expect(proposal).toMatchObject({ content: "BROKEN by groq", provider: "groq" });
    expect(proposal?.fallbacks?.map((f) => f.provider)).toEqual(["nvidia"]);
  });

  it("returns the refused answer when the fallback then fails outright", async () => {
    server.script({
      [NVIDIA_MODEL]: [{ kind: "answer", content: "BROKEN by nvidia" }],
      [GROQ_MODEL]: [{ kind: "status", status: 503, message: "over capacity" }],
    });
    const proposal = await proposer({ ...both, validate: refuseBroken }).propose(request);

    expect(proposal).toMatchObject({ content: "BROKEN by nvidia", provider: "nvidia" });
    expect(proposal?.fallbacks).toEqual([{ provider: "groq", model: GROQ_MODEL, reason: "HTTP 503: over capacity" }]);
  });

  it("counts a refused answer against --max-tokens and stops before the fallback would pass it", async () => {
    server.script({
      [NVIDIA_MODEL]: [{ kind: "answer", content: "BROKEN", usage: { promptTokens: 300, completionTokens: 200 } }],
      [GROQ_MODEL]: [{ kind: "answer", content: FIXED, usage: { promptTokens: 300, completionTokens: 20 } }],
    });
    // Room for one call (prompt + NVIDIA's 4096 completion tokens), not for the 500 it used plus Groq's 8192.
    const err = await rejection(proposer({ ...both, validate: refuseBroken }).propose({ ...request, tokenBudget: { limit: 6000, spent: 0 } }));
    expect(err.code).toBe("TOKEN_BUDGET");
    expect(err.message).toMatch(/^The token budget is spent: --max-tokens 6000, 500 used so far, and the next call to groq may take up to \d+/);
    expect(server.requests).toHaveLength(1);
  });

  it("records every answer of one call in the attempt's usage when the fallback answers", async () => {
    server.script({
      [NVIDIA_MODEL]: [{ kind: "answer", content: "BROKEN", usage: { promptTokens: 300, completionTokens: 200 } }],
      [GROQ_MODEL]: [{ kind: "answer", content: FIXED, usage: { promptTokens: 310, completionTokens: 20 } }],
    });
    const proposal = await proposer({ ...both, validate: refuseBroken }).propose({ ...request, tokenBudget: { limit: 100_000, spent: 0 } });
    expect(proposal?.provider).toBe("groq");
    expect(proposal?.usage).toEqual({ inputTokens: 810, outputTokens: 20 });
  });

  it("throws LLM_UNAVAILABLE naming each provider's failure when none answers", async () => {
    server.script({
      [NVIDIA_MODEL]: [{ kind: "status", status: 502, message: "bad gateway" }],
      [GROQ_MODEL]: [{ kind: "status", status: 500, message: "internal" }],
    });
    const err = await rejection(proposer(both).propose(request));

    expect(err).not.toBeInstanceOf(InfraError);
    expect(err.code).toBe("LLM_UNAVAILABLE");
    expect(err.message).toContain(`nvidia (${NVIDIA_MODEL}): HTTP 502: bad gateway`);
    expect(err.message).toContain(`groq (${GROQ_MODEL}): HTTP 500: internal`);
    expect(err.message).toContain("--candidate");
  });

  it("retries a 5xx once inside the client by default before giving up", async () => {
    server.script({ [NVIDIA_MODEL]: [{ kind: "status", status: 500 }] });
    const err = await rejection(
      createLlmProposer({ primary: { provider: "nvidia" }, env: loopbackEnv({ NVIDIA_API_KEY: NVIDIA_KEY }), validate: acceptAll }).propose(request),
    );

    expect(err.code).toBe("LLM_UNAVAILABLE");
    expect(server.requests).toHaveLength(2);
  });

  it("stops at once with AbortedError when the caller aborts, without trying the fallback", async () => {
    server.script({ [NVIDIA_MODEL]: [{ kind: "hang", ms: 10_000 }], [GROQ_MODEL]: [{ kind: "answer", content: FIXED }] });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const err = await rejection(proposer(both).propose(request, controller.signal));

    expect(err).toBeInstanceOf(AbortedError);
    expect(server.requests.map((r) => r.model)).toEqual([NVIDIA_MODEL]);
  });
});

describe("credentials", () => {
  it("turns HTTP 401 into InfraError LLM_AUTH naming the variable, without the key, and tries no fallback", async () => {
    server.script({
      [NVIDIA_MODEL]: [{ kind: "status", status: 401, message: `Incorrect API key provided: ${NVIDIA_KEY}` }],
      [GROQ_MODEL]: [{ kind: "answer", content: FIXED }],
    });
    const err = await rejection(proposer({ primary: { provider: "nvidia" }, fallback: { provider: "groq" } }).propose(request));

    expect(err).toBeInstanceOf(InfraError);
    expect(err.code).toBe("LLM_AUTH");
    expect(err.message).toBe("NVIDIA rejected the API key (HTTP 401). Set a valid NVIDIA_API_KEY in the environment or .env.");
    expect(JSON.stringify({ ...err, message: err.message, stack: err.stack })).not.toContain(NVIDIA_KEY);
    expect(server.requests.map((r) => r.model)).toEqual([NVIDIA_MODEL]);
  });

  it("names GROQ_API_KEY when Groq answers HTTP 403", async () => {
    server.script({ [GROQ_MODEL]: [{ kind: "status", status: 403, message: "forbidden" }] });
    const err = await rejection(proposer({ primary: { provider: "groq" } }).propose(request));

    expect(err).toBeInstanceOf(InfraError);
    expect(err.message).toBe("Groq rejected the API key (HTTP 403). Set a valid GROQ_API_KEY in the environment or .env.");
  });

  it("names OPENAI_API_KEY and the server when a local server wants a key", async () => {
    server.script({ "local-model": [{ kind: "status", status: 401 }] });
    const err = await rejection(
      proposer({ primary: { provider: "openai", model: "local-model", baseUrl: server.openAiBaseUrl }, env: {} }).propose(request),
    );

    expect(err.code).toBe("LLM_AUTH");
    expect(err.message).toBe(
      `The OpenAI-compatible server at ${server.openAiBaseUrl} rejected the API key (HTTP 401). Set a valid OPENAI_API_KEY in the environment or .env.`,
    );
  });

  it("reports a missing key before any request is sent", () => {
    const build = (options: Partial<LlmProposerOptions> & Pick<LlmProposerOptions, "primary">) => () => proposer(options);

    expect(build({ primary: { provider: "nvidia" }, env: loopbackEnv({}) })).toThrow(
      new InfraError("LLM_AUTH", "NVIDIA_API_KEY is not set, so NVIDIA cannot be asked for a fix. Set it in the environment or .env, or pick another provider with --provider."),
    );
    expect(build({ primary: { provider: "nvidia" }, fallback: { provider: "groq" }, env: loopbackEnv({ NVIDIA_API_KEY: NVIDIA_KEY, GROQ_API_KEY: " " }) })).toThrow(/GROQ_API_KEY is not set/);
    expect(build({ primary: { provider: "openai" }, env: {} })).toThrow(/OPENAI_API_KEY is not set.*--base-url/);
    expect(server.requests).toHaveLength(0);
  });

  it("keeps keys echoed by a server out of fallback reasons, the Proposal and LLM_UNAVAILABLE", async () => {
    server.script({
      [NVIDIA_MODEL]: [{ kind: "status", status: 500, message: `bad request from ${NVIDIA_KEY}` }],
      [GROQ_MODEL]: [{ kind: "answer", content: FIXED }],
    });
    const both = { primary: { provider: "nvidia" as const }, fallback: { provider: "groq" as const } };
    const proposal = await proposer(both).propose(request);

    expect(proposal?.fallbacks?.[0]?.reason).toBe("HTTP 500: bad request from [redacted]");
    expect(JSON.stringify(proposal)).not.toContain(NVIDIA_KEY);
    expect(JSON.stringify(proposal)).not.toContain(GROQ_KEY);

    server.script({
      [NVIDIA_MODEL]: [{ kind: "status", status: 500, message: `bad request from ${NVIDIA_KEY}` }],
      [GROQ_MODEL]: [{ kind: "status", status: 500, message: `and ${GROQ_KEY}` }],
    });
    const err = await rejection(proposer(both).propose(request));
    expect(err.code).toBe("LLM_UNAVAILABLE");
    expect(err.message).not.toContain(NVIDIA_KEY);
    expect(err.message).not.toContain(GROQ_KEY);
  });
});

describe("resolveProviders", () => {
  it("defaults to NVIDIA with Groq as fallback when both keys are set", () => {
    expect(resolveProviders({}, { NVIDIA_API_KEY: "a", GROQ_API_KEY: "b" })).toEqual({
      primary: { provider: "nvidia" },
      fallback: { provider: "groq" },
    });
    expect(resolveProviders({}, { NVIDIA_API_KEY: "a" })).toEqual({ primary: { provider: "nvidia" } });
  });

  it("uses Groq alone when only its key is set", () => {
    expect(resolveProviders({}, { GROQ_API_KEY: "b" })).toEqual({ primary: { provider: "groq" } });
  });

  it("drops the automatic fallback when --provider is given, unless --fallback names one", () => {
    const env = { NVIDIA_API_KEY: "a", GROQ_API_KEY: "b" };
    expect(resolveProviders({ provider: "nvidia", model: "m" }, env)).toEqual({ primary: { provider: "nvidia", model: "m" } });
    expect(resolveProviders({ provider: "groq", fallback: "nvidia" }, env)).toEqual({
      primary: { provider: "groq" },
      fallback: { provider: "nvidia" },
    });
  });

  it("treats a bare --base-url as an OpenAI-compatible server", () => {
    expect(resolveProviders({ baseUrl: "http://127.0.0.1:11434/v1", model: "llama3" }, {})).toEqual({
      primary: { provider: "openai", model: "llama3", baseUrl: "http://127.0.0.1:11434/v1" },
    });
  });

  it("asks for a key or --candidate when no provider is usable", () => {
    expect(() => resolveProviders({}, {})).toThrow(
      new InfraError(
        "LLM_AUTH",
        "No LLM API key found: set NVIDIA_API_KEY or GROQ_API_KEY in the environment or .env, or pass --candidate FILE to run without a model.",
      ),
    );
  });

  it("refuses unknown and duplicate provider names", () => {
    expect(() => resolveProviders({ provider: "anthropic" }, {})).toThrow(UsageError);
    expect(() => resolveProviders({ provider: "groq", fallback: "groq" }, { GROQ_API_KEY: "b" })).toThrow(/--fallback must name/);
  });
});
