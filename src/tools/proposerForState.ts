/** Chooses a run's proposer from its inputs: the given candidate files, else a language model. */
import type { OpsGuardState } from "../graph/state.js";
import { createCandidateProposer } from "./candidateProposer.js";
import type { Proposer } from "./proposer.js";
import { createLlmProposer, resolveProviders } from "./providers.js";
import { validateCandidate } from "./validator.js";

export function proposerForState(state: OpsGuardState, env: NodeJS.ProcessEnv = process.env): Proposer {
  if (state.candidates.length > 0) return createCandidateProposer(state.candidates);
  const providers = resolveProviders(
    { provider: state.provider, model: state.model, baseUrl: state.baseUrl, fallback: state.fallback },
    env,
  );
  return createLlmProposer({ ...providers, env, validate: validateCandidate });
}
