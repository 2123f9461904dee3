/**
 * Turns a provider choice into a ready LangChain chat client, checking credentials first so a
 * missing key is reported before any request leaves the machine.
 */
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { ChatGroq } from "@langchain/groq";
import { ChatOpenAI } from "@langchain/openai";
import { InfraError, UsageError } from "../../errors.js";
import { PROVIDER_SPECS, type ProviderChoice, type ProviderName } from "./providerSpecs.js";

export interface ConnectedProvider {
  name: ProviderName;
  model: string;
  /** Base URL as requests use it. */
  baseUrl: string;
  /** Who answered or refused, for messages: "NVIDIA", "Groq", "The OpenAI-compatible server at URL". */
  label: string;
  keyVar: string;
  /** The most completion tokens one answer may take (what a budget must reserve for a call). */
  maxCompletionTokens: number;
  chat: BaseChatModel;
}

export interface ConnectOptions {
  /** Per request, in milliseconds. */
  timeoutMs: number;
  /** Retries inside the client after the first try. */
  maxRetries: number;
}

/** Reserved per call for a provider that sets no completion limit of its own. */
const DEFAULT_COMPLETION_RESERVE = 4096;

/** Sent to keyless local servers: both clients refuse to start without some key. */
const KEYLESS_SERVER_KEY = "not-needed";

export function connectProvider(
  choice: ProviderChoice,
  env: Record<string, string | undefined>,
  options: ConnectOptions,
): ConnectedProvider {
  const spec = PROVIDER_SPECS[choice.provider];
  const model = nonEmpty(choice.model) ?? spec.defaultModel;
  const baseUrl = checkedBaseUrl(nonEmpty(choice.baseUrl) ?? nonEmpty(env[spec.baseUrlVar]) ?? spec.defaultBaseUrl, spec.name, spec.baseUrlVar);
  const customServer = baseUrl !== spec.defaultBaseUrl;
  const label = spec.keyOptionalWithBaseUrl && customServer ? `The OpenAI-compatible server at ${displayUrl(baseUrl)}` : spec.label;

  let apiKey = nonEmpty(env[spec.keyVar]);
  if (apiKey === undefined) {
    if (!(spec.keyOptionalWithBaseUrl && customServer)) throw new InfraError("LLM_AUTH", missingKeyMessage(spec.keyVar, spec.label, spec.keyOptionalWithBaseUrl));
    apiKey = KEYLESS_SERVER_KEY;
  }

  const common = { model, apiKey, maxRetries: options.maxRetries, timeout: options.timeoutMs, temperature: spec.temperature, maxTokens: spec.maxTokens };
  const chat: BaseChatModel =
    spec.client === "groq"
      ? new ChatGroq({ ...common, baseUrl })
      : new ChatOpenAI({ ...common, configuration: { baseURL: baseUrl } });
  return { name: spec.name, model, baseUrl, label, keyVar: spec.keyVar, maxCompletionTokens: spec.maxTokens ?? DEFAULT_COMPLETION_RESERVE, chat };
}

function missingKeyMessage(keyVar: string, label: string, baseUrlHelps: boolean): string {
  const alternative = baseUrlHelps
    ? "or pass --base-url for a local OpenAI-compatible server that needs no key"
    : "or pick another provider with --provider";
  return `${keyVar} is not set, so ${label} cannot be asked for a fix. Set it in the environment or .env, ${alternative}.`;
}

function checkedBaseUrl(raw: string, provider: ProviderName, baseUrlVar: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`The base URL for ${provider} is not a valid URL; fix --base-url or ${baseUrlVar}.`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`The base URL for ${provider} must start with http:// or https://; fix --base-url or ${baseUrlVar}.`);
  }
  // Both clients append their own path; a trailing slash would double it.
  return raw.replace(/\/+$/, "");
}

/** Without credentials or query: a URL may embed them, and messages must never show them. */
function displayUrl(raw: string): string {
  const url = new URL(raw);
  return `${url.protocol}//${url.host}${url.pathname}`.replace(/\/+$/, "");
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
