/** --apply, patch.diff with git apply, and verify-proof on untouched and tampered bundles. */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeBack } from "../../src/workspace/writeBack.js";
import { sha256 } from "../../src/system/hash.js";
import { built, ROOT } from "../support/built.js";
import { requireDocker } from "../support/docker.js";

beforeAll(async () => {
  await requireDocker();
});

const scratch = mkdtempSync(join(tmpdir(), "opsguard-bundle-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const FIX = join(ROOT, "demo_repo/fixes/app.py");

function copyDemo(name: string): string {
  const dir = join(scratch, name);
  cpSync(join(ROOT, "demo_repo"), dir, { recursive: true });
  return dir;
}

function opsguard(args: string[]) {
  const r = spawnSync(process.execPath, [built("bin/cli.js"), ...args], { encoding: "utf8", env: { ...process.env, OPSGUARD_VERBOSE: "" }, timeout: 180_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("--apply and the proof bundle", () => {
  const repo = copyDemo("applied");
  const artifacts = join(scratch, "applied-artifacts");

  it("writes the proven fix into the repository with --apply", () => {
    const { code, stdout } = opsguard(["--repo", repo, "--error", "ValueError", "--mode", "pytest", "--candidate", FIX, "--apply", "--artifacts", artifacts]);
    expect(code).toBe(0);
    expect(stdout).toContain("Fix written to:");
    expect(readFileSync(join(repo, "app.py"), "utf8")).toBe(readFileSync(FIX, "utf8"));
  });

  it("ships a patch.diff that git apply accepts on a pristine copy", () => {
    const pristine = copyDemo("pristine");
    const applied = spawnSync("git", ["apply", "--verbose", join(artifacts, "internal/patch.diff")], { cwd: pristine, encoding: "utf8" });
    expect(applied.status, applied.stderr).toBe(0);
    expect(readFileSync(join(pristine, "app.py"), "utf8")).toBe(readFileSync(FIX, "utf8"));
  });

  it("verify-proof passes on the untouched bundle (fix applied)", () => {
    const { code, stdout, stderr } = opsguard(["verify-proof", artifacts, "--repo", repo]);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain("Proof holds");
    expect(stderr).toContain("ok   recorded outcomes: reproduce exactly");
  });

  it("verify-proof passes on an unapplied entry-mode bundle", () => {
    const entryArtifacts = join(scratch, "entry-artifacts");
    expect(opsguard(["--repo", "demo_repo", "--error", "ValueError", "--candidate", FIX, "--artifacts", entryArtifacts]).code).toBe(0);
    const { code, stderr } = opsguard(["verify-proof", entryArtifacts, "--repo", join(ROOT, "demo_repo")]);
    expect(code, stderr).toBe(0);
    expect(stderr).toContain("the original (fix not applied)");
  });

  it("verify-proof fails and says what differs when a test changed", () => {
    const tampered = copyDemo("tampered-tests");
    cpSync(FIX, join(tampered, "app.py"));
    appendFileSync(join(tampered, "tests/test_app.py"), "\n# loosened\n");
    const { code, stdout } = opsguard(["verify-proof", artifacts, "--repo", tampered]);
    expect(code).toBe(1);
    expect(stdout).toContain("- test files: tests/test_app.py changed");
  });

  it("verify-proof fails when the recorded fix was edited", () => {
    const copy = join(scratch, "tampered-bundle");
    cpSync(artifacts, copy, { recursive: true });
    appendFileSync(join(copy, "internal/latest_patch.py"), "\n# edited\n");
    const { code, stdout } = opsguard(["verify-proof", copy, "--repo", repo]);
    expect(code).toBe(1);
    expect(stdout).toContain("- recorded fix: internal/latest_patch.py differs from the hash in proof.json");
  });

  it("verify-proof fails when the repository file is neither the original nor the fix", () => {
    const changed = copyDemo("changed-original");
    appendFileSync(join(changed, "app.py"), "\n# someone else's change\n");
    const { code, stdout } = opsguard(["verify-proof", artifacts, "--repo", changed]);
    expect(code).toBe(1);
    expect(stdout).toContain("matches neither the recorded original nor the fix");
  });

  it("verify-proof on a directory without a proof is a usage error", () => {
    const { code, stderr } = opsguard(["verify-proof", scratch, "--repo", repo]);
    expect(code).toBe(64);
    expect(stderr).toContain("only a SUCCESS writes a proof bundle");
  });
});

describe("writeBack", () => {
  it("refuses to write when the file changed since the run started, leaving it as it is", async () => {
    const dir = mkdtempSync(join(scratch, "wb-"));
    writeFileSync(join(dir, "app.py"), "print('changed by someone')\n");
    const result = await writeBack(dir, "app.py", sha256("print('original')\n"), Buffer.from("print('fix')\n"));
    expect(result).toEqual({ ok: false, reason: "app.py changed in the repository since the run started; the fix was not written" });
    expect(readFileSync(join(dir, "app.py"), "utf8")).toBe("print('changed by someone')\n");
  });
});
