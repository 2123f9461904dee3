/**
 * What one sandbox container run produced: plain data, safe to store in graph state and reports.
 * The shape is declared once, as the state's `SandboxRun` schema (src/state/state.ts).
 */
import type { SandboxRun } from "../state/state.js";

export type SandboxResult = SandboxRun;

/**
 * Why the run ended: `exited` on its own (any exit code), `timed_out` (the wall-clock limit killed
 * it), `out_of_memory` (the kernel killed it), `output_limit` (stdout or stderr passed its cap).
 */
export type EndReason = SandboxRun["endReason"];
