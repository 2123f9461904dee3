/**
 * Bad input never costs data: links in and out of the repository, source bytes in other encodings,
 * binary entries, big git work trees, artifacts inside the repository, oversized candidates and
 * the stale workspaces of killed runs. Real files, real links, real git, real Docker.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorkspaceManager, sweepStaleWorkspaces } from "../../src/workspace/workspace.js";
import { built, ROOT } from "../support/built.js";
import { requireDocker } from "../support/docker.js";

beforeAll(async () => {
  await requireDocker();
});

const scratch = mkdtempSync(join(tmpdir(), "opsguard-badinput-"));
chmodSync(scratch, 0o755);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;

function opsguard(args: string[], cwd = ROOT) {
  const result = spawnSync(process.execPath, [built("bin/cli.js"), ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, OPSGUARD_VERBOSE: "" },
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A directory of files (bytes or text), readable by the sandbox user. */
function tree(files: Record<string, string | Buffer>): string {
  const dir = join(scratch, `t${++n}`);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  chmodSync(dir, 0o755);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true, mode: 0o755 });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

function git(dir: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...args], { cwd: dir, encoding: "utf8" });
}

const BUGGY = "def main():\n    items = [1, 2]\n    print(items[5])\n\nmain()\n";
const FIXED = "def main():\n    items = [1, 2]\n    print(items[-1])\n\nmain()\n";
/** A candidate refused at the verify gate: it still fails the same way. */
const STILL_BROKEN = "def main():\n    items = [1, 2, 3]\n    print(items[5])\n\nmain()\n";

describe("links: never written through, never followed out of the repository", () => {
  it("refuses at setup an entry that links to a file outside the repository, and leaves that file alone", () => {
    const outside = tree({ "secret.py": BUGGY });
    const repo = tree({});
    symlinkSync(join(outside, "secret.py"), join(repo, "app.py"));
    const candidate = tree({ "fix.py": STILL_BROKEN });
    const { code, stdout } = opsguard(["--repo", repo, "--error", "IndexError", "--candidate", join(candidate, "fix.py"), "--artifacts", join(scratch, `a${++n}`)]);

    expect(code).toBe(1);
    expect(stdout).toContain(`Reason: Entry file app.py leads out of the repository (to ${join(outside, "secret.py")})`);
    expect(readFileSync(join(outside, "secret.py"), "utf8")).toBe(BUGGY);
    expect(lstatSync(join(repo, "app.py")).isSymbolicLink()).toBe(true);
  });

  it("treats an entry that links inside the repository as its target: refused candidates and --apply never replace the link", () => {
    const repo = tree({ "src/real_app.py": BUGGY });
    symlinkSync("src/real_app.py", join(repo, "app.py"));
    const outside = tree({ "data.txt": "precious\n" });
    symlinkSync(join(outside, "data.txt"), join(repo, "data.txt"));
    const candidates = tree({ "1.py": STILL_BROKEN, "2.py": FIXED });
    const artifacts = join(scratch, `a${++n}`);
    const { code, stdout, stderr } = opsguard([
      "--repo", repo, "--error", "IndexError", "--apply", "--artifacts", artifacts,
      "--candidate", join(candidates, "1.py"), "--candidate", join(candidates, "2.py"),
    ]);

    expect(code, stderr).toBe(0);
    expect(stdout).toContain("Status: SUCCESS");
    expect(stderr).toContain("app.py -> src/real_app.py");
    expect(readFileSync(join(repo, "src/real_app.py"), "utf8")).toBe(FIXED);
    expect(readlinkSync(join(repo, "app.py"))).toBe("src/real_app.py");
    expect(readFileSync(join(outside, "data.txt"), "utf8")).toBe("precious\n");
    const report = JSON.parse(readFileSync(join(artifacts, "final_report.json"), "utf8"));
    expect(report.attempts[0].refused_at).toBe("verify");
    expect(report.attempts[1].files[0].path).toBe("src/real_app.py");
  });

  it("copies in-repository links as relative links and drops links that lead out", async () => {
    const outside = tree({ "lib/x.py": "X = 1\n" });
    const repo = tree({ "pkg/mod.py": "Y = 2\n" });
    symlinkSync(join(outside, "lib"), join(repo, "outlib"));
    symlinkSync(join(repo, "pkg", "mod.py"), join(repo, "alias.py"));
    symlinkSync("../../..", join(repo, "pkg", "up"));
    const manager = createWorkspaceManager(scratch);
    const workspace = await manager.create(repo);
    try {
      expect(existsSync(join(workspace, "outlib"))).toBe(false);
      expect(existsSync(join(workspace, "pkg", "up"))).toBe(false);
      expect(readlinkSync(join(workspace, "alias.py"))).toBe("pkg/mod.py");
      expect(readFileSync(join(workspace, "alias.py"), "utf8")).toBe("Y = 2\n");
    } finally {
      await manager.remove(workspace);
    }
  });
});

describe("source files round-trip byte for byte", () => {
  const latin1 = (text: string) => Buffer.from(text, "latin1");

  it("a Latin-1 file: what is proven, what --apply writes and what git apply produces are the same bytes", () => {
    const original = latin1(`# -*- coding: latin-1 -*-\nNAME = "caf\u00e9"\n${BUGGY}`);
    const fix = latin1(`# -*- coding: latin-1 -*-\nNAME = "caf\u00e9"\n${FIXED}`);
    const repo = tree({ "app.py": original });
    git(repo, "init", "-q");
    git(repo, "add", ".");
    git(repo, "commit", "-qm", "start");
    const candidate = tree({ "fix.py": fix });
    const artifacts = join(scratch, `a${++n}`);
    const { code, stdout, stderr } = opsguard(["--repo", repo, "--error", "IndexError", "--candidate", join(candidate, "fix.py"), "--apply", "--artifacts", artifacts]);

    expect(code, stderr).toBe(0);
    expect(stdout).toContain("Fix written to:");
    expect(readFileSync(join(repo, "app.py")).equals(fix)).toBe(true);
    expect(readFileSync(join(artifacts, "internal/original.py")).equals(original)).toBe(true);
    expect(readFileSync(join(artifacts, "internal/latest_patch.py")).equals(fix)).toBe(true);
    git(repo, "checkout", "-q", "app.py");
    git(repo, "apply", join(artifacts, "internal/patch.diff"));
    expect(readFileSync(join(repo, "app.py")).equals(fix)).toBe(true);
  });

  it("a UTF-8 file with a byte-order mark and CRLF line ends keeps both", () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const original = Buffer.concat([bom, Buffer.from(`S = "\u00fcber"\r\n${BUGGY.replace(/\n/g, "\r\n")}`)]);
    const fix = Buffer.concat([bom, Buffer.from(`S = "\u00fcber"\r\n${FIXED.replace(/\n/g, "\r\n")}`)]);
    const repo = tree({ "app.py": original });
    const candidate = tree({ "fix.py": fix });
    const { code, stderr } = opsguard(["--repo", repo, "--error", "IndexError", "--candidate", join(candidate, "fix.py"), "--apply", "--artifacts", join(scratch, `a${++n}`)]);
    expect(code, stderr).toBe(0);
    expect(readFileSync(join(repo, "app.py")).equals(fix)).toBe(true);
  });

  it.each([
    ["random bytes", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]), "is not text (it contains NUL bytes)"],
    ["bytes that are not UTF-8, with no declaration", Buffer.from("print('caf\xe9')\n", "latin1"), "is not valid UTF-8 and declares no other encoding"],
    ["an encoding OpsGuard cannot write back", Buffer.from("# coding: shift_jis\nprint(1)\n"), "declares the encoding shift_jis"],
  ])("stops at setup on an entry file of %s", (_label, bytes, reason) => {
    const repo = tree({ "app.py": bytes });
    const candidate = tree({ "fix.py": "print('unrelated module')\n" });
    const { code, stdout } = opsguard(["--repo", repo, "--error", "crash", "--candidate", join(candidate, "fix.py"), "--artifacts", join(scratch, `a${++n}`)]);
    expect(code).toBe(1);
    expect(stdout).toContain("Status: FAILED");
    expect(stdout).toContain(reason);
    expect(stdout).toContain("it cannot be a fix target (gate 1)");
  });
});

describe("the workspace copies what the repository is", () => {
  it("in a git work tree: tracked and untracked-unignored files only, no venv, no ignored data, in well under a second", async () => {
    const repo = tree({ "app.py": BUGGY, "pkg/__init__.py": "", ".gitignore": "data/\n*.log\n", "notes.md": "untracked but not ignored\n" });
    mkdirSync(join(repo, "data"));
    writeFileSync(join(repo, "data", "big.bin"), "");
    truncateSync(join(repo, "data", "big.bin"), 200 * 1024 * 1024);
    writeFileSync(join(repo, "run.log"), "noise\n");
    // A virtualenv under a name nobody ignores: found by its pyvenv.cfg.
    writeFileSync(join(repo, "pyvenv.cfg.txt"), "not a marker\n");
    mkdirSync(join(repo, "env3", "lib", "site-packages"), { recursive: true });
    writeFileSync(join(repo, "env3", "pyvenv.cfg"), "home = /usr/bin\n");
    for (let i = 0; i < 3000; i += 1) writeFileSync(join(repo, "env3", "lib", "site-packages", `m${i}.py`), "x = 1\n");
    git(repo, "init", "-q");
    git(repo, "add", "app.py", "pkg/__init__.py", ".gitignore");
    git(repo, "commit", "-qm", "start");

    const manager = createWorkspaceManager(scratch);
    const started = performance.now();
    const workspace = await manager.create(repo);
    const elapsed = performance.now() - started;
    try {
      const listed = (dir: string, prefix = ""): string[] =>
        readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) =>
          e.isDirectory() ? listed(dir, join(prefix, e.name)) : [join(prefix, e.name)],
        );
      expect(listed(workspace).sort()).toEqual([".gitignore", "app.py", "notes.md", "pkg/__init__.py", "pyvenv.cfg.txt"]);
      expect(elapsed).toBeLessThan(1000);
      expect(statSync(join(workspace, "app.py")).mode & 0o444).toBe(0o444);
    } finally {
      await manager.remove(workspace);
    }
  });

  it("outside git: skips virtualenvs of any name, caches and build output", async () => {
    const repo = tree({
      "app.py": BUGGY,
      "myenv/pyvenv.cfg": "home = /usr/bin\n",
      "myenv/lib/site.py": "x = 1\n",
      "__pycache__/app.cpython-311.pyc": "x",
      ".pytest_cache/v/cache": "x",
      "build/lib/app.py": "x",
      "dist/app.whl": "x",
      "app.egg-info/PKG-INFO": "x",
      "pkg/build/keep.py": "kept: only top-level build/ is output\n",
    });
    const manager = createWorkspaceManager(scratch);
    const workspace = await manager.create(repo);
    try {
      expect(existsSync(join(workspace, "app.py"))).toBe(true);
      expect(existsSync(join(workspace, "pkg/build/keep.py"))).toBe(true);
      for (const gone of ["myenv", "__pycache__", ".pytest_cache", "build", "dist", "app.egg-info"]) expect(existsSync(join(workspace, gone)), gone).toBe(false);
    } finally {
      await manager.remove(workspace);
    }
  });

  it("never copies an artifacts directory inside the repository, and a second run there is unaffected by the first", () => {
    const repo = tree({ "app.py": BUGGY, "tests/test_app.py": "def test_ok():\n    assert True\n" });
    const candidate = tree({ "fix.py": FIXED });
    const args = ["--repo", repo, "--error", "IndexError", "--candidate", join(candidate, "fix.py"), "--artifacts", join(repo, "out")];
    expect(opsguard(args).code).toBe(0);
    const second = opsguard(args);
    expect(second.code, second.stderr).toBe(0);
    const proof = JSON.parse(readFileSync(join(repo, "out", "proof.json"), "utf8"));
    expect(Object.keys(proof.tests).some((path) => path.startsWith("out"))).toBe(false);
  });

  it("removes the workspace a SIGKILLed run left behind at the next run", async () => {
    const root = mkdtempSync(join(scratch, "wsroot-"));
    const repo = tree({ "app.py": "import time\ntime.sleep(60)\n" });
    // A real run, killed with SIGKILL while its sandbox runs: its workspace stays behind.
    const child = spawn(process.execPath, [built("bin/cli.js"), "--repo", repo, "--error", "hang", "--candidate", join(repo, "app.py"), "--artifacts", join(scratch, `a${++n}`)], {
      env: { ...process.env, TMPDIR: root },
      stdio: "ignore",
    });
    const deadline = Date.now() + 60_000;
    while (!readdirSync(root).some((name) => name.startsWith("opsguard-ws-")) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    child.kill("SIGKILL");
    await new Promise((r) => child.on("close", r));
    const left = readdirSync(root).filter((name) => name.startsWith(`opsguard-ws-${child.pid}-`));
    expect(left).toHaveLength(1);

    const docker = await requireDocker();
    // Its containers (the run's, or the transport probe's, which the killed process may have been
    // removing already: 409, or gone: 404) are not what this test is about.
    for (const c of await docker.listContainers({ all: true, filters: { label: [`dev.opsguard.pid=${child.pid}`] } })) {
      await docker
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch((err: { statusCode?: number }) => {
          if (err.statusCode !== 404 && err.statusCode !== 409) throw err;
        });
    }
    // The next run, with the same temporary directory, removes it.
    const next = tree({ "app.py": BUGGY });
    const fix = tree({ "fix.py": FIXED });
    const again = spawnSync(process.execPath, [built("bin/cli.js"), "--repo", next, "--error", "IndexError", "--candidate", join(fix, "fix.py"), "--artifacts", join(scratch, `a${++n}`)], {
      env: { ...process.env, TMPDIR: root },
      encoding: "utf8",
    });
    expect(again.status, again.stderr).toBe(0);
    expect(readdirSync(root).filter((name) => name.startsWith("opsguard-ws-"))).toEqual([]);
    // Nor run copies or transport-probe markers of the killed run.
    expect(readdirSync(root).filter((name) => name.startsWith("opsguard-run-"))).toEqual([]);
    expect(await sweepStaleWorkspaces(root)).toBe(0);
  });
});

describe("oversized candidates are refused at once, and leave small artifacts", () => {
  it("a 14 MB candidate: refused before parsing in seconds, artifacts and checkpoints stay small", () => {
    const repo = tree({ "app.py": BUGGY });
    const huge = `${FIXED}${"# padding padding padding padding padding padding padding\n".repeat(250_000)}`;
    const candidate = tree({ "huge.py": huge });
    const artifacts = join(scratch, `a${++n}`);
    const started = Date.now();
    const { code, stdout } = opsguard(["--repo", repo, "--error", "IndexError", "--candidate", join(candidate, "huge.py"), "--artifacts", artifacts]);
    const elapsed = Date.now() - started;

    expect(code).toBe(1);
    expect(stdout).toMatch(/Reason: .*refused at the validate gate: the answer is 1[34]\.\d MB, over the limit of 25\d KB for app\.py/);
    expect(elapsed).toBeLessThan(20_000);
    const size = (dir: string): number =>
      readdirSync(dir, { withFileTypes: true }).reduce((sum, e) => sum + (e.isDirectory() ? size(join(dir, e.name)) : statSync(join(dir, e.name)).size), 0);
    expect(size(artifacts)).toBeLessThan(2 * 1024 * 1024);
  });
});

describe("say what happened", () => {
  it("names the decisive refusal in Reason, final_report.json and report.html", () => {
    const repo = tree({ "app.py": BUGGY });
    const candidates = tree({ "1.py": "def main(:\n", "2.py": STILL_BROKEN });
    const artifacts = join(scratch, `a${++n}`);
    const { code, stdout } = opsguard(["--repo", repo, "--error", "IndexError", "--candidate", join(candidates, "1.py"), "--candidate", join(candidates, "2.py"), "--artifacts", artifacts]);
    expect(code).toBe(1);
    const reason = /Reason: (.*)/.exec(stdout)?.[1] ?? "";
    expect(reason).toMatch(/^The candidates ran out after 2 refused attempt\(s\); no model was asked\. The last \(attempt 2\) was refused at the verify gate: /);
    expect(JSON.parse(readFileSync(join(artifacts, "final_report.json"), "utf8")).reason).toBe(reason);
    expect(readFileSync(join(artifacts, "presentation/report.html"), "utf8")).toContain("The last (attempt 2) was refused at the verify gate: ");
  });

  it("says plainly when the reproduced failure is not the one --error names, and carries on", () => {
    const repo = tree({ "app.py": BUGGY });
    const candidate = tree({ "fix.py": FIXED });
    const artifacts = join(scratch, `a${++n}`);
    const { code, stderr } = opsguard(["--repo", repo, "--error", "ValueError in main", "--candidate", join(candidate, "fix.py"), "--artifacts", artifacts]);
    const warning = "--error names ValueError, but the sandbox reproduced IndexError: OpsGuard fixes the failure it reproduced.";
    expect(code, stderr).toBe(0);
    expect(stderr).toContain(`opsguard: warning: ${warning}`);
    expect(JSON.parse(readFileSync(join(artifacts, "final_report.json"), "utf8")).warnings).toEqual([warning]);
    expect(readFileSync(join(artifacts, "presentation/judge_summary.txt"), "utf8")).toContain(`Warning:     ${warning}`);
    expect(readFileSync(join(artifacts, "presentation/report.html"), "utf8")).toContain("the sandbox reproduced IndexError");
  });
});
