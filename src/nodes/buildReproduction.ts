/**
 * Decides how the failure is reproduced: the Python (--python, else requires-python, else the
 * image's), the environment image the runs use (built from the repository's declared dependencies
 * once, see environmentPhase.ts) and the command: the entry file or module, or the tests, under
 * OpsGuard's runners.
 */
import type { NodeFn } from "./deps.js";
import { readDependencyFiles } from "../environment/dependencyFiles.js";
import { choosePython } from "../environment/pythonChoice.js";
import { DEFAULT_IMAGE, entryRunnerCommand, pytestRunnerCommand } from "../sandbox/docker.js";
import { environmentPhase } from "../environment/phase.js";

export const buildReproduction: NodeFn = async (state, context) => {
  const command =
    state.mode === "pytest"
      ? pytestRunnerCommand(state.tests ?? [])
      : entryRunnerCommand(state.module !== undefined ? { module: state.module } : { file: state.entry }, state.args ?? []);
  // A retried reproduction keeps the Python and the environment it already has.
  if (state.baseImage) return { update: { reproductionCommand: command }, summary: command.join(" ") };
  const requiresPython = (await readDependencyFiles(state.workspace!)).pyproject?.requiresPython;
  const choice = choosePython({
    baseImage: state.image ?? process.env.OPSGUARD_IMAGE ?? DEFAULT_IMAGE,
    ...(state.python ? { python: state.python } : {}),
    ...(requiresPython ? { requiresPython } : {}),
  });
  const phase = await environmentPhase({ ...state, image: choice.image, workspace: state.workspace! }, context.deps, context.signal);
  const python = choice.because ? `; ${choice.image} (${choice.because})` : "";
  return {
    update: { reproductionCommand: command, baseImage: choice.image, ...(phase.environment ? { environment: phase.environment } : {}) },
    summary: `${command.join(" ")}${python}; environment: ${phase.summary}`,
  };
};
