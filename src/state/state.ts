/**
 * OpsGuardState: the one schema every node reads and updates. Inputs (what the CLI flags and the
 * Studio form set) carry their defaults; everything else is written by the nodes as the run goes.
 */
import { z } from "zod";
import { InfraCode } from "../errors.js";
import { runInputShape } from "./inputTable.js";
import { FailureSite } from "../python/failureSite.js";

export const Status = z.enum(["SUCCESS", "FAILED", "INFRA_STOP", "NOT_REPRODUCIBLE"]);
export type Status = z.infer<typeof Status>;

export const ErrorType = z.enum(["CODE_ERROR", "INFRA_ERROR", "NO_ERROR"]);
export type ErrorType = z.infer<typeof ErrorType>;

export { Mode, ProviderName } from "./inputTable.js";

/** The run's inputs: one field per row of the input table (inputTable.ts), which also derives the CLI flags and JobLine. */
export const OpsGuardInput = z.object(runInputShape);
export type OpsGuardInput = z.input<typeof OpsGuardInput>;

/** An environment image, built or found (src/environment/environmentBuilder.ts). */
export const EnvironmentImage = z.object({
  image: z.string(),
  id: z.string(),
  base: z.object({ name: z.string(), id: z.string() }),
  python: z.string(),
  /** The dependency files it was built from. */
  files: z.array(z.string()),
  /** True when this call built it, false when it was found. */
  built: z.boolean(),
});
export type EnvironmentImage = z.infer<typeof EnvironmentImage>;

export const SandboxRun = z.object({
  exitCode: z.number(),
  stdout: z.string(),
  stderr: z.string(),
  durationMs: z.number(),
  endReason: z.enum(["exited", "timed_out", "out_of_memory", "output_limit"]),
  command: z.array(z.string()),
  image: z.string(),
  imageId: z.string().optional(),
  quietMs: z.number().optional(),
});
export type SandboxRun = z.infer<typeof SandboxRun>;

export const Classification = z.object({
  errorType: ErrorType,
  reason: z.string(),
  exception: z.string().optional(),
  message: z.string().optional(),
  failingTests: z.array(z.string()).optional(),
  infraCode: InfraCode.optional(),
  remedy: z.string().optional(),
});
export type Classification = z.infer<typeof Classification>;

/** A file's text; `sha256` is of its bytes: the text encoded as it declares (PEP 263, see sourceText.ts). */
export const FileContent = z.object({ path: z.string(), content: z.string(), sha256: z.string() });
export type FileContent = z.infer<typeof FileContent>;

/** A model call's tokens, as the provider counted them. */
export const TokenUsage = z.object({ inputTokens: z.number(), outputTokens: z.number() });
export type TokenUsage = z.infer<typeof TokenUsage>;
/** A provider tried before the one that answered, and why it failed. */
export const Fallback = z.object({ provider: z.string(), model: z.string(), reason: z.string() });
export type Fallback = z.infer<typeof Fallback>;

export const AttemptStage = z.enum(["propose", "validate", "screen", "compile", "verify"]);

export const Attempt = z.object({
  number: z.number().int(),
  provider: z.string(),
  model: z.string(),
  latencyMs: z.number(),
  usage: TokenUsage.optional(),
  fallbacks: z.array(Fallback).optional(),
  /** The fix as a list of changed files (one today), so multi-file fixes need no redesign. */
  files: z.array(FileContent),
  outcome: z.enum(["pending", "accepted", "refused"]),
  /** The gate that refused it, when refused. */
  stage: AttemptStage.optional(),
  reason: z.string().optional(),
  diff: z.string().optional(),
});
export type Attempt = z.infer<typeof Attempt>;

export const TimelineEvent = z.object({ node: z.string(), startedAt: z.string(), durationMs: z.number(), summary: z.string() });
export type TimelineEvent = z.infer<typeof TimelineEvent>;

/** What pytest said of one test. */
export const PytestOutcome = z.enum(["passed", "failed", "error", "skipped", "xfailed", "xpassed"]);
export type PytestOutcome = z.infer<typeof PytestOutcome>;
/** A test's outcome in a run: pytest's, or "missing" when the run never reported the test. */
export const TestOutcome = z.enum([...PytestOutcome.options, "missing"]);
export type TestOutcome = z.infer<typeof TestOutcome>;
export const TestPair = z.object({ before: TestOutcome, after: TestOutcome });
export type TestPair = z.infer<typeof TestPair>;

/** How often the entry-mode guard saw a watched function called, return and raise. */
export const WatchedStats = z.object({ calls: z.number(), returns: z.number(), raised: z.number() });
export type WatchedStats = z.infer<typeof WatchedStats>;

export const TrustLevel = z.enum(["sealed", "guarded"]);
export const TestTrust = z.object({ level: TrustLevel, note: z.string().optional() });
export type TestTrust = z.infer<typeof TestTrust>;

export const OpsGuardState = OpsGuardInput.extend({
  workspace: z.string().optional(),
  /** The file being fixed, as it was in the repository. */
  original: FileContent.optional(),
  /**
   * Every file any attempt changed or added, as it was before (sha256 null: it did not exist), so
   * that each attempt starts from the original workspace and --apply can check each file's hash.
   */
  baseline: z.array(z.object({ path: z.string(), content: z.string(), sha256: z.string().nullable() })).optional(),
  reproductionCommand: z.array(z.string()).optional(),
  reproAttempts: z.number().int().optional(),
  reproduction: SandboxRun.optional(),
  classification: Classification.optional(),
  errorType: ErrorType.optional(),
  attempts: z.array(Attempt).optional(),
  verification: SandboxRun.optional(),
  /** Hashes of every test file (tests/ and root-level pytest configuration), taken from the repository. */
  testHashes: z.record(z.string(), z.string()).optional(),
  /** Entry mode: where the reproduced failure happened. */
  failureSite: FailureSite.optional(),
  /** Pytest mode: each test's outcome on the original code, then on the fix. */
  testsBefore: z.record(z.string(), TestOutcome).optional(),
  testsAfter: z.record(z.string(), TestOutcome).optional(),
  /** The evidence that proved the fix, in words and numbers. */
  proof: z
    .object({
      summary: z.string(),
      failToPass: z.record(z.string(), TestPair).optional(),
      passToPass: z.record(z.string(), TestPair).optional(),
      neutral: z.array(z.string()).optional(),
      /** Tests the original's run was killed before reaching; they passed after the fix. */
      unobserved: z.record(z.string(), TestPair).optional(),
      /** Pytest mode: how far each test's outcome can be trusted (see src/evidence/sealedOutcomes.ts). */
      trust: z.record(z.string(), TestTrust).optional(),
      watched: z.record(z.string(), WatchedStats).optional(),
    })
    .optional(),
  /** The base image chosen for the run's Python (--python, requires-python, else --image or the default). */
  baseImage: z.string().optional(),
  /** The environment image the sandbox runs in, when the repository declares dependencies. */
  environment: EnvironmentImage.optional(),
  /** Set when --apply wrote the fix into the repository. */
  applied: z
    .object({ path: z.string(), sha256: z.string(), files: z.array(z.object({ path: z.string(), sha256: z.string() })).optional() })
    .optional(),
  status: Status.optional(),
  reason: z.string().optional(),
  /** Things the user should know that do not stop the run (e.g. --error names another exception). */
  warnings: z.array(z.string()).optional(),
  /** The InfraError code when the run stopped on infrastructure (ENGINE_UNREACHABLE, IMAGE_MISSING, LLM_AUTH ...). */
  infraCode: InfraCode.optional(),
  timeline: z.array(TimelineEvent).optional(),
  /** Where the report node wrote the artifacts. */
  reportPaths: z.record(z.string(), z.string()).optional(),
});
export type OpsGuardState = z.infer<typeof OpsGuardState>;
export type StateUpdate = Partial<OpsGuardState>;

