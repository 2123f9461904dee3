/**
 * Typed errors. Each carries a stable `code` from a closed set and a message that tells the user
 * what to do next. Exit codes are mapped from them in one place (src/exitCodes.ts).
 */
import { z } from "zod";

/** Why a run stopped on infrastructure (INFRA_STOP, exit 2): recorded in state and final_report.json. */
export const InfraCode = z.enum([
  "ENGINE_UNREACHABLE", "ENGINE_ERROR", "IMAGE_MISSING", "WORKSPACE_MISSING", "CHECKPOINT_UNREACHABLE", "DISK_UNWRITABLE",
  "LLM_AUTH", "LLM_UNREACHABLE",
  "ENV_INSTALL_FAILED", "ENV_SETUP_FAILED", "ENV_NO_PIP", "PYTHON_UNAVAILABLE",
  // What the sandbox lacks, recognised from the reproduction before any model is asked.
  "MISSING_MODULE", "NEWER_PYTHON", "MISSING_PYTEST_PLUGIN", "SLOW_SUITE",
]);
export type InfraCode = z.infer<typeof InfraCode>;

export type OpsGuardCode = InfraCode | "USAGE" | "ABORTED" | "LLM_UNAVAILABLE" | "TOKEN_BUDGET";

export class OpsGuardError extends Error {
  constructor(
    readonly code: OpsGuardCode,
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

/** Infrastructure that OpsGuard depends on is not usable: Docker engine, image, disk, the model's endpoint. */
export class InfraError extends OpsGuardError {
  declare readonly code: InfraCode;
  constructor(code: InfraCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** No model answered this time (5xx, 429, timeouts on every provider): the attempt is refused, the run goes on. */
export class LlmUnavailableError extends OpsGuardError {
  constructor(message: string) {
    super("LLM_UNAVAILABLE", message);
  }
}

/** The next model call could take the run past --max-tokens: the run ends FAILED before it is made. */
export class TokenBudgetError extends OpsGuardError {
  constructor(message: string) {
    super("TOKEN_BUDGET", message);
  }
}

/** The caller aborted the operation (AbortSignal, Ctrl-C). */
export class AbortedError extends OpsGuardError {
  constructor(message = "The operation was aborted.") {
    super("ABORTED", message);
  }
}
