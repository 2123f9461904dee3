/** Decides the command that reproduces the failure: the entry file, or the tests/ suite. */
import type { NodeFn } from "../graph/deps.js";
import { pytestCommand, pythonCommand } from "../tools/sandbox.js";

export const buildReproduction: NodeFn = async (state) => {
  const command = state.mode === "pytest" ? pytestCommand(["tests"]) : pythonCommand(state.entry);
  return { update: { reproductionCommand: command }, summary: command.join(" ") };
};
