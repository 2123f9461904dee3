/**
 * The proof bundle (proof.json): everything needed to re-check a SUCCESS later: hashes of the
 * original, the fix, every test file and the image; the commands; the evidence before and after.
 */
import { z } from "zod";
import { Mode, type OpsGuardState } from "../state/state.js";
import { OPSGUARD_VERSION } from "../system/version.js";

export const PROOF_FORMAT = 1;

const Hashed = z.object({ path: z.string(), sha256: z.string() });
const RunEnd = z.object({ exit_code: z.number(), end_reason: z.string() });

/**
 * proof.json, declared once: buildProof writes it and verifyProof reads it. Fields that bundles
 * written by older versions lack are optional (or default), so those bundles still verify.
 */
export const ProofBundle = z.object({
  format: z.literal(PROOF_FORMAT),
  opsguard_version: z.string().optional(),
  created_at: z.string(),
  mode: Mode,
  entry: z.string(),
  module: z.string().optional(),
  args: z.array(z.string()).default([]),
  env_keys: z.array(z.string()).default([]),
  original: Hashed,
  fix: Hashed,
  files: z.array(Hashed.extend({ original_sha256: z.string().nullable() })).optional(),
  tests: z.record(z.string(), z.string()),
  image: z.object({ name: z.string(), id: z.string().nullable() }),
  environment: z
    .object({ image: z.string(), id: z.string(), base: z.object({ name: z.string(), id: z.string() }), python: z.string().optional(), files: z.array(z.string()).optional(), requirements: z.array(z.string()) })
    .optional(),
  commands: z.object({ reproduce: z.array(z.string()), compile_and_verify: z.array(z.string()).optional() }),
  timeouts: z.object({ run_seconds: z.number(), test_seconds: z.number() }),
  before: RunEnd,
  after: RunEnd,
  /** Pytest mode: fail_to_pass, pass_to_pass, neutral, trust ...; entry mode: failure_site, watched, trust. */
  evidence: z.record(z.string(), z.unknown()),
});
export type ProofBundle = z.output<typeof ProofBundle>;

export function buildProof(state: OpsGuardState): z.input<typeof ProofBundle> | undefined {
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
