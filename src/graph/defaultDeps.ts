import { createArtifactWriter } from "../reports/artifacts.js";
import { systemClock } from "../system/clock.js";
import { proposerForState } from "../proposers/proposerForState.js";
import { createDockerSandbox } from "../sandbox/docker.js";
import { createEnvironmentBuilder } from "../environment/environmentBuilder.js";
import { createWorkspaceManager } from "../workspace/workspace.js";
import type { GraphDeps } from "../nodes/deps.js";

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
