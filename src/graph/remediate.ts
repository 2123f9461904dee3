/**
 * Running the graph to its end (or to a pause): shared by the CLI, batch runs and library callers.
 * Progress reaches the caller one node at a time. With a checkpointer every step is saved before
 * the next starts, so a killed run can be resumed on its thread.
 */
import { Command, type BaseCheckpointSaver } from "@langchain/langgraph";
import type { ReviewAnswer, ReviewRequest } from "../nodes/review.js";
import { buildGraph, type OpsGuardGraph } from "./buildGraph.js";
import { defaultDeps } from "./defaultDeps.js";
import type { GraphDeps } from "../nodes/deps.js";
import type { OpsGuardInput, OpsGuardState, TimelineEvent } from "../state/state.js";

export interface RemediateOptions {
  deps?: GraphDeps;
  signal?: AbortSignal;
  /** Called after each node with its timeline event. */
  onNode?: (event: TimelineEvent) => void;
}

export interface ThreadOptions extends RemediateOptions {
  checkpointer: BaseCheckpointSaver;
  threadId: string;
}

export interface ThreadResult {
  state: OpsGuardState;
  /** Set when the run paused for a person (--review). */
  pendingReview?: ReviewRequest;
  /** The nodes that would run next; empty when the run is over. */
  next: string[];
}

/** Enough steps for every allowed retry, whatever the limits. */
export function recursionLimit(input: { maxReproAttempts?: number; maxFixAttempts?: number }): number {
  return 12 + 3 * (input.maxReproAttempts ?? 2) + 6 * (input.maxFixAttempts ?? 3);
}

async function streamUpdates(graph: OpsGuardGraph, input: unknown, config: Record<string, unknown>, state: OpsGuardState, options: RemediateOptions): Promise<void> {
  const stream = await graph.stream(input as OpsGuardInput, { ...config, streamMode: "updates" } as never);
  for await (const chunk of stream as AsyncIterable<Record<string, Partial<OpsGuardState> | undefined>>) {
    for (const [node, update] of Object.entries(chunk)) {
      if (!update || node.startsWith("__")) continue;
      Object.assign(state, update);
      const event = update.timeline?.at(-1);
      if (event?.node === node) options.onNode?.(event);
    }
  }
}

/** One whole remediation without checkpoints: returns the final state. */
export async function remediate(input: OpsGuardInput, options: RemediateOptions = {}): Promise<OpsGuardState> {
  const deps = options.deps ?? defaultDeps();
  const state = { ...input } as OpsGuardState;
  try {
    await streamUpdates(buildGraph(deps), input, { recursionLimit: recursionLimit(input), ...(options.signal ? { signal: options.signal } : {}) }, state, options);
  } catch (err) {
    if (state.workspace) await deps.workspaces.remove(state.workspace).catch(() => undefined);
    throw err;
  }
  return state;
}

export function threadConfig(threadId: string) {
  return { configurable: { thread_id: threadId } };
}

/** Reads a thread's saved state without running anything. */
export async function readThread(checkpointer: BaseCheckpointSaver, threadId: string, deps: GraphDeps = defaultDeps()): Promise<ThreadResult | undefined> {
  const snapshot = await buildGraph(deps, { checkpointer }).getState(threadConfig(threadId));
  if (!snapshot.createdAt) return undefined;
  const pending = snapshot.tasks.flatMap((task) => task.interrupts ?? []).at(0)?.value as ReviewRequest | undefined;
  return { state: snapshot.values as OpsGuardState, next: [...snapshot.next], ...(pending ? { pendingReview: pending } : {}) };
}

/**
 * Starts a run on a thread (`start` is the input), continues a killed one (`start` is null), or
 * answers a pending review. Every step is checkpointed before the next begins.
 */
export async function runThread(start: OpsGuardInput | null | { review: ReviewAnswer }, options: ThreadOptions): Promise<ThreadResult> {
  const deps = options.deps ?? defaultDeps();
  const graph = buildGraph(deps, { checkpointer: options.checkpointer });
  const config = threadConfig(options.threadId);
  const known = start && !("review" in start) ? (start as OpsGuardState) : ((await graph.getState(config)).values as OpsGuardState);
  const state = { ...known };
  const input = start && "review" in start ? new Command({ resume: start.review }) : start;
  await streamUpdates(
    graph,
    input,
    { ...config, durability: "sync", recursionLimit: recursionLimit(state), ...(options.signal ? { signal: options.signal } : {}) },
    state,
    options,
  );
  return (await readThread(options.checkpointer, options.threadId, deps))!;
}

/** Changes a saved thread's state (e.g. a rebuilt workspace) before it is resumed. */
export async function patchThread(checkpointer: BaseCheckpointSaver, threadId: string, update: Partial<OpsGuardState>, deps: GraphDeps = defaultDeps()): Promise<void> {
  await buildGraph(deps, { checkpointer }).updateState(threadConfig(threadId), update);
}
