export { createDockerSandbox, executePython, executePytest, DEFAULT_IMAGE, DEFAULT_LIMITS } from "./tools/sandbox.js";
export type { Sandbox, SandboxLimits, RunOptions } from "./tools/sandbox.js";
export type { SandboxResult, EndReason } from "./tools/sandboxResult.js";
export { OpsGuardError, UsageError, InfraError, AbortedError } from "./tools/errors.js";
