/**
 * Decides how the failure is reproduced: the environment image the runs use (built from the
 * repository's declared dependencies once, see environmentPhase.ts) and the command: the entry
 * file or module, or the tests, under OpsGuard's runners.
 */
import type { NodeFn } from "../graph/deps.js";
import { entryRunnerCommand, pytestRunnerCommand } from "../tools/sandbox.js";
import { environmentPhase } from "./environmentPhase.js";

export const buildReproduction: NodeFn = async (state, context) => {
  const command =
    state.mode === "pytest"
      ? pytestRunnerCommand(state.tests ?? [])
      : entryRunnerCommand(state.module !== undefined ? { module: state.module } : { file: state.entry }, state.args ?? []);
  // A retried reproduction keeps the environment it already has.
  const phase = state.environment ? undefined : await environmentPhase({ ...state, workspace: state.workspace! }, context.deps, context.signal);
  const environment = phase?.environment ? { environment: phase.environment } : {};
  return { update: { reproductionCommand: command, ...environment }, summary: `${command.join(" ")}${phase ? `; environment: ${phase.summary}` : ""}` };
};
