/**
 * The language-model providers OpsGuard can ask for a fix, and what each one needs: its default
 * model, where it lives, and which environment variable holds its key.
 */
import { ProviderName } from "../../state/inputTable.js";

export type { ProviderName };

/** The names, declared once with the --provider input (state/inputTable.ts). */
export const PROVIDER_NAMES: readonly ProviderName[] = ProviderName.options;

/** A provider picked by flags or defaults; `model` and `baseUrl` fall back to the spec. */
export interface ProviderChoice {
  provider: ProviderName;
  model?: string;
  baseUrl?: string;
}

export interface ProviderSpec {
  name: ProviderName;
  /** How messages name it: "NVIDIA rejected the API key ...". */
  label: string;
  /** Which LangChain client speaks to it. */
  client: "openai" | "groq";
  defaultModel: string;
  defaultBaseUrl: string;
  /** Environment variable that overrides the default base URL (tests point it at loopback). */
  baseUrlVar: string;
  keyVar: string;
  /** A self-hosted OpenAI-compatible server often needs no key once its address is given. */
  keyOptionalWithBaseUrl: boolean;
  /** Sampling temperature; unset where reasoning models refuse the parameter. */
  temperature?: number;
  /** Output cap: the answer is a whole file, and hosted defaults can be as low as 1024 tokens. */
  maxTokens?: number;
}

export const PROVIDER_SPECS: Record<ProviderName, ProviderSpec> = {
  nvidia: {
    name: "nvidia",
    label: "NVIDIA",
    client: "openai",
    defaultModel: "meta/llama-3.1-70b-instruct",
    defaultBaseUrl: "https://integrate.api.nvidia.com/v1",
    baseUrlVar: "NVIDIA_BASE_URL",
    keyVar: "NVIDIA_API_KEY",
    keyOptionalWithBaseUrl: false,
    // Low for repeatable repairs; 0.2 is the value NVIDIA's own examples send.
    temperature: 0.2,
    maxTokens: 4096,
  },
  groq: {
    name: "groq",
    label: "Groq",
    client: "groq",
    defaultModel: "llama-3.3-70b-versatile",
    // Passed explicitly so a GROQ_BASE_URL in the process environment cannot override the caller's env.
    defaultBaseUrl: "https://api.groq.com",
    baseUrlVar: "GROQ_BASE_URL",
    keyVar: "GROQ_API_KEY",
    keyOptionalWithBaseUrl: false,
    temperature: 0.2,
    maxTokens: 8192,
  },
  openai: {
    name: "openai",
    label: "OpenAI",
    client: "openai",
    defaultModel: "gpt-4o-mini",
    defaultBaseUrl: "https://api.openai.com/v1",
    baseUrlVar: "OPENAI_BASE_URL",
    keyVar: "OPENAI_API_KEY",
    keyOptionalWithBaseUrl: true,
  },
};

export function isProviderName(name: string): name is ProviderName {
  return (PROVIDER_NAMES as readonly string[]).includes(name);
}
