/** Asks the proposer (candidate files or a model) for the full new content of the file being fixed. */
import type { NodeFn } from "../graph/deps.js";
import type { OpsGuardState, SandboxRun } from "../graph/state.js";
import type { ProposalRequest } from "../tools/proposer.js";
import { OpsGuardError } from "../tools/errors.js";
import { decisiveRefusal, refuseCurrent } from "../graph/attempts.js";
import { takeProposal } from "../tools/proposalIntake.js";
import { sourceBytes } from "../tools/sourceText.js";

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

export function proposalRequest(state: OpsGuardState): ProposalRequest {
  return {
    errorDescription: state.error,
    reproductionOutput: formatRun(state.reproduction!),
    mode: state.mode,
    file: { path: state.original!.path, content: state.original!.content },
    previousAttempts: (state.attempts ?? []).map((a) => ({
      number: a.number,
      ...(a.files[0] ? { content: a.files[0].content } : {}),
      refusal: `refused at the ${a.stage} gate: ${a.reason}`,
    })),
  };
}

export const propose: NodeFn = async (state, { deps, signal }) => {
  const attempts = state.attempts ?? [];
  const path = state.original!.path;
  let proposal;
  try {
    proposal = await deps.proposerFor(state).propose(proposalRequest(state), signal);
  } catch (err) {
    // No provider answered (transport, 5xx, 429, timeout on every one): the attempt counts as refused.
    if (!(err instanceof OpsGuardError) || err.code !== "LLM_UNAVAILABLE") throw err;
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
  const intake = takeProposal(path, sourceBytes(state.original!.content).length, proposal.content, proposal.size);
  const attempt = {
    number: attempts.length + 1,
    provider: proposal.provider,
    model: proposal.model,
    latencyMs: proposal.latencyMs,
    ...(proposal.usage ? { usage: proposal.usage } : {}),
    ...(proposal.fallbacks?.length ? { fallbacks: proposal.fallbacks } : {}),
    files: [intake.file],
    outcome: "pending" as const,
  };
  const refusal = proposal.refusal ?? (intake.ok ? undefined : intake.reason);
  if (refusal !== undefined) {
    const update = refuseCurrent({ ...state, attempts: [...attempts, attempt] }, "validate", refusal);
    return { update, summary: `attempt ${attempt.number} refused at once: ${refusal}` };
  }
  return {
    update: { attempts: [...attempts, attempt] },
    summary: `attempt ${attempt.number}/${state.maxFixAttempts} from ${proposal.provider} (${proposal.model}) in ${proposal.latencyMs} ms`,
  };
};
