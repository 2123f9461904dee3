/** Language-model providers: choosing them, and the Proposer that asks them for a fix. */
export { createLlmProposer, DEFAULT_LLM_MAX_RETRIES, DEFAULT_LLM_TIMEOUT_MS } from "./providers/createLlmProposer.js";
export type { LlmProposerOptions, ValidationVerdict } from "./providers/createLlmProposer.js";
export { resolveProviders } from "./providers/resolveProviders.js";
export type { ProviderArgs, ResolvedProviders } from "./providers/resolveProviders.js";
export { isProviderName, PROVIDER_NAMES, PROVIDER_SPECS } from "./providers/providerSpecs.js";
export type { ProviderChoice, ProviderName, ProviderSpec } from "./providers/providerSpecs.js";
