/** Every exit code OpsGuard's CLI uses, in one place. */
export const EXIT = {
  SUCCESS: 0,
  FAILED: 1,
  INFRA_STOP: 2,
  NOT_REPRODUCIBLE: 3,
  USAGE: 64,
  INTERNAL: 70,
} as const;
