/**
 * The proof bundle (proof.json): everything needed to re-check a SUCCESS later: hashes of the
 * original, the fix, every test file and the image; the commands; the evidence before and after.
 */
import type { OpsGuardState } from "../state/state.js";
import { OPSGUARD_VERSION } from "../system/version.js";

export const PROOF_FORMAT = 1;

export function buildProof(state: OpsGuardState) {
  const accepted = state.attempts?.find((a) => a.outcome === "accepted");
  const fix = accepted?.files.find((f) => f.path === state.original?.path) ?? accepted?.files[0];
  const before = state.reproduction;
  const after = state.verification;
  if (!fix || !state.original || !before || !after || !state.proof) return undefined;
  return {
    format: PROOF_FORMAT,
    opsguard_version: OPSGUARD_VERSION,
    created_at: new Date().toISOString(),
    mode: state.mode,
    entry: state.entry,
    ...(state.module !== undefined ? { module: state.module } : {}),
    args: state.args ?? [],
    /** Names only: verify-proof needs the values passed again with --env. */
    env_keys: Object.keys(state.env ?? {}).sort(),
    original: { path: state.original.path, sha256: state.original.sha256 },
    fix: { path: fix.path, sha256: fix.sha256 },
    /** Every file the fix changes or adds (original_sha256 null: added). */
    files: accepted!.files.map((f) => {
      const before = state.baseline?.find((b) => b.path === f.path);
      const original = before ? before.sha256 : f.path === state.original!.path ? state.original!.sha256 : null;
      return { path: f.path, sha256: f.sha256, original_sha256: original };
    }),
    tests: state.testHashes ?? {},
    image: { name: after.image, id: after.imageId ?? null },
    ...(state.environment
      ? {
          environment: {
            image: state.environment.image,
            id: state.environment.id,
            base: state.environment.base,
            python: state.environment.python,
            files: state.environment.files,
            requirements: state.requirements ?? [],
          },
        }
      : {}),
    commands: { reproduce: before.command, compile_and_verify: after.command },
    timeouts: { run_seconds: state.timeoutSeconds, test_seconds: state.testTimeoutSeconds },
    before: { exit_code: before.exitCode, end_reason: before.endReason },
    after: { exit_code: after.exitCode, end_reason: after.endReason },
    evidence: {
      summary: state.proof.summary,
      ...(state.mode === "pytest"
        ? {
            fail_to_pass: state.proof.failToPass ?? {},
            pass_to_pass: state.proof.passToPass ?? {},
            neutral: state.proof.neutral ?? [],
            ...(state.proof.unobserved ? { unobserved: state.proof.unobserved } : {}),
            // How far each outcome can be trusted: "sealed" (tests and fix in two processes sharing
            // only plain data) or "guarded" (in one process), with why it could not be sealed.
            trust: state.proof.trust ?? {},
            require_sealed: state.requireSealed ?? false,
          }
        : {
            failure_site: state.failureSite ?? null,
            watched: state.proof.watched ?? {},
            // Entry mode is observed in the process that runs the fix, under the runtime guard: what
            // the run did, with no oracle of correctness (README: "what each trust level leaves open").
            trust: "guarded",
          }),
    },
  };
}
export type ProofBundle = NonNullable<ReturnType<typeof buildProof>>;
