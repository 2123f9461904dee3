/** Always the last node: settles the status, writes the whole artifact set, removes the workspace. */
import { readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import type { NodeFn } from "./deps.js";
import type { Attempt, OpsGuardState } from "../state/state.js";
import { targetFile } from "./propose.js";
import { buildFinalReport, buildJudgeSummary, buildRunLog, latestAttempt } from "../reports/report.js";
import { buildHtmlReport } from "../reports/htmlReport.js";
import { buildProof } from "../reports/proofBundle.js";
import { changeSetBytes, type FileChange } from "../reports/patch.js";
import { originalOf } from "../state/attempts.js";
import { encodeSource } from "../python/sourceText.js";

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

/** Where a multi-file fix's files go, whole: the fix under internal/fix/, what they replaced under internal/original/. */
export const FIX_DIR = "internal/fix";
export const ORIGINAL_DIR = "internal/original";

/** The accepted fix's files, whole, and the originals they replace (an added file has none). */
function fixFiles(state: OpsGuardState, accepted: Attempt | undefined): Record<string, Buffer> {
  const files: Record<string, Buffer> = {};
  for (const file of accepted?.files ?? []) {
    files[`${FIX_DIR}/${file.path}`] = bytesOf(file.content);
    const before = state.baseline?.find((b) => b.path === file.path);
    if (before && before.sha256 !== null) files[`${ORIGINAL_DIR}/${file.path}`] = bytesOf(before.content);
  }
  return files;
}

/** The accepted fix as changes, for the diff's bytes (each file's lines in its own encoding). */
function fixChanges(state: OpsGuardState, accepted: Attempt): FileChange[] {
  return accepted.files.map((f) => {
    const before = state.baseline?.find((b) => b.path === f.path);
    return { path: f.path, before: before?.sha256 === null ? null : originalOf(state, f.path), after: f.content };
  });
}

/** Every artifact of the run; proof.json only for a SUCCESS. Source files and the diff are bytes. */
export function artifactContents(state: OpsGuardState): Record<string, string | Buffer> {
  const accepted = (state.attempts ?? []).find((a) => a.outcome === "accepted");
  const proof = state.status === "SUCCESS" ? buildProof(state) : undefined;
  const latest = latestAttempt(state);
  return {
    ...fixFiles(state, accepted),
    ...(proof ? { [ARTIFACT_FILES.proof]: `${JSON.stringify(proof, null, 2)}\n` } : {}),
    [ARTIFACT_FILES.original]: bytesOf(state.original?.content ?? ""),
    [ARTIFACT_FILES.htmlReport]: buildHtmlReport(state, proof ? { evidence: proof.evidence } : {}),
    [ARTIFACT_FILES.finalReport]: `${JSON.stringify(buildFinalReport(state), null, 2)}\n`,
    [ARTIFACT_FILES.latestPatch]: bytesOf((latest && targetFile(state, latest.files)?.content) ?? ""),
    [ARTIFACT_FILES.patchDiff]: accepted?.diff && state.original ? changeSetBytes(fixChanges(state, accepted)) : "",
    [ARTIFACT_FILES.runLog]: buildRunLog(state),
    [ARTIFACT_FILES.judgeSummary]: buildJudgeSummary(state),
  };
}

/** Fix files an earlier run left in the same directory, which this run's set does not have. */
async function earlierFixFiles(dir: string, contents: Record<string, string | Buffer>): Promise<string[]> {
  const found: string[] = [];
  for (const sub of [FIX_DIR, ORIGINAL_DIR]) {
    const entries = await readdir(join(dir, sub), { recursive: true, withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      const name = relative(dir, join(entry.parentPath, entry.name)).split("\\").join("/");
      if (!(name in contents)) found.push(name);
    }
  }
  return found;
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
  const stale = [...(ARTIFACT_FILES.proof in contents ? [] : [ARTIFACT_FILES.proof]), ...(await earlierFixFiles(state.artifacts, contents))];
  const reportPaths = await deps.artifacts.write(state.artifacts, contents, stale);
  return { update: { ...settled, reportPaths, timeline: final.timeline }, summary: `status ${final.status}` };
};
