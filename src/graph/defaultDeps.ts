import { createArtifactWriter } from "../tools/artifacts.js";
import { systemClock } from "../tools/clock.js";
import { proposerForState } from "../tools/proposerForState.js";
import { createDockerSandbox } from "../tools/sandbox.js";
import { createEnvironmentBuilder } from "../tools/environmentBuilder.js";
import { createWorkspaceManager } from "../tools/workspace.js";
import type { GraphDeps } from "./deps.js";

/** The real parts: Docker on the default engine, candidate files or a model, the local disk, the clock. */
export function defaultDeps(overrides: Partial<GraphDeps> = {}): GraphDeps {
  return {
    sandbox: createDockerSandbox(),
    proposerFor: proposerForState,
    workspaces: createWorkspaceManager(),
    artifacts: createArtifactWriter(),
    clock: systemClock,
    environments: createEnvironmentBuilder(),
    ...overrides,
  };
}
