/**
 * Runs the suite sealed: the tests and the changed files in two processes of two users
 * (src/evidence/sealedCommand.ts). Three streams come back: the test side's plugin records, its guard's
 * (which judges nothing there: the changed files are not on that side), and the code side's guard
 * records, which the launcher checked and numbered as a stream of its own (`codeGuard`).
 */
import type { OpsGuardState } from "../state/state.js";
import { join } from "node:path";
import { packageRoot } from "../system/packageRoot.js";
import { DEFAULT_LIMITS } from "../sandbox/docker.js";
import { sealedCommand, sealedLayout } from "./sealedCommand.js";
import { runWithEvidence, type EvidenceRun, type SandboxContext } from "./run.js";

const STAND_IN = () => join(packageRoot(), "sandbox", "python", "opsguard_elsewhere.py");

export function runSealed(state: OpsGuardState, context: SandboxContext, changedFiles: string[]): Promise<EvidenceRun> {
  const layout = sealedLayout(state.workspace!, changedFiles, Object.keys(state.testHashes ?? {}), DEFAULT_LIMITS.tmpfsBytes, STAND_IN());
  const settings = { OPSGUARD_SEAL_FILES: JSON.stringify(changedFiles) };
  return runWithEvidence(state, context, settings, sealedCommand(state.reproductionCommand!), { layout }, true);
}
