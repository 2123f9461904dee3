/**
 * Sorts an error thrown by a LangChain chat client into what OpsGuard does next: stop on bad
 * credentials, stop on abort, or move on to the next provider with a one-line reason.
 */
export type LlmFailure =
  | { kind: "auth"; status: number }
  | { kind: "aborted" }
  /** No connection at all (refused, DNS, TLS): the endpoint cannot be reached. */
  | { kind: "unreachable"; reason: string }
  | { kind: "unavailable"; reason: string };

/** Transport codes that mean no connection was ever made with the server. */
const UNREACHABLE = /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EAI_NONAME|EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL|UND_ERR_CONNECT_TIMEOUT|EPROTO|CERT_\w+|ERR_TLS_\w+|ERR_SSL_\w+|UNABLE_TO_\w+|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)$/;

const AUTH_STATUSES = new Set([401, 403]);
const REASON_LIMIT = 300;

export function classifyLlmFailure(error: unknown, timeoutMs: number): LlmFailure {
  const status = statusOf(error);
  if (status !== undefined && AUTH_STATUSES.has(status)) return { kind: "auth", status };
  const name = nameOf(error);
  if (name === "AbortError" || name === "APIUserAbortError") return { kind: "aborted" };
  if (name === "TimeoutError" || name === "APIConnectionTimeoutError") {
    return { kind: "unavailable", reason: `no answer within ${timeoutMs} ms` };
  }
  const detail = oneLine(serverMessage(error) ?? messageOf(error));
  if (status !== undefined) return { kind: "unavailable", reason: `HTTP ${status}: ${detail}` };
  const cause = causeOf(error);
  const reason = cause ? `${detail} (${oneLine(cause)})` : detail;
  // "bad port": fetch refuses ports on its block list before connecting.
  return cause && (UNREACHABLE.test(cause) || cause === "bad port") ? { kind: "unreachable", reason } : { kind: "unavailable", reason };
}

function statusOf(error: unknown): number | undefined {
  if (!isObject(error)) return undefined;
  if (typeof error.status === "number") return error.status;
  const response = error.response;
  return isObject(response) && typeof response.status === "number" ? response.status : undefined;
}

/** Both clients' error constructors set `name` to "Error"; the class name carries the kind. */
function nameOf(error: unknown): string {
  if (!isObject(error)) return "";
  if (typeof error.name === "string" && error.name !== "Error") return error.name;
  return typeof error.constructor === "function" ? error.constructor.name : "";
}

/**
 * The server's own words. The OpenAI SDK keeps the body's `error` object, the Groq SDK the whole
 * body, and both prefix `message` with the status and LangChain appends a troubleshooting link.
 */
function serverMessage(error: unknown): string | undefined {
  if (!isObject(error) || !isObject(error.error)) return undefined;
  const body = error.error;
  if (typeof body.message === "string") return body.message;
  return isObject(body.error) && typeof body.error.message === "string" ? body.error.message : undefined;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/**
 * Transport failures ("Connection error.") hide the useful part in a chain of causes
 * ("fetch failed" -> ECONNREFUSED): report the first error code, else the innermost message.
 */
function causeOf(error: unknown): string | undefined {
  let found: string | undefined;
  let current = isObject(error) ? error.cause : undefined;
  for (let depth = 0; isObject(current) && depth < 5; depth += 1) {
    if (typeof current.code === "string") return current.code;
    if (typeof current.message === "string" && current.message) found = current.message;
    current = current.cause;
  }
  return found;
}

function oneLine(text: string): string {
  const line = text.split(/\r?\n/).map((part) => part.trim()).find((part) => part.length > 0) ?? "unknown error";
  return line.length > REASON_LIMIT ? `${line.slice(0, REASON_LIMIT)}…` : line;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
