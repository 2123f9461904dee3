/** Decides the command that reproduces the failure: the entry file or module, or the tests, under OpsGuard's runners. */
import type { NodeFn } from "../graph/deps.js";
import { entryRunnerCommand, pytestRunnerCommand } from "../tools/sandbox.js";

export const buildReproduction: NodeFn = async (state) => {
  const command =
    state.mode === "pytest"
      ? pytestRunnerCommand(state.tests ?? [])
      : entryRunnerCommand(state.module !== undefined ? { module: state.module } : { file: state.entry }, state.args ?? []);
  return { update: { reproductionCommand: command }, summary: command.join(" ") };
};
