/** Every exit code OpsGuard's CLI uses, and the one mapping from statuses and errors to them. */
import { InfraError, UsageError } from "./errors.js";
import type { Status } from "./state/state.js";

export const EXIT = {
  SUCCESS: 0,
  FAILED: 1,
  INFRA_STOP: 2,
  NOT_REPRODUCIBLE: 3,
  /** The run paused for a review; `opsguard resume THREAD --approve|--reject` continues it. */
  PAUSED: 5,
  USAGE: 64,
  INTERNAL: 70,
} as const;

/** Exit codes scripts can rely on, per final status. */
export const EXIT_CODES: Record<Status, number> = { SUCCESS: EXIT.SUCCESS, FAILED: EXIT.FAILED, INFRA_STOP: EXIT.INFRA_STOP, NOT_REPRODUCIBLE: EXIT.NOT_REPRODUCIBLE };

/** What a thrown error means for the exit code: a user mistake, the environment, or a bug. */
export function exitForError(err: unknown): number {
  if (err instanceof UsageError) return EXIT.USAGE;
  if (err instanceof InfraError) return EXIT.INFRA_STOP;
  return EXIT.INTERNAL;
}
