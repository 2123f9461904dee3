/**
 * Picks the primary and fallback providers from the CLI flags and the environment. Without
 * --provider, NVIDIA answers and Groq stands in when its key is set; naming a provider turns the
 * automatic fallback off, and --fallback turns it back on explicitly.
 */
import { InfraError, UsageError } from "../../errors.js";
import { isProviderName, PROVIDER_NAMES, PROVIDER_SPECS, type ProviderChoice, type ProviderName } from "./providerSpecs.js";

export interface ProviderArgs {
  provider?: string;
  model?: string;
  baseUrl?: string;
  fallback?: string;
}

export interface ResolvedProviders {
  primary: ProviderChoice;
  fallback?: ProviderChoice;
}

export function resolveProviders(args: ProviderArgs, env: Record<string, string | undefined>): ResolvedProviders {
  const named = parseName(args.provider, "--provider");
  const fallbackName = parseName(args.fallback, "--fallback");
  const primaryName = named ?? defaultPrimary(args, env);
  if (fallbackName === primaryName) {
    throw new UsageError(`--fallback must name a provider other than the primary (${primaryName}).`);
  }

  const primary: ProviderChoice = { provider: primaryName };
  if (args.model?.trim()) primary.model = args.model.trim();
  if (args.baseUrl?.trim()) primary.baseUrl = args.baseUrl.trim();

  const automaticFallback = named === undefined && primaryName === "nvidia" && hasKey(env, "groq") ? "groq" : undefined;
  const fallback = fallbackName ?? automaticFallback;
  return fallback ? { primary, fallback: { provider: fallback } } : { primary };
}

function defaultPrimary(args: ProviderArgs, env: Record<string, string | undefined>): ProviderName {
  // A base URL only means something for an OpenAI-compatible server.
  if (args.baseUrl?.trim()) return "openai";
  if (hasKey(env, "nvidia")) return "nvidia";
  if (hasKey(env, "groq")) return "groq";
  throw new InfraError(
    "LLM_AUTH",
    `No LLM API key found: set ${PROVIDER_SPECS.nvidia.keyVar} or ${PROVIDER_SPECS.groq.keyVar} in the environment or .env, or pass --candidate FILE to run without a model.`,
  );
}

function parseName(value: string | undefined, flag: string): ProviderName | undefined {
  const name = value?.trim().toLowerCase();
  if (!name) return undefined;
  if (!isProviderName(name)) throw new UsageError(`${flag} must be one of ${PROVIDER_NAMES.join(", ")}; got "${value}".`);
  return name;
}

function hasKey(env: Record<string, string | undefined>, provider: ProviderName): boolean {
  return Boolean(env[PROVIDER_SPECS[provider].keyVar]?.trim());
}
