import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What the fake server does with one chat-completion request. */
export type FakeBehaviour =
  | { kind: "answer"; content: string; usage?: { promptTokens: number; completionTokens: number } }
  /** Replies with this HTTP status and an OpenAI-style error body (500, 429, 401, ...). */
  | { kind: "status"; status: number; message?: string }
  /** Holds the request open this long before answering, to outlast the client's timeout. */
  | { kind: "hang"; ms: number };

export interface RecordedRequest {
  path: string;
  /** The Authorization header as sent, e.g. "Bearer sk-...". */
  authorization: string | undefined;
  model: string;
  messages: { role: string; content: string }[];
}

export interface FakeLlmServer {
  /** http://127.0.0.1:PORT — ChatGroq's `baseUrl` (it appends /openai/v1/chat/completions). */
  readonly origin: string;
  /** http://127.0.0.1:PORT/v1 — ChatOpenAI's `configuration.baseURL` (it appends /chat/completions). */
  readonly openAiBaseUrl: string;
  readonly requests: RecordedRequest[];
  /**
   * Scripts the answers per requested model name. Each request for a model takes the next behaviour;
   * the last one repeats, so client retries see the same failure.
   */
  script(byModel: Record<string, FakeBehaviour[]>): void;
  close(): Promise<void>;
}

const CHAT_PATHS = new Set(["/v1/chat/completions", "/openai/v1/chat/completions"]);

/**
 * An OpenAI-compatible chat server on 127.0.0.1, port chosen by the OS, so provider tests run the
 * real LangChain clients without sending anything off the machine.
 */
export async function startFakeLlmServer(): Promise<FakeLlmServer> {
  const requests: RecordedRequest[] = [];
  let scripts = new Map<string, FakeBehaviour[]>();
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer((req, res) => {
    void handle(req, res);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "").split("?")[0] ?? "";
    if (req.method !== "POST" || !CHAT_PATHS.has(path)) {
      sendJson(res, 404, { error: { message: `The fake server does not serve ${req.method} ${path}.` } });
      return;
    }
    const body = JSON.parse(await readBody(req)) as { model?: string; messages?: { role: string; content: unknown }[] };
    const model = body.model ?? "";
    requests.push({
      path,
      authorization: req.headers.authorization,
      model,
      messages: (body.messages ?? []).map((m) => ({ role: m.role, content: String(m.content) })),
    });
    const behaviour = nextBehaviour(model);
    if (behaviour.kind === "hang") {
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!res.writableEnded && !res.destroyed) answer(res, model, "too late", undefined);
      }, behaviour.ms);
      timers.add(timer);
      return;
    }
    if (behaviour.kind === "status") {
      sendJson(res, behaviour.status, {
        error: { message: behaviour.message ?? `scripted HTTP ${behaviour.status}`, type: "scripted", code: null },
      });
      return;
    }
    answer(res, model, behaviour.content, behaviour.usage);
  }

  function nextBehaviour(model: string): FakeBehaviour {
    const queue = scripts.get(model);
    if (!queue || queue.length === 0) {
      return { kind: "status", status: 500, message: `No behaviour scripted for model "${model}".` };
    }
    // Keep the last behaviour so retries of the same request meet the same outcome.
    return queue.length > 1 ? (queue.shift() as FakeBehaviour) : (queue[0] as FakeBehaviour);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    origin,
    openAiBaseUrl: `${origin}/v1`,
    requests,
    script(byModel) {
      scripts = new Map(Object.entries(byModel).map(([model, list]) => [model, [...list]]));
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function answer(
  res: ServerResponse,
  model: string,
  content: string,
  usage: { promptTokens: number; completionTokens: number } | undefined,
): void {
  const tokens = usage ?? { promptTokens: 0, completionTokens: 0 };
  sendJson(res, 200, {
    id: "chatcmpl-fake",
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop", logprobs: null }],
    usage: {
      prompt_tokens: tokens.promptTokens,
      completion_tokens: tokens.completionTokens,
      total_tokens: tokens.promptTokens + tokens.completionTokens,
    },
  });
}

function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  const text = JSON.stringify(payload);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
