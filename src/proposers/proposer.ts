/**
 * The only way OpsGuard reaches a language model: a proposer returns the full new text of a file.
 * It never runs code and never chooses the next step of the graph.
 */
import type { Fallback, TokenUsage } from "../state/state.js";

export interface FileToFix {
  /** Path relative to the repository root, POSIX separators (e.g. "app.py"). */
  path: string;
  content: string;
  /**
   * Set for a file too large to show whole: what the model is shown instead of `content` (an
   * outline, with the definitions the failure points at in full). It answers with edits to it.
   */
  view?: string;
}

export interface PreviousAttempt {
  /** 1-based attempt number. */
  number: number;
  /** The full file content that attempt proposed (may be absent if nothing was proposed). */
  content?: string;
  /** Why it was refused, in one or a few lines (validator verdict, compile error, failing run output). */
  refusal: string;
}

export interface ProposalRequest {
  /** The user's description of the error (`--error`). */
  errorDescription: string;
  /** What the reproduction printed: exit code, stdout and stderr, already trimmed to a sensible size. */
  reproductionOutput: string;
  /** "entry" or "pytest". */
  mode: "entry" | "pytest";
  file: FileToFix;
  /**
   * Other files the failure points at (localisation), most relevant first. When present the model
   * may change `file` and any of these, and answers with one block per changed file.
   */
  context?: FileToFix[];
  /** With --max-tokens: the run's budget and the tokens its earlier model calls used. */
  tokenBudget?: { limit: number; spent: number };
  /** Earlier refused attempts, oldest first, so the model can correct itself. */
  previousAttempts: PreviousAttempt[];
}

export type { TokenUsage };

/** A whole file at a repository-relative path (POSIX separators). */
export interface ProposedFile {
  path: string;
  content: string;
}

/**
 * A proposal carries exactly one of: `content` (the whole new `request.file`), `files` (whole files
 * at repository-relative paths, changed or added), `patch` (a unified diff of any number of files),
 * or `blocks` (a model's answer of one path line and fenced block per changed file, with the
 * whole file or SEARCH/REPLACE edits of it).
 */
export interface Proposal {
  /** The proposed full new content of `request.file.path`, exactly as returned. */
  content?: string;
  files?: ProposedFile[];
  patch?: string;
  /** A block-format answer (see fileBlocks.ts), exactly as the model gave it; parsed by the graph. */
  blocks?: string;
  /** "candidate", "nvidia", "groq", "openai", or a test's own name. */
  provider: string;
  model: string;
  latencyMs: number;
  usage?: TokenUsage;
  /** The proposal's size in bytes, when `content` holds only the start of it (it was too large to read whole). */
  size?: number;
  /** Set when the proposer already knows the proposal cannot be used (e.g. a candidate file that is not text). */
  refusal?: string;
  /** Providers tried before this one answered, with why each failed (fallback record). */
  fallbacks?: Fallback[];
}

/** A request answered in blocks: it shows other files, or shows a file only in part. */
export function answersInBlocks(request: ProposalRequest): boolean {
  return Boolean(request.context?.length) || request.file.view !== undefined;
}

export interface Proposer {
  /**
   * Returns a proposal, or `null` when this proposer has nothing more to offer
   * (e.g. the `--candidate` files ran out). Throws InfraError for unusable credentials.
   */
  propose(request: ProposalRequest, signal?: AbortSignal): Promise<Proposal | null>;
}
