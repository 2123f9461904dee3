/**
 * Re-checks a proof bundle: the repository still matches the recorded hashes, and the recorded
 * evidence reproduces in a fresh sandbox. Any difference is reported in words.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import Docker from "dockerode";
import { z } from "zod";
import { remediate } from "../graph/remediate.js";
import { sha256 } from "../system/hash.js";
import { UsageError } from "../errors.js";
import { toInfraError } from "../sandbox/docker.js";
import { diffHashes, hashTestFiles } from "../workspace/testFiles.js";
import { buildProof, ProofBundle } from "../reports/proofBundle.js";
import { checkNoLinks, safeWrite } from "../workspace/safeWrite.js";
import { createWorkspaceManager } from "../workspace/workspace.js";
import { ARTIFACT_FILES, FIX_DIR, ORIGINAL_DIR } from "../nodes/report.js";

export interface ProofCheck {
  name: string;
  ok: boolean;
  detail: string;
}

async function readRecorded(dir: string, name: string): Promise<Buffer> {
  return readFile(join(dir, name)).catch(() => {
    throw new UsageError(`${join(dir, name)} is missing: the bundle is incomplete.`);
  });
}

/** The parts of the evidence that must reproduce exactly (timings and counts may vary). */
function essentialEvidence(mode: "entry" | "pytest", evidence: Record<string, unknown>, recorded: Record<string, unknown>): unknown {
  if (mode === "pytest") {
    // Each test's trust level must reproduce too (bundles made before trust levels have none).
    const trust = "trust" in recorded ? { trust: evidence.trust } : {};
    return { fail_to_pass: evidence.fail_to_pass, pass_to_pass: evidence.pass_to_pass, neutral: evidence.neutral, ...trust };
  }
  const site = evidence.failure_site as { chain?: { file: string; function: string }[] } | null;
  return site?.chain?.map((f) => `${f.file}:${f.function}`) ?? null;
}

type Check = (name: string, ok: boolean, detail: string) => void;
type Proof = ProofBundle;
interface RecordedFile {
  path: string;
  fix: Buffer;
  /** null: the fix adds the file. */
  original: Buffer | null;
}

/** One fixed file (the bundle's original layout): internal/original.py and internal/latest_patch.py. */
async function checkRecordedFile(dir: string, repo: string, proof: Proof, check: Check): Promise<RecordedFile[]> {
  const original = await readRecorded(dir, ARTIFACT_FILES.original);
  const fix = await readRecorded(dir, ARTIFACT_FILES.latestPatch);
  check("recorded original", sha256(original) === proof.original.sha256, sha256(original) === proof.original.sha256 ? "matches its hash" : "internal/original.py differs from the hash in proof.json");
  check("recorded fix", sha256(fix) === proof.fix.sha256, sha256(fix) === proof.fix.sha256 ? "matches its hash" : "internal/latest_patch.py differs from the hash in proof.json");
  const inRepo = await readFile(join(repo, proof.original.path)).catch(() => undefined);
  const repoHash = inRepo ? sha256(inRepo) : "";
  const state = repoHash === proof.original.sha256 ? "the original (fix not applied)" : repoHash === proof.fix.sha256 ? "the fix (applied)" : undefined;
  check(`repository ${proof.original.path}`, state !== undefined, state ?? (inRepo ? "matches neither the recorded original nor the fix" : "is missing"));
  return [{ path: proof.original.path, fix, original }];
}

/** Several fixed files: each under internal/fix/ and internal/original/; the repository holds all originals or all fixes. */
async function checkRecordedSet(dir: string, repo: string, files: NonNullable<Proof["files"]>, check: Check): Promise<RecordedFile[]> {
  const recorded: RecordedFile[] = [];
  const states: string[] = [];
  for (const file of files) {
    const fix = await readRecorded(dir, `${FIX_DIR}/${file.path}`);
    check(`recorded fix ${file.path}`, sha256(fix) === file.sha256, sha256(fix) === file.sha256 ? "matches its hash" : `${FIX_DIR}/${file.path} differs from the hash in proof.json`);
    const original = file.original_sha256 === null ? null : await readRecorded(dir, `${ORIGINAL_DIR}/${file.path}`);
    if (original !== null) {
      const same = sha256(original) === file.original_sha256;
      check(`recorded original ${file.path}`, same, same ? "matches its hash" : `${ORIGINAL_DIR}/${file.path} differs from the hash in proof.json`);
    }
    const inRepo = await readFile(join(repo, file.path)).catch(() => undefined);
    const hash = inRepo === undefined ? null : sha256(inRepo);
    states.push(hash === file.original_sha256 ? "original" : hash === file.sha256 ? "fix" : `${file.path} ${inRepo === undefined ? "is missing" : "matches neither the recorded original nor the fix"}`);
    recorded.push({ path: file.path, fix, original });
  }
  const all = new Set(states);
  const ok = all.size === 1 && (all.has("original") || all.has("fix"));
  const detail = ok
    ? `${files.length} files hold ${all.has("fix") ? "the fix (applied)" : "the original (fix not applied)"}`
    : states.filter((s) => s !== "original" && s !== "fix").join("; ") || "some files hold the fix and some the original";
  check("repository files", ok, detail);
  return recorded;
}

export interface VerifyProofOptions {
  /** The --env values the run had: the bundle keeps only their names. */
  env?: Record<string, string>;
}

export async function verifyProof(
  artifactsDir: string,
  repoDir: string,
  onProgress: (line: string) => void = () => {},
  options: VerifyProofOptions = {},
): Promise<ProofCheck[]> {
  const dir = resolve(artifactsDir);
  const repo = resolve(repoDir);
  const raw = await readFile(join(dir, ARTIFACT_FILES.proof), "utf8").catch(() => {
    throw new UsageError(`${join(dir, ARTIFACT_FILES.proof)} does not exist: only a SUCCESS writes a proof bundle.`);
  });
  const parsed = ProofBundle.safeParse(JSON.parse(raw));
  if (!parsed.success) throw new UsageError(`${join(dir, ARTIFACT_FILES.proof)} is not a proof bundle OpsGuard can read.`);
  const proof = parsed.data;
  const env = options.env ?? {};
  const missing = proof.env_keys.filter((key) => !(key in env));
  if (missing.length) {
    throw new UsageError(`The proof was made with --env ${missing.join(", ")}: pass the same value${missing.length > 1 ? "s" : ""} again (--env KEY=VALUE).`);
  }
  const checks: ProofCheck[] = [];
  const check = (name: string, ok: boolean, detail: string) => {
    checks.push({ name, ok, detail });
    onProgress(`${ok ? "ok  " : "FAIL"} ${name}: ${detail}`);
  };
  const multi = proof.files !== undefined && !(proof.files.length === 1 && proof.files[0]!.path === proof.original.path);
  const recorded = multi ? await checkRecordedSet(dir, repo, proof.files!, check) : await checkRecordedFile(dir, repo, proof, check);
  const testProblems = diffHashes(proof.tests, await hashTestFiles(repo, Object.keys(proof.tests)));
  check("test files", testProblems.length === 0, testProblems.length ? testProblems.join(", ") : `${Object.keys(proof.tests).length} file(s) match their hashes`);
  const image = await new Docker()
    .getImage(proof.image.name)
    .inspect()
    .catch((err: { statusCode?: number }) => {
      if (err.statusCode === 404) return undefined;
      throw toInfraError(err, proof.image.name);
    });
  check(`image ${proof.image.name}`, image?.Id === proof.image.id, image ? (image.Id === proof.image.id ? "same image id" : `id is now ${image.Id}, was ${proof.image.id}`) : "is not present");
  if (checks.some((c) => !c.ok)) return checks;

  // Re-run the whole remediation on a copy of the repository with the original restored and the
  // recorded fix as the only candidate: it must succeed with the same evidence.
  const scratch = await mkdtemp(join(tmpdir(), "opsguard-verify-proof-"));
  try {
    // The same copy a run makes (what the repository is, links never leading out), originals restored;
    // the recorded fix is the only candidate (an overlay directory for several files).
    const copy = await createWorkspaceManager(scratch).create(repo, { exclude: [dir] });
    for (const file of recorded) {
      if (file.original === null) {
        await checkNoLinks(copy, file.path);
        await rm(join(copy, file.path), { force: true });
      } else await safeWrite(copy, file.path, file.original);
      if (multi) {
        await mkdir(dirname(join(scratch, "fix", file.path)), { recursive: true });
        await writeFile(join(scratch, "fix", file.path), file.fix);
      } else await writeFile(join(scratch, "fix.py"), file.fix);
    }
    onProgress("re-running the reproduction and the verification in fresh sandboxes ...");
    const rerun = await remediate({
      repo: copy,
      error: "verify-proof",
      entry: proof.entry,
      ...(proof.module !== undefined ? { module: proof.module } : {}),
      args: proof.args,
      env,
      target: proof.original.path,
      mode: proof.mode,
      candidates: [join(scratch, multi ? "fix" : "fix.py")],
      artifacts: join(scratch, "artifacts"),
      // The environment is prepared again from its base: the same files give the same image.
      image: proof.environment?.base.name ?? proof.image.name,
      ...(proof.environment ? { requirements: proof.environment.requirements } : {}),
      timeoutSeconds: proof.timeouts.run_seconds,
      testTimeoutSeconds: proof.timeouts.test_seconds,
      maxFixAttempts: 1,
      // The same protections: sealed evidence was required when the bundle was made, so it is again.
      ...(proof.evidence.require_sealed === true ? { requireSealed: true } : {}),
    });
    const attempt = rerun.attempts?.[0];
    if (proof.environment) {
      const same = rerun.environment?.id === proof.environment.id;
      check(`environment ${proof.environment.image}`, same, same ? "prepared again from the same base and files" : `prepared as ${rerun.environment?.image ?? "no environment"} (${rerun.environment?.id ?? "-"}), was ${proof.environment.id}`);
    }
    check("verification re-run", rerun.status === "SUCCESS", rerun.status === "SUCCESS" ? rerun.reason ?? "proven" : `${rerun.status}: ${attempt?.reason ?? rerun.reason ?? "no reason"}`);
    const again = rerun.status === "SUCCESS" ? buildProof(rerun) : undefined;
    if (again) {
      const same = JSON.stringify(essentialEvidence(proof.mode, again.evidence, proof.evidence)) === JSON.stringify(essentialEvidence(proof.mode, proof.evidence, proof.evidence));
      check("recorded outcomes", same, same ? "reproduce exactly" : "the evidence differs from the recorded one");
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return checks;
}
