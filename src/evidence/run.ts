/**
 * Runs the reproduction command under OpsGuard's runners and takes their evidence out of stderr.
 * Used for the reproduction and for the verification, so both see the code the same way: the
 * runners move every OPSGUARD_* setting out of the environment before user code starts
 * (sandbox/python/opsguard_handoff.py), so what differs between the two runs is not visible to it.
 *
 * Two streams come out of one stderr, told apart by their prefix, each numbered on its own: the
 * runtime guard's (OPSGUARD-GUARD, src/evidence/guardStream.ts) in both modes, and the pytest
 * plugin's records (OPSGUARD-EVIDENCE, src/evidence/stream.ts) in pytest mode, or the one
 * evidence line of the compile step (src/evidence/protocol.ts).
 */
import type { Sandbox } from "../sandbox/docker.js";
import type { OpsGuardState, SandboxRun } from "../state/state.js";
import { extractEvidence, newNonce } from "./protocol.js";
import { extractEvidenceStream } from "./stream.js";
import { extractGuardStream, SEALED_CODE_GUARD, type GuardStream } from "./guardStream.js";
import { redactEnvValues } from "../system/redactEnv.js";
import { RUNTIME_MOUNT, type RunOptions } from "../sandbox/docker.js";
import { sandboxOptions } from "./sandboxOptions.js";

export interface EvidenceRun {
  run: SandboxRun;
  /** Entry mode: the compile step's evidence line, if it wrote one. */
  evidence?: unknown;
  /** Pytest mode: the plugin's streamed records, in order (see src/evidence/pytest.ts). */
  records: unknown[];
  /** An evidence line with a wrong nonce, a second one (entry mode), or an unreadable one appeared. */
  forged: boolean;
  /** What the runtime guard streamed (sandbox/python/opsguard_guard.py). */
  guard: GuardStream;
  /** A sealed run: what the guard on the code side streamed, passed on by the launcher. */
  codeGuard?: GuardStream;
}

/** The repository's Python test files, which the guard refuses to let the code under test read. */
const testFiles = (state: OpsGuardState) => Object.keys(state.testHashes ?? {}).filter((path) => path.endsWith(".py"));

/** What a run needs from the graph: the sandbox, and the signal that aborts it. */
export interface SandboxContext {
  deps: { sandbox: Sandbox };
  signal?: AbortSignal;
}

export async function runWithEvidence(
  state: OpsGuardState,
  { deps, signal }: SandboxContext,
  extraEnv: Record<string, string> = {},
  command: string[] = state.reproductionCommand!,
  extraOptions: RunOptions = {},
  /** A sealed run: also take out the code side's guard stream, which its launcher passes on. */
  sealed = false,
): Promise<EvidenceRun> {
  const nonce = newNonce();
  // The user's --env first; OpsGuard's own settings win (their OPSGUARD_ names are refused in setup).
  // The handoff re-exec drops only the OPSGUARD_* names, so the user's values still reach their code.
  const userEnv = state.env ?? {};
  const env: Record<string, string> = { ...userEnv, OPSGUARD_NONCE: nonce, OPSGUARD_TESTS: JSON.stringify(testFiles(state)), ...extraEnv };
  if (state.mode === "pytest") {
    env.PYTHONPATH = userEnv.PYTHONPATH ? `${RUNTIME_MOUNT}:${userEnv.PYTHONPATH}` : RUNTIME_MOUNT;
    env.OPSGUARD_TEST_TIMEOUT = String(state.testTimeoutSeconds);
  } else {
    // Dump every thread's stack shortly before the time limit: where a hang is stuck.
    env.OPSGUARD_HANG_DUMP_AFTER = String(state.timeoutSeconds - 1.5);
  }
  const result = await deps.sandbox.run(state.workspace!, command, { ...sandboxOptions(state, signal), ...extraOptions, env });
  // What the run printed is kept in state, reports and prompts: --env values never are.
  const mask = (text: string) => redactEnvValues(text, userEnv);
  const masked = (stderr: string) => ({ ...result, stdout: mask(result.stdout), stderr: mask(stderr) });
  const maskStream = (stream: GuardStream): GuardStream => ({
    ...stream,
    records: stream.records.map((r) => (r.k === "forbidden" ? { ...r, op: mask(r.op), where: mask(r.where) } : r)),
  });
  const code = sealed ? extractGuardStream(result.stderr, nonce, SEALED_CODE_GUARD) : undefined;
  const extracted = extractGuardStream(code?.stderr ?? result.stderr, nonce);
  const guard = maskStream(extracted.stream);
  if (state.mode === "pytest") {
    const { records, stderr, forged } = extractEvidenceStream(extracted.stderr, nonce);
    return { run: masked(stderr), records, forged, guard, ...(code ? { codeGuard: maskStream(code.stream) } : {}) };
  }
  const { evidence, stderr, forged } = extractEvidence(extracted.stderr, nonce);
  return { run: masked(stderr), ...(evidence !== undefined ? { evidence } : {}), records: [], forged, guard };
}
