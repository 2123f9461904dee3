/** buildGraph: the nodes, the edges and the wrapper that times each node. Nothing else. */
import { END, START, StateGraph, type BaseCheckpointSaver, type CompiledStateGraph } from "@langchain/langgraph";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { InfraError, UsageError } from "../errors.js";
import { apply } from "../nodes/apply.js";
import { applyToRepo } from "../nodes/applyToRepo.js";
import { screen } from "../nodes/screen.js";
import { review } from "../nodes/review.js";
import { buildReproduction } from "../nodes/buildReproduction.js";
import { classify } from "../nodes/classify.js";
import { propose } from "../nodes/propose.js";
import { report } from "../nodes/report.js";
import { reproduce } from "../nodes/reproduce.js";
import { setup } from "../nodes/setup.js";
import { validate } from "../nodes/validate.js";
import { verify } from "../nodes/verify.js";
import type { GraphDeps, NodeFn, NodeResult } from "../nodes/deps.js";
import * as routes from "./routes.js";
import { OpsGuardInput, OpsGuardState, type StateUpdate } from "../state/state.js";

/** Infrastructure and usage errors end the run with a status; anything else is a bug and propagates. */
function asOutcome(err: unknown): NodeResult | undefined {
  if (err instanceof InfraError) {
    return {
      update: { status: "INFRA_STOP", errorType: "INFRA_ERROR", reason: err.message, infraCode: err.code },
      summary: `infrastructure error: ${err.message}`,
    };
  }
  if (err instanceof UsageError) return { update: { status: "FAILED", reason: err.message }, summary: err.message };
  return undefined;
}

function timed(name: string, fn: NodeFn, deps: GraphDeps) {
  return async (state: OpsGuardState, config?: LangGraphRunnableConfig): Promise<StateUpdate> => {
    const started = deps.clock.now();
    let result: NodeResult;
    try {
      result = await fn(state, { deps, ...(config?.signal ? { signal: config.signal } : {}) });
    } catch (err) {
      const outcome = asOutcome(err);
      if (!outcome) throw err;
      result = outcome;
    }
    if (name === "report") return result.update;
    const event = { node: name, startedAt: new Date(started).toISOString(), durationMs: deps.clock.now() - started, summary: result.summary };
    return { ...result.update, timeline: [...(result.update.timeline ?? state.timeline ?? []), event] };
  };
}

export interface BuildGraphOptions {
  checkpointer?: BaseCheckpointSaver;
  /** Node names to pause before (LangGraph interruptBefore). */
  interruptBefore?: NodeName[];
}

/** Every node under its name, in the order Studio draws them. */
const NODES = { setup, buildReproduction, reproduce, classify, propose, validate, screen, apply, verify, review, applyToRepo, report } satisfies Record<string, NodeFn>;

export const NODE_NAMES = Object.keys(NODES) as (keyof typeof NODES)[];
export type NodeName = keyof typeof NODES;

/** The compiled graph's public type, spelled out so that declarations stay portable. */
export type OpsGuardGraph = CompiledStateGraph<OpsGuardState, StateUpdate, typeof START | NodeName, typeof OpsGuardInput, typeof OpsGuardState>;

export function buildGraph(deps: GraphDeps, options: BuildGraphOptions = {}): OpsGuardGraph {
  const nodes = Object.fromEntries(NODE_NAMES.map((name) => [name, timed(name, NODES[name], deps)])) as Record<NodeName, ReturnType<typeof timed>>;
  return new StateGraph(OpsGuardState, { input: OpsGuardInput })
    .addNode(nodes)
    .addEdge(START, "setup")
    .addConditionalEdges("setup", routes.afterSetup, ["report", "buildReproduction"])
    .addConditionalEdges("buildReproduction", routes.afterBuildReproduction, ["report", "reproduce"])
    .addConditionalEdges("reproduce", routes.afterReproduce, ["report", "classify"])
    .addConditionalEdges("classify", routes.afterClassify, ["report", "propose", "buildReproduction"])
    .addConditionalEdges("propose", routes.afterPropose, ["report", "propose", "validate"])
    .addConditionalEdges("validate", routes.afterValidate, ["report", "propose", "screen"])
    .addConditionalEdges("screen", routes.afterScreen, ["report", "propose", "apply"])
    .addEdge("apply", "verify")
    .addConditionalEdges("verify", routes.afterVerify, ["report", "propose", "review", "applyToRepo"])
    .addConditionalEdges("review", routes.afterReview, ["report", "applyToRepo"])
    .addEdge("applyToRepo", "report")
    .addEdge("report", END)
    .compile({
      ...(options.checkpointer ? { checkpointer: options.checkpointer } : {}),
      ...(options.interruptBefore ? { interruptBefore: options.interruptBefore } : {}),
    }) as unknown as OpsGuardGraph;
}

