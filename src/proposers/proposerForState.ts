/**
 * Chooses a run's proposer from its inputs: the given candidate files, else a language model.
 * The model clients are loaded only when a model is actually asked (they cost ~100 ms to import).
 */
import type { OpsGuardState } from "../state/state.js";
import { createCandidateProposer } from "./candidateProposer.js";
import type { Proposer } from "./proposer.js";

function lazyLlmProposer(state: OpsGuardState, env: NodeJS.ProcessEnv): Proposer {
  let loaded: Promise<Proposer> | undefined;
  const load = async () => {
    const [{ createLlmProposer, resolveProviders }, { validateCandidate }] = await Promise.all([
      import("./providers.js"),
      import("../judge/validator.js"),
    ]);
    const providers = resolveProviders({ provider: state.provider, model: state.model, baseUrl: state.baseUrl, fallback: state.fallback }, env);
    return createLlmProposer({ ...providers, env, validate: validateCandidate });
  };
  return {
    propose: async (request, signal) => (await (loaded ??= load())).propose(request, signal),
  };
}

export function proposerForState(state: OpsGuardState, env: NodeJS.ProcessEnv = process.env): Proposer {
  if (state.candidates.length > 0) return createCandidateProposer(state.candidates);
  return lazyLlmProposer(state, env);
}
