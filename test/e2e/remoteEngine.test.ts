/**
 * An engine that does not share this machine's filesystem (a second dockerd with a private /tmp,
 * where every repository copy and workspace lives): OpsGuard probes it, ships each workspace through
 * the engine's API, reads back what a run left, and proves fixes there as on the local engine, with
 * the same hardening. What the engine runs is what OpsGuard shipped, not what a path happens to show.
 */
import Docker from "dockerode";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDockerSandbox } from "../../src/sandbox/docker.js";
import { transportFor } from "../../src/sandbox/transport.js";
import { built, ROOT } from "../support/built.js";
import { requireDocker, SANDBOX_IMAGE } from "../support/docker.js";
import { startSecondEngine, type SecondEngine } from "../support/secondEngine.js";
import { hashTree } from "../support/hashTree.js";
import { tempRepo } from "../support/workspace.js";
import { servePackageIndex } from "../support/packageIndex.js";
import type { BatchReport } from "../../src/batch/report.js";

let engine: SecondEngine;

beforeAll(async () => {
  await requireDocker();
  engine = await startSecondEngine({ privateTmp: true });
}, 240_000);

afterAll(async () => {
  await engine?.stop();
}, 120_000);

function cli(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [built("bin/cli.js"), ...args], {
    encoding: "utf8",
    timeout: 240_000,
    env: { ...process.env, DOCKER_HOST: engine.host, ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const DEMO = join(ROOT, "demo_repo");
// The repository itself sits in /tmp too, so nothing of it is visible to the engine by path.
const demoCopy = () => tempRepo(Object.fromEntries(["app.py", "pytest.ini", "tests/conftest.py", "tests/test_app.py"].map((f) => [f, readFileSync(join(DEMO, f), "utf8")])));

describe("an engine that cannot see this machine's /tmp", () => {
  it("shows an empty directory for a bind mount of a /tmp path: binds would run nothing there", async () => {
    const dir = tempRepo({ "app.py": "print('hello')\n" });
    const container = await engine.docker.createContainer({ Image: SANDBOX_IMAGE, Cmd: ["ls", "-A", "/w"], HostConfig: { Binds: [`${dir}:/w:ro`], NetworkMode: "none" } });
    const chunks: Buffer[] = [];
    const stream = await container.attach({ stream: true, stdout: true, stderr: true });
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    await container.start();
    await container.wait();
    await container.remove({ force: true });
    expect(Buffer.concat(chunks).toString("utf8")).not.toContain("app.py");
  });

  it("is probed as needing archives, while the local engine takes bind mounts", async () => {
    const near = mkdtempSync(join(tmpdir(), "opsguard-probe-test-"));
    try {
      expect(await transportFor(engine.docker, engine.host, SANDBOX_IMAGE, near)).toBe("archive");
      expect(await transportFor(new Docker(), "unix:///var/run/docker.sock", SANDBOX_IMAGE, near)).toBe("bind");
    } finally {
      rmSync(near, { recursive: true, force: true });
    }
    // The probe leaves no container behind on either engine.
    expect(await engine.docker.listContainers({ all: true })).toEqual([]);
  });

  it("runs the shipped workspace with the same hardening: read-only root, no network, nobody, writes stay in the run", async () => {
    const workspace = tempRepo({
      "app.py": [
        "import os, socket",
        "os.makedirs('out', exist_ok=True)",
        "open('out/orders.csv', 'w').write('sku,qty\\n')",
        "open('top.db', 'w').write('x')",
        "open('data/input.txt', 'a').write('changed by the run\\n')",
        "print('uid', os.getuid(), 'files', sorted(os.listdir('.')))",
        "try:\n    open('/etc/opsguard', 'w')\nexcept OSError as e:\n    print('root fs', e.errno)",
        "try:\n    socket.create_connection(('1.1.1.1', 53), timeout=1)\nexcept OSError:\n    print('no network')",
      ].join("\n"),
      "data/input.txt": "kept\n",
    });
    const before = hashTree(workspace);
    const sandbox = createDockerSandbox({ docker: engine.docker });
    let seen: string[] = [];
    const result = await sandbox.executePython(workspace, "app.py", {
      afterRun: async (copy) => {
        seen = [readFileSync(join(copy, "out/orders.csv"), "utf8"), readFileSync(join(copy, "data/input.txt"), "utf8")];
      },
    });
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain("uid 65534 files ['app.py', 'data', 'out', 'top.db']");
    expect(result.stdout).toContain("root fs 30");
    expect(result.stdout).toContain("no network");
    // What afterRun reads is what the run left in its copy on the engine, not the original.
    expect(seen).toEqual(["sku,qty\n", "kept\nchanged by the run\n"]);
    expect(hashTree(workspace)).toEqual(before);
    expect(await engine.docker.listContainers({ all: true })).toEqual([]);
    expect((await engine.docker.listVolumes()).Volumes ?? []).toEqual([]);
  });

  it("proves the demo's fix in entry mode through the engine's API, and verify-proof re-proves it there", () => {
    const repo = demoCopy();
    const before = hashTree(repo);
    const artifacts = join(tempRepo({}), "artifacts");
    const run = cli(["--repo", repo, "--error", "ValueError", "--candidate", join(DEMO, "fixes/app.py"), "--artifacts", artifacts, "--json"]);
    expect(run.stderr).not.toContain("Traceback");
    expect(JSON.parse(run.stdout).status).toBe("SUCCESS");
    expect(run.code).toBe(0);
    expect(hashTree(repo)).toEqual(before);
    const verified = cli(["verify-proof", artifacts, "--repo", repo]);
    expect(verified.stderr).toContain("ok   verification re-run");
    expect(verified.stderr).toContain("ok   recorded outcomes: reproduce exactly");
    expect(verified.stdout).toContain("Proof holds");
    expect(verified.code).toBe(0);
  });

  it("proves a pytest-mode fix sealed on that engine", () => {
    const repo = demoCopy();
    const artifacts = join(tempRepo({}), "artifacts");
    const run = cli(["--repo", repo, "--error", "ValueError", "--mode", "pytest", "--candidate", join(DEMO, "fixes/app.py"), "--artifacts", artifacts, "--json"]);
    expect(JSON.parse(run.stdout).status).toBe("SUCCESS");
    expect(run.code).toBe(0);
    const proof = JSON.parse(readFileSync(join(artifacts, "proof.json"), "utf8"));
    const levels = Object.values(proof.evidence.trust as Record<string, { level: string }>).map((t) => t.level);
    expect(levels).toContain("sealed");
  });

  it("refuses a fix that rewrites a test file at run time on that engine", () => {
    const repo = demoCopy();
    const fix = readFileSync(join(DEMO, "fixes/app.py"), "utf8");
    const dir = tempRepo({});
    const candidate = join(dir, "app.py");
    // Spelled so that the static screen does not see the test path: the run must catch it.
    writeFileSync(candidate, `import pathlib as _p\n_t = _p.Path(__file__).parent / ("te" + "sts") / ("test_" + "app.py")\nif _t.exists():\n    _t.write_text(_t.read_text() + "\\n# touched\\n")\n${fix}`);
    const artifacts = join(dir, "artifacts");
    const run = cli(["--repo", repo, "--error", "ValueError", "--mode", "pytest", "--candidate", candidate, "--artifacts", artifacts, "--max-fix-attempts", "1", "--json"]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.status).toBe("FAILED");
    expect(report.attempts[0].refused_at).toBe("verify");
    expect(report.attempts[0].reason).toContain("tests/test_app.py");
  });

  it("batch: builds a job's environment on the engine that runs it, from a loopback index, and proves the fix there", async () => {
    const index = await servePackageIndex({ greetlib: "def greet(name):\n    return 'hello ' + name\n" });
    try {
      const program = (call: string) => `import greetlib\n\n\ndef main():\n    print(${call})\n\n\nmain()\n`;
      const repo = tempRepo({ "app.py": program("greetlib.greet('x') + 1"), "requirements.txt": `greetlib==1.0  # remote ${Date.now()}\n` });
      const dir = tempRepo({ "fix.py": program("greetlib.greet('x') + '1'") });
      const jobs = join(dir, "jobs.jsonl");
      writeFileSync(jobs, `${JSON.stringify({ repo, error: "TypeError", candidate: [join(dir, "fix.py")] })}\n`);
      const root = join(dir, "batch");
      const child = spawn(process.execPath, [built("bin/cli.js"), "batch", jobs, "--docker-host", engine.host, "--artifacts", root], {
        env: { ...process.env, PIP_INDEX_URL: index.url },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
      const report = JSON.parse(readFileSync(join(root, "batch_report.json"), "utf8")) as BatchReport;
      expect(report.jobs.map((j) => [j.status, j.engine])).toEqual([["SUCCESS", engine.host]]);
      expect(code, stderr).toBe(0);
      expect(index.requests).toContain("/simple/greetlib/");
      // The environment image is on the engine that ran the job, not on the local one.
      const tags = async (docker: Docker) => (await docker.listImages()).flatMap((image) => image.RepoTags ?? []).filter((tag) => tag.startsWith("opsguard-env:"));
      const onEngine = await tags(engine.docker);
      expect(onEngine).toHaveLength(1);
      expect(await tags(new Docker())).not.toContain(onEngine[0]);
    } finally {
      await index.close();
    }
  });
});
