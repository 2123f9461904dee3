/**
 * Typed errors. Each carries a stable `code` and a message that tells the user what to do next.
 * The CLI maps them to exit codes in one place (see src/exitCodes.ts).
 */
export class OpsGuardError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The user's own mistake: a bad flag, a missing path. Exit 64, one line, no stack trace. */
export class UsageError extends OpsGuardError {
  constructor(message: string) {
    super("USAGE", message);
  }
}

/** Infrastructure that OpsGuard depends on is not usable: Docker engine, image, LLM credentials. */
export class InfraError extends OpsGuardError {}

/** The caller aborted the operation (AbortSignal, Ctrl-C). */
export class AbortedError extends OpsGuardError {
  constructor(message = "The operation was aborted.") {
    super("ABORTED", message);
  }
}
