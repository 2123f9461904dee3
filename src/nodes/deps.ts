/** What the graph needs from the outside world, injected so that tests and embedders can swap parts. */
import type { Sandbox } from "../sandbox/docker.js";
import type { Proposer } from "../proposers/proposer.js";
import type { WorkspaceManager } from "../workspace/workspace.js";
import type { ArtifactWriter } from "../reports/artifacts.js";
import type { Clock } from "../system/clock.js";
import type { EnvironmentBuilder } from "../environment/environmentBuilder.js";
import type { OpsGuardState } from "../state/state.js";

export interface GraphDeps {
  sandbox: Sandbox;
  /** Chooses the proposer for a run (candidate files, or a model), from the run's inputs. */
  proposerFor: (state: OpsGuardState) => Proposer;
  workspaces: WorkspaceManager;
  artifacts: ArtifactWriter;
  clock: Clock;
  /** Builds or finds the repository's environment image; without it, runs use the base image. */
  environments?: EnvironmentBuilder;
}

/** The outcome of one node: the state update, and a one-line summary for progress and the timeline. */
export interface NodeResult {
  update: Partial<OpsGuardState>;
  summary: string;
}

export interface NodeContext {
  deps: GraphDeps;
  signal?: AbortSignal;
}

export type NodeFn = (state: OpsGuardState, context: NodeContext) => Promise<NodeResult>;
