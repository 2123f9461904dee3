import type { OpsGuardState } from "../state/state.js";
import type { RunOptions } from "../sandbox/docker.js";

/** The run-level sandbox settings every container of a run shares. */
export function sandboxOptions(state: OpsGuardState, signal?: AbortSignal): RunOptions {
  const image = state.environment?.image ?? state.baseImage ?? state.image;
  return { timeoutMs: state.timeoutSeconds * 1000, ...(image ? { image } : {}), ...(signal ? { signal } : {}) };
}

export function describeRun(run: { exitCode: number; endReason: string; durationMs: number }): string {
  return `exit ${run.exitCode} (${run.endReason}) in ${run.durationMs} ms`;
}
