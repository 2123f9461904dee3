/**
 * One whole remediation: streams the graph to its end and returns the final state. Shared by the
 * CLI, batch runs and library callers; progress reaches the caller one node at a time.
 */
import { buildGraph } from "./buildGraph.js";
import { defaultDeps } from "./defaultDeps.js";
import type { GraphDeps } from "./deps.js";
import type { OpsGuardInput, OpsGuardState, TimelineEvent } from "./state.js";

export interface RemediateOptions {
  deps?: GraphDeps;
  signal?: AbortSignal;
  /** Called after each node with its timeline event. */
  onNode?: (event: TimelineEvent) => void;
}

/** Enough steps for every allowed retry, whatever the limits. */
export function recursionLimit(input: { maxReproAttempts?: number; maxFixAttempts?: number }): number {
  return 10 + 3 * (input.maxReproAttempts ?? 2) + 6 * (input.maxFixAttempts ?? 3);
}

export async function remediate(input: OpsGuardInput, options: RemediateOptions = {}): Promise<OpsGuardState> {
  const deps = options.deps ?? defaultDeps();
  const graph = buildGraph(deps);
  const state = { ...input } as OpsGuardState;
  try {
    const stream = await graph.stream(input, {
      streamMode: "updates",
      recursionLimit: recursionLimit(input),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    for await (const chunk of stream) {
      for (const [node, update] of Object.entries(chunk as Record<string, Partial<OpsGuardState>>)) {
        Object.assign(state, update);
        const event = update.timeline?.at(-1);
        if (event?.node === node) options.onNode?.(event);
      }
    }
  } catch (err) {
    if (state.workspace) await deps.workspaces.remove(state.workspace).catch(() => undefined);
    throw err;
  }
  return state;
}
