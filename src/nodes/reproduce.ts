/** Runs the reproduction in a fresh sandbox container. */
import type { NodeFn } from "../graph/deps.js";
import { describeRun, sandboxOptions } from "./sandboxOptions.js";

export const reproduce: NodeFn = async (state, { deps, signal }) => {
  const result = await deps.sandbox.run(state.workspace!, state.reproductionCommand!, sandboxOptions(state, signal));
  const tries = (state.reproAttempts ?? 0) + 1;
  return { update: { reproduction: result, reproAttempts: tries }, summary: `try ${tries}: ${describeRun(result)}` };
};
