/**
 * The model-backed Proposer: asks the primary provider for the full new file, and the fallback
 * when the primary is down, slow, rate-limited or answers something the validator refuses.
 */
import type { AIMessage } from "@langchain/core/messages";
import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import type { Clock } from "../../system/clock.js";
import { systemClock } from "../../system/clock.js";
import { AbortedError, InfraError, LlmUnavailableError, TokenBudgetError } from "../../errors.js";
import { buildFixPrompt } from "../prompt.js";
import { unwrapSoleFence } from "../proposalIntake.js";
import { answersInBlocks, type FileToFix, type Proposal, type Proposer, type TokenUsage } from "../proposer.js";
import { filesFromBlocks } from "../fileBlocks.js";
import { classifyLlmFailure } from "./classifyLlmFailure.js";
import { connectProvider, type ConnectedProvider } from "./connectProvider.js";
import { PROVIDER_NAMES, PROVIDER_SPECS, type ProviderChoice } from "./providerSpecs.js";
import { redactSecrets, secretsIn } from "../../system/redactSecrets.js";

export type ValidationVerdict = { ok: true } | { ok: false; code: string; reason: string };

export interface LlmProposerOptions {
  primary: ProviderChoice;
  fallback?: ProviderChoice;
  env: Record<string, string | undefined>;
  /** Gate run on every answer before it is returned; a refusal sends the request to the fallback. */
  validate: (original: string, candidate: string, options?: { path?: string; allowRenames?: boolean }) => Promise<ValidationVerdict>;
  /** Per request; default 60 s, so a dead endpoint costs seconds rather than minutes. */
  timeoutMs?: number;
  /** Client retries after the first try (the clients default to 6 with backoff); default 1. */
  maxRetries?: number;
  clock?: Clock;
}

export const DEFAULT_LLM_TIMEOUT_MS = 60_000;
export const DEFAULT_LLM_MAX_RETRIES = 1;

type FallbackRecord = NonNullable<Proposal["fallbacks"]>[number];

/** A block answer passes when its blocks make whole files (edits applied) and every one passes the validator. */
async function validateBlocks(text: string, shown: FileToFix[], validate: LlmProposerOptions["validate"]): Promise<ValidationVerdict> {
  const original = (path: string) => shown.find((f) => f.path === path)?.content;
  const outlined = shown.filter((f) => f.view !== undefined).map((f) => f.path);
  const parsed = await filesFromBlocks(text, shown.map((f) => f.path), async (path) => original(path), outlined);
  if (!parsed.ok) return { ok: false, code: "BLOCK_FORMAT", reason: parsed.reason };
  for (const file of parsed.files) {
    const verdict = await validate(original(file.path) ?? "", file.content, { path: file.path, allowRenames: parsed.files.length > 1 });
    if (!verdict.ok) return { ...verdict, reason: `${verdict.reason} (${file.path})` };
  }
  return { ok: true };
}

/**
 * Throws InfraError LLM_AUTH at once when a chosen provider has no key. From `propose`: InfraError
 * LLM_AUTH on HTTP 401/403, AbortedError when `signal` fires, LlmUnavailableError when no
 * provider produced an answer at all.
 */
export function createLlmProposer(options: LlmProposerOptions): Proposer {
  const timeoutMs = options.timeoutMs ?? DEFAULT_LLM_TIMEOUT_MS;
  const maxRetries = options.maxRetries ?? DEFAULT_LLM_MAX_RETRIES;
  const clock = options.clock ?? systemClock;
  const choices = options.fallback ? [options.primary, options.fallback] : [options.primary];
  const providers = choices.map((choice) => connectProvider(choice, options.env, { timeoutMs, maxRetries }));
  const secrets = secretsIn(options.env, PROVIDER_NAMES.map((name) => PROVIDER_SPECS[name].keyVar));
  const clean = (text: string): string => redactSecrets(text, secrets);

  return {
    async propose(request, signal) {
      const shown = answersInBlocks(request) ? [request.file, ...(request.context ?? [])] : undefined;
      const prompt = buildFixPrompt(request);
      const messages = [new SystemMessage(prompt.system), new HumanMessage(prompt.user)];
      const failures: FallbackRecord[] = [];
      const unreachable: string[] = [];
      let refused: { answered: Proposal; record: FallbackRecord } | undefined;
      // Tokens this call's answers used: a refused answer and its fallback both count.
      let spentHere = 0;
      const promptTokens = estimateTokens(prompt.system) + estimateTokens(prompt.user);

      for (const provider of providers) {
        if (signal?.aborted) throw new AbortedError();
        const budget = request.tokenBudget;
        if (budget && budget.spent + spentHere + promptTokens + provider.maxCompletionTokens > budget.limit) {
          throw new TokenBudgetError(budgetMessage(budget.limit, budget.spent + spentHere, promptTokens + provider.maxCompletionTokens, provider.name));
        }
        const started = clock.now();
        let answer: AIMessage;
        try {
          answer = await provider.chat.invoke(messages, { signal });
        } catch (error) {
          if (signal?.aborted) throw new AbortedError();
          const failure = classifyLlmFailure(error, timeoutMs);
          if (failure.kind === "aborted") throw new AbortedError();
          if (failure.kind === "auth") throw new InfraError("LLM_AUTH", authMessage(provider, failure.status));
          if (failure.kind === "unreachable") unreachable.push(`${provider.name} at ${provider.baseUrl.replace(/\/\/[^@/]*@/, "//")} (${clean(failure.reason)})`);
          failures.push({ provider: provider.name, model: provider.model, reason: clean(failure.reason) });
          continue;
        }

        // The validator and the graph see exactly what the model said, but for the fence around an
        // answer that is nothing but one fenced file: that costs no attempt.
        const answered: Proposal = {
          ...(shown ? { blocks: answer.text } : { content: unwrapSoleFence(answer.text) }),
          provider: provider.name,
          model: provider.model,
          latencyMs: clock.now() - started,
          ...usageOf(answer),
        };
        spentHere += (answered.usage?.inputTokens ?? 0) + (answered.usage?.outputTokens ?? 0);
        const verdict = shown ? await validateBlocks(answer.text, shown, options.validate) : await options.validate(request.file.content, answered.content ?? "");
        if (verdict.ok) return { ...answered, ...spentField(answered, spentHere), ...fallbacksField(failures) };
        const record = {
          provider: provider.name,
          model: provider.model,
          reason: clean(`the validator refused the answer (${verdict.code}): ${verdict.reason}`),
        };
        failures.push(record);
        refused = { answered, record };
      }

      if (refused) {
        // Returned anyway so the graph's own gate records the refusal as an attempt; `fallbacks`
        // then lists every other provider tried during this call, including any tried after it.
        const { answered, record } = refused;
        return { ...answered, ...spentField(answered, spentHere), ...fallbacksField(failures.filter((entry) => entry !== record)) };
      }
      if (unreachable.length === providers.length) throw new InfraError("LLM_UNREACHABLE", unreachableMessage(unreachable));
      throw new LlmUnavailableError(unavailableMessage(failures));
    },
  };
}

function authMessage(provider: ConnectedProvider, status: number): string {
  return `${provider.label} rejected the API key (HTTP ${status}). Set a valid ${provider.keyVar} in the environment or .env.`;
}

function unavailableMessage(failures: FallbackRecord[]): string {
  const summary = failures.map((entry) => `${entry.provider} (${entry.model}): ${entry.reason}`).join("; ");
  return `No language model answered: ${summary}. Try again later, choose another provider with --provider or --fallback, or pass --candidate FILE to run without a model.`;
}

/** About four characters a token: what a budget check can know before the call. */
function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function budgetMessage(limit: number, spent: number, next: number, provider: string): string {
  return `The token budget is spent: --max-tokens ${limit}, ${spent} used so far, and the next call to ${provider} may take up to ${next} (prompt and completion). Raise --max-tokens, or pass --candidate FILE.`;
}

/** The usage an attempt records: every answer of this call, the refused ones included. */
function spentField(answered: Proposal, spent: number): { usage?: TokenUsage } {
  if (!answered.usage) return spent > 0 ? { usage: { inputTokens: spent, outputTokens: 0 } } : {};
  const own = answered.usage.inputTokens + answered.usage.outputTokens;
  return { usage: { inputTokens: answered.usage.inputTokens + (spent - own), outputTokens: answered.usage.outputTokens } };
}

function unreachableMessage(endpoints: string[]): string {
  return `No model provider can be reached: ${endpoints.join("; ")}. Check the network and the URL (--base-url, or the provider's *_BASE_URL variable), or pass --candidate FILE to run without a model.`;
}

function usageOf(answer: AIMessage): { usage?: TokenUsage } {
  const usage = answer.usage_metadata;
  return usage ? { usage: { inputTokens: usage.input_tokens ?? 0, outputTokens: usage.output_tokens ?? 0 } } : {};
}

function fallbacksField(failures: FallbackRecord[]): { fallbacks?: FallbackRecord[] } {
  return failures.length > 0 ? { fallbacks: [...failures] } : {};
}
