/** Every exit code OpsGuard's CLI uses, in one place. */
export const EXIT = {
  SUCCESS: 0,
  FAILED: 1,
  INFRA_STOP: 2,
  NOT_REPRODUCIBLE: 3,
  USAGE: 64,
  /** The run paused for a review; `opsguard resume THREAD --approve|--reject` continues it. */
  PAUSED: 5,
  INTERNAL: 70,
} as const;
