/** Always the last node: settles the status, writes the whole artifact set, removes the workspace. */
import type { NodeFn } from "../graph/deps.js";
import type { OpsGuardState } from "../graph/state.js";
import { buildFinalReport, buildJudgeSummary, buildRunLog, latestAttempt } from "../tools/report.js";
import { buildHtmlReport } from "../tools/htmlReport.js";
import { buildProof } from "../tools/proof.js";
import { patchBytes } from "../tools/patch.js";
import { encodeSource } from "../tools/sourceText.js";

/** A file's bytes as they were proven; a refused text that does not encode is kept as UTF-8. */
const bytesOf = (text: string): Buffer => {
  const encoded = encodeSource(text);
  return encoded.ok ? encoded.bytes : Buffer.from(text, "utf8");
};

export const ARTIFACT_FILES = {
  finalReport: "final_report.json",
  latestPatch: "internal/latest_patch.py",
  patchDiff: "internal/patch.diff",
  runLog: "internal/run.log",
  judgeSummary: "presentation/judge_summary.txt",
  htmlReport: "presentation/report.html",
  original: "internal/original.py",
  proof: "proof.json",
} as const;

/** Every artifact of the run; proof.json only for a SUCCESS. Source files and the diff are bytes. */
export function artifactContents(state: OpsGuardState): Record<string, string | Buffer> {
  const accepted = (state.attempts ?? []).find((a) => a.outcome === "accepted");
  const proof = state.status === "SUCCESS" ? buildProof(state) : undefined;
  return {
    ...(proof ? { [ARTIFACT_FILES.proof]: `${JSON.stringify(proof, null, 2)}\n` } : {}),
    [ARTIFACT_FILES.original]: bytesOf(state.original?.content ?? ""),
    [ARTIFACT_FILES.htmlReport]: buildHtmlReport(state, proof ? { evidence: proof.evidence } : {}),
    [ARTIFACT_FILES.finalReport]: `${JSON.stringify(buildFinalReport(state), null, 2)}\n`,
    [ARTIFACT_FILES.latestPatch]: bytesOf(latestAttempt(state)?.files[0]?.content ?? ""),
    [ARTIFACT_FILES.patchDiff]:
      accepted?.diff && state.original ? patchBytes(accepted.diff, state.original.content, accepted.files[0]?.content ?? "") : "",
    [ARTIFACT_FILES.runLog]: buildRunLog(state),
    [ARTIFACT_FILES.judgeSummary]: buildJudgeSummary(state),
  };
}

export const report: NodeFn = async (state, { deps }) => {
  const started = deps.clock.now();
  const settled = state.status
    ? {}
    : { status: "FAILED" as const, reason: state.reason ?? "The run ended without a verified fix." };
  const final: OpsGuardState = {
    ...state,
    ...settled,
    timeline: [
      ...(state.timeline ?? []),
      { node: "report", startedAt: new Date(started).toISOString(), durationMs: 0, summary: `status ${settled.status ?? state.status}` },
    ],
  };
  if (state.workspace) await deps.workspaces.remove(state.workspace);
  const contents = artifactContents(final);
  // A proof from an earlier run in the same directory must not outlive this run's outcome.
  const stale = ARTIFACT_FILES.proof in contents ? [] : [ARTIFACT_FILES.proof];
  const reportPaths = await deps.artifacts.write(state.artifacts, contents, stale);
  return { update: { ...settled, reportPaths, timeline: final.timeline }, summary: `status ${final.status}` };
};
