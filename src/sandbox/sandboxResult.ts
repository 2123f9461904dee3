/** What one sandbox container run produced. Plain data: safe to store in graph state and reports. */
export type EndReason =
  /** The process exited on its own (any exit code). */
  | "exited"
  /** The wall-clock timeout was reached and the container was killed. */
  | "timed_out"
  /** The kernel killed the process for exceeding the memory limit. */
  | "out_of_memory"
  /** stdout or stderr exceeded its cap; the container was killed and the output cut off. */
  | "output_limit";

export interface SandboxResult {
  /** The container's exit code (137 after a kill). */
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
  endReason: EndReason;
  /** The command run inside the container, for reports and proof bundles. */
  command: string[];
  image: string;
  /** The image's content id (sha256:...), when the engine reported it. */
  imageId?: string;
  /** How long the process had printed nothing when the run ended, in ms (a slow run keeps printing, a hang does not). */
  quietMs?: number;
}
