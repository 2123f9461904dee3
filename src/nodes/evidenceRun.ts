/**
 * Runs the reproduction command under OpsGuard's runners and takes their evidence out of stderr.
 * Used for the reproduction and for the verification, so both see the code the same way.
 */
import type { NodeContext } from "../graph/deps.js";
import type { OpsGuardState, SandboxRun } from "../graph/state.js";
import { extractEvidence, newNonce } from "../tools/evidence.js";
import { extractEvidenceStream } from "../tools/evidenceStream.js";
import { redactEnvValues } from "../tools/redactEnv.js";
import { RUNTIME_MOUNT, type RunOptions } from "../tools/sandbox.js";
import { sandboxOptions } from "./sandboxOptions.js";

export interface EvidenceRun {
  run: SandboxRun;
  /** Entry mode: the runner's one evidence record. */
  evidence?: unknown;
  /** Pytest mode: the plugin's streamed records, in order (see src/tools/pytestEvidence.ts). */
  records: unknown[];
  /** An evidence line with a wrong nonce, a second one (entry mode), or an unreadable one appeared. */
  forged: boolean;
}

export async function runWithEvidence(
  state: OpsGuardState,
  { deps, signal }: NodeContext,
  extraEnv: Record<string, string> = {},
  command: string[] = state.reproductionCommand!,
  extraOptions: RunOptions = {},
): Promise<EvidenceRun> {
  const nonce = newNonce();
  // The user's --env first; OpsGuard's own settings win (their OPSGUARD_ names are refused in setup).
  const userEnv = state.env ?? {};
  const env: Record<string, string> = { ...userEnv, OPSGUARD_NONCE: nonce, ...extraEnv };
  if (state.mode === "pytest") {
    env.PYTHONPATH = userEnv.PYTHONPATH ? `${RUNTIME_MOUNT}:${userEnv.PYTHONPATH}` : RUNTIME_MOUNT;
    env.OPSGUARD_TEST_TIMEOUT = String(state.testTimeoutSeconds);
  } else if (state.timeoutSeconds > 3) {
    // Dump every thread's stack shortly before the time limit: where a hang is stuck.
    env.OPSGUARD_HANG_DUMP_AFTER = String(state.timeoutSeconds - 1.5);
  }
  const result = await deps.sandbox.run(state.workspace!, command, { ...sandboxOptions(state, signal), ...extraOptions, env });
  // What the run printed is kept in state, reports and prompts: --env values never are.
  const masked = (stderr: string) => ({ ...result, stdout: redactEnvValues(result.stdout, userEnv), stderr: redactEnvValues(stderr, userEnv) });
  if (state.mode === "pytest") {
    const { records, stderr, forged } = extractEvidenceStream(result.stderr, nonce);
    return { run: masked(stderr), records, forged };
  }
  const { evidence, stderr, forged } = extractEvidence(result.stderr, nonce);
  return { run: masked(stderr), ...(evidence !== undefined ? { evidence } : {}), records: [], forged };
}
