/**
 * Asks the proposer (candidate files or a model) for a fix, and turns it into a set of whole files:
 * the target's new content, whole files at repository paths, or a unified diff applied to the files
 * as they were. A diff that does not apply, or a change to a file no fix may touch, refuses the attempt.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { NodeFn } from "./deps.js";
import type { FileContent, OpsGuardState, SandboxRun } from "../state/state.js";
import type { FileToFix, Proposal, ProposalRequest, ProposedFile } from "../proposers/proposer.js";
import { filesFromBlocks } from "../proposers/fileBlocks.js";
import { localise } from "../proposers/localise.js";
import { listPythonFiles } from "../python/pythonFiles.js";
import { sha256 } from "../system/hash.js";
import { LlmUnavailableError, TokenBudgetError } from "../errors.js";
import { decisiveRefusal, refuseCurrent } from "../state/attempts.js";
import { changeProblem, filesFromDiff } from "../proposers/changeSet.js";
import { takeProposal } from "../proposers/proposalIntake.js";
import { insideRepo } from "../state/runInputs.js";
import { decodeSource, sourceBytes } from "../python/sourceText.js";

const EXCERPT = 6000;

function tail(text: string): string {
  return text.length <= EXCERPT ? text : `[... ${text.length - EXCERPT} characters cut ...]\n${text.slice(-EXCERPT)}`;
}

export function formatRun(run: SandboxRun): string {
  return [
    `$ ${run.command.join(" ")}`,
    `exit code ${run.exitCode} (${run.endReason})`,
    run.stderr ? `--- stderr ---\n${tail(run.stderr)}` : "--- stderr: empty ---",
    run.stdout ? `--- stdout ---\n${tail(run.stdout)}` : "--- stdout: empty ---",
  ].join("\n");
}

/** The file of an attempt that is the run's target (or its first file). */
export function targetFile(state: OpsGuardState, files: FileContent[]): FileContent | undefined {
  return files.find((f) => f.path === state.original?.path) ?? files[0];
}

/** Prompt and completion tokens of every model call so far (each attempt records all of its calls). */
function tokensSpent(state: OpsGuardState): number {
  return (state.attempts ?? []).reduce((sum, a) => sum + (a.usage ? a.usage.inputTokens + a.usage.outputTokens : 0), 0);
}

/** `shown` are the localised files (the target first, with its outline when it is large). */
export function proposalRequest(state: OpsGuardState, shown: FileToFix[] = []): ProposalRequest {
  const [target, ...context] = shown;
  return {
    errorDescription: state.error,
    reproductionOutput: formatRun(state.reproduction!),
    mode: state.mode,
    file: { path: state.original!.path, content: state.original!.content, ...(target?.view !== undefined ? { view: target.view } : {}) },
    ...(context.length ? { context } : {}),
    ...(state.maxTokens !== undefined ? { tokenBudget: { limit: state.maxTokens, spent: tokensSpent(state) } } : {}),
    previousAttempts: (state.attempts ?? []).map((a) => {
      const file = targetFile(state, a.files);
      return { number: a.number, ...(file ? { content: file.content } : {}), refusal: `refused at the ${a.stage} gate: ${a.reason}` };
    }),
  };
}

type Baseline = NonNullable<OpsGuardState["baseline"]>;
/** A file as it was before any attempt: its text, absent, or why it cannot be a fix target. */
type Original = { text: string } | { absent: true } | { problem: string };

/** Reads originals: from the baseline, else from the still untouched workspace, decoded as they declare. */
function originalReader(state: OpsGuardState): (path: string) => Promise<Original> {
  return async (path) => {
    const known = state.baseline?.find((b) => b.path === path);
    if (known) return known.sha256 === null ? { absent: true } : { text: known.content };
    if (path === state.original?.path) return { text: state.original.content };
    const bytes = await readFile(join(state.workspace!, path)).catch(() => undefined);
    if (bytes === undefined) return { absent: true };
    const decoded = decodeSource(bytes);
    if (!decoded.ok) return { problem: `${path} ${decoded.reason}; it cannot be changed by a fix` };
    if (!sourceBytes(decoded.text).equals(bytes)) return { problem: `${path} does not read back byte for byte; it cannot be changed by a fix` };
    return { text: decoded.text };
  };
}

/**
 * The files a model is shown and may change, the target first: what the reproduced failure points
 * at, ranked, within --context-tokens, large ones as outlines (see localise.ts). Their originals,
 * never an earlier attempt's edits.
 */
async function localisedFiles(state: OpsGuardState, original: (path: string) => Promise<Original>): Promise<FileToFix[]> {
  const files = await listPythonFiles(state.workspace!);
  for (const before of state.baseline ?? []) if (before.sha256 === null) files.delete(before.path);
  const run = state.reproduction!;
  const protectedPaths = new Set(Object.keys(state.testHashes ?? {}));
  const read = async (path: string) => {
    const found = await original(path);
    return "text" in found ? found.text : undefined;
  };
  const ranked = await localise({
    target: state.original!.path,
    output: `${run.stderr}\n${run.stdout}`,
    failingTests: state.classification?.failingTests ?? [],
    files,
    read,
    protectedPaths,
    ...(state.contextTokens !== undefined ? { budgetTokens: state.contextTokens } : {}),
  });
  const [target, ...others] = ranked;
  const shown: FileToFix[] = [{ path: state.original!.path, content: state.original!.content, ...(target?.view !== undefined ? { view: target.view } : {}) }];
  for (const { path, view } of others) {
    const found = await original(path);
    if ("text" in found && changeProblem(path, protectedPaths) === undefined) shown.push({ path, content: found.text, ...(view !== undefined ? { view } : {}) });
  }
  return shown;
}

type Changes = { ok: true; files: FileContent[]; originals: Map<string, string | undefined> } | { ok: false; reason: string; files: FileContent[] };

async function changedFiles(state: OpsGuardState, proposal: Proposal, original: (path: string) => Promise<Original>, shown: FileToFix[]): Promise<Changes> {
  const originals = new Map<string, string | undefined>();
  const problems: string[] = [];
  const read = async (path: string) => {
    const found = await original(path);
    if ("problem" in found) problems.push(found.problem);
    const text = "text" in found ? found.text : undefined;
    originals.set(path, text);
    return text;
  };
  const refuse = (reason: string, files: FileContent[] = []) => ({ ok: false as const, reason, files });
  let proposed: ProposedFile[];
  if (proposal.blocks !== undefined) {
    const outlined = shown.filter((f) => f.view !== undefined).map((f) => f.path);
    const parsed = await filesFromBlocks(proposal.blocks, shown.map((f) => f.path), read, outlined);
    if (problems.length) return refuse(problems[0]!);
    if (!parsed.ok) return refuse(`BLOCK_FORMAT: ${parsed.reason}`);
    proposed = parsed.files;
  } else if (proposal.patch !== undefined) {
    const fromDiff = await filesFromDiff(proposal.patch, read);
    if (problems.length) return refuse(problems[0]!);
    if (!fromDiff.ok) return refuse(`the diff does not apply: ${fromDiff.reason}`);
    proposed = fromDiff.files;
  } else if (proposal.files !== undefined) {
    proposed = [];
    for (const file of proposal.files) {
      const path = insideRepo(file.path);
      if (!path) return refuse(`${file.path} is not a path inside the repository`);
      proposed.push({ path, content: file.content });
    }
  } else {
    proposed = [{ path: state.original!.path, content: proposal.content ?? "" }];
  }
  const protectedPaths = new Set(Object.keys(state.testHashes ?? {}));
  const exempt = state.mode === "entry" ? state.original!.path : undefined;
  for (const file of proposed) {
    const problem = changeProblem(file.path, protectedPaths, exempt);
    if (problem) return refuse(problem);
  }
  // Each file passes the intake (a sole fenced block unwrapped, size bounded, encodable as it declares).
  const files: FileContent[] = [];
  for (const file of proposed) {
    const before = originals.has(file.path) ? originals.get(file.path) : await read(file.path);
    if (problems.length) return refuse(problems[0]!);
    const single = proposal.content !== undefined && proposal.patch === undefined && proposal.files === undefined && proposal.blocks === undefined;
    const intake = takeProposal(file.path, before === undefined ? 0 : sourceBytes(before).length, file.content, single ? proposal.size : undefined);
    files.push(intake.file);
    if (!intake.ok) return refuse(intake.reason, files);
  }
  // Files an overlay repeats unchanged are not part of the fix; an all-unchanged fix is left for gate 3 to refuse.
  const changed = files.filter((f) => originals.get(f.path) !== f.content);
  const kept = changed.length ? changed : files.slice(0, 1);
  const target = state.original!.path;
  kept.sort((a, b) => (a.path === target ? -1 : b.path === target ? 1 : a.path.localeCompare(b.path)));
  return kept.length ? { ok: true, files: kept, originals } : refuse("the fix changes no file");
}

export const propose: NodeFn = async (state, { deps, signal }) => {
  const attempts = state.attempts ?? [];
  const original = originalReader(state);
  // Candidates say themselves which files they change; a model is shown what the failure points at.
  const shown = state.candidates.length === 0 ? await localisedFiles(state, original) : [];
  let proposal;
  try {
    proposal = await deps.proposerFor(state).propose(proposalRequest(state, shown), signal);
  } catch (err) {
    if (err instanceof TokenBudgetError) return { update: { status: "FAILED", reason: err.message }, summary: err.message };
    // No provider answered (transport, 5xx, 429, timeout on every one): the attempt counts as refused.
    if (!(err instanceof LlmUnavailableError)) throw err;
    const refused = { number: attempts.length + 1, provider: "none", model: "-", latencyMs: 0, files: [], outcome: "pending" as const };
    const update = refuseCurrent({ ...state, attempts: [...attempts, refused] }, "propose", err.message);
    return { update, summary: `no proposal: ${err.message}` };
  }
  if (!proposal) {
    const reason =
      attempts.length === 0
        ? "No fix was proposed: no candidate file was given."
        : `The candidates ran out after ${attempts.length} refused attempt(s); no model was asked. ${decisiveRefusal(attempts)}`;
    return { update: { status: "FAILED", reason }, summary: reason };
  }
  const changes = proposal.refusal !== undefined ? undefined : await changedFiles(state, proposal, original, shown);
  const attempt = {
    number: attempts.length + 1,
    provider: proposal.provider,
    model: proposal.model,
    latencyMs: proposal.latencyMs,
    ...(proposal.usage ? { usage: proposal.usage } : {}),
    ...(proposal.fallbacks?.length ? { fallbacks: proposal.fallbacks } : {}),
    files: changes?.files ?? [],
    outcome: "pending" as const,
  };
  const withAttempt = { ...state, attempts: [...attempts, attempt] };
  const refusal = proposal.refusal ?? (changes && !changes.ok ? changes.reason : undefined);
  if (refusal !== undefined || !changes?.ok) {
    const reason = refusal ?? "the proposal could not be read";
    return { update: refuseCurrent(withAttempt, "validate", reason), summary: `attempt ${attempt.number} refused at once: ${reason}` };
  }
  const baseline: Baseline = [...(state.baseline ?? [])];
  for (const file of changes.files) {
    if (baseline.some((b) => b.path === file.path)) continue;
    const before = changes.originals.get(file.path);
    baseline.push({ path: file.path, content: before ?? "", sha256: before === undefined ? null : sha256(sourceBytes(before)) });
  }
  const paths = changes.files.map((f) => f.path).join(", ");
  return {
    update: { attempts: withAttempt.attempts, baseline },
    summary: `attempt ${attempt.number}/${state.maxFixAttempts} from ${proposal.provider} (${proposal.model}) in ${proposal.latencyMs} ms: ${paths}`,
  };
};
