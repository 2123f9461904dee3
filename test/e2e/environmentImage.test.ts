/**
 * Dependencies from a loopback index, on real Docker: the first run builds the environment image
 * in its own phase (host network, the test's PEP 503 index on 127.0.0.1), the second reuses it, and
 * every sandbox run stays offline and hardened in it.
 */
import Docker from "dockerode";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildGraph } from "../../src/graph/buildGraph.js";
import { recursionLimit } from "../../src/graph/remediate.js";
import type { OpsGuardInput, OpsGuardState } from "../../src/state/state.js";
import { createEnvironmentBuilder } from "../../src/environment/environmentBuilder.js";
import { requireDocker, SANDBOX_IMAGE } from "../support/docker.js";
import { built, ROOT } from "../support/built.js";
import { servePackageIndex, type PackageIndex } from "../support/packageIndex.js";
import { scriptedDeps } from "../support/scripted.js";
import { tempRepo } from "../support/workspace.js";

let docker: Docker;
let index: PackageIndex;
const made: string[] = [];

beforeAll(async () => {
  docker = await requireDocker();
  const probe = await docker.run(SANDBOX_IMAGE, ["python3", "-c", "import pip"], process.stderr, { HostConfig: { AutoRemove: true, NetworkMode: "none" } });
  if (probe[0].StatusCode !== 0) throw new Error(`${SANDBOX_IMAGE} has no pip: rebuild it with \`npm run sandbox:image\` (or point OPSGUARD_IMAGE at one that has).`);
  index = await servePackageIndex({ greetlib: "def greet(name):\n    return 'hello ' + name\n" });
}, 60_000);

const artifactRoot = mkdtempSync(join(tmpdir(), "opsguard-envimg-"));
afterAll(async () => {
  await index?.close();
  rmSync(artifactRoot, { recursive: true, force: true });
  for (const tag of made) await docker.getImage(tag).remove({ force: true }).catch(() => undefined);
});
let runs = 0;

async function remediate(repo: string, answers: string[], input: Partial<OpsGuardInput> = {}, env: Record<string, string> = { PIP_INDEX_URL: index.url }) {
  const progress: string[] = [];
  const { deps, proposer, sandbox } = scriptedDeps(answers);
  const environments = createEnvironmentBuilder({ env, progress: (line) => progress.push(line) });
  const artifacts = join(artifactRoot, `run-${++runs}`);
  const full = { repo, error: "it fails", artifacts, image: SANDBOX_IMAGE, ...input };
  const state = (await buildGraph({ ...deps, environments }).invoke(full, { recursionLimit: recursionLimit({}) })) as OpsGuardState;
  if (state.environment?.built) made.push(state.environment.image);
  return { state, proposer, sandbox, progress, artifacts };
}

const APP = "import greetlib\n\ndef shout(name):\n    return greetlib.greet(name).upper() + int('!')\n\nprint(shout('ops'))\n";
const FIXED = "import greetlib\n\ndef shout(name):\n    return greetlib.greet(name).upper() + '!'\n\nprint(shout('ops'))\n";

describe("an environment image from a loopback index", () => {
  // A random comment keeps this test's image its own: the tag hashes the dependency files.
  const requirements = `greetlib==1.0  # ${Date.now()}\n`;
  const repo = () => tempRepo({ "app.py": APP, "requirements.txt": requirements });

  it("first run builds it with progress, then reproduces and proves the fix offline in it; proof.json records it", async () => {
    const before = index.requests.length;
    const { state, proposer, progress, artifacts, sandbox } = await remediate(repo(), [FIXED]);
    expect(state.environment?.built).toBe(true);
    expect(state.environment?.image).toMatch(/^opsguard-env:[0-9a-f]{20}$/);
    expect(state.environment?.files).toEqual(["requirements.txt"]);
    expect(state.environment?.python).toBe("3.11.2");
    expect(progress.some((line) => line.startsWith(`building ${state.environment?.image} from ${SANDBOX_IMAGE} from ${index.url}`))).toBe(true);
    expect(progress.some((line) => /Successfully installed greetlib-1.0/.test(line))).toBe(true);
    expect(index.requests.length).toBeGreaterThan(before);
    expect(state.reproduction?.image).toBe(state.environment?.image);
    expect(state.reproduction?.stderr).toContain("ValueError: invalid literal for int()");
    expect(state.status).toBe("SUCCESS");
    expect(state.verification?.stdout).toBe("HELLO OPS!\n");
    expect(proposer.requests).toHaveLength(1);
    expect(sandbox.runs).toHaveLength(2);
    const proof = JSON.parse(readFileSync(join(artifacts, "proof.json"), "utf8"));
    expect(proof.environment).toMatchObject({ image: state.environment?.image, id: state.environment?.id, base: { name: SANDBOX_IMAGE }, files: ["requirements.txt"] });
    expect(proof.image).toEqual({ name: state.environment?.image, id: state.environment?.id });
    const info = await docker.getImage(state.environment!.image).inspect();
    expect(JSON.stringify(info.Config.Env)).not.toContain(index.url);
  });

  it("second run reuses it: no build, no request to the index", async () => {
    const before = index.requests.length;
    const { state, progress } = await remediate(repo(), [FIXED]);
    expect(state.environment?.built).toBe(false);
    expect(progress).toEqual([]);
    expect(index.requests.length).toBe(before);
    expect(state.status).toBe("SUCCESS");
  });

  it("the runs in it have no network even though the build had one", async () => {
    const probe = "import greetlib, socket\ns = socket.socket()\ns.settimeout(2)\ntry:\n    s.connect(('127.0.0.1', %PORT%))\n    print('reached the index')\nexcept OSError:\n    print('offline')\nraise ValueError('bug')\n";
    const port = new URL(index.url).port;
    const { state } = await remediate(tempRepo({ "app.py": probe.replace("%PORT%", port), "requirements.txt": requirements }), []);
    expect(state.environment?.built).toBe(false);
    expect(state.reproduction?.stdout).toBe("offline\n");
  });

  it("a failed install stops as INFRA_STOP with the installer's last lines, before any model", async () => {
    const { state, proposer } = await remediate(tempRepo({ "app.py": APP, "requirements.txt": "nosuchlib==1.0\n" }), [FIXED]);
    expect(state.status).toBe("INFRA_STOP");
    expect(state.infraCode).toBe("ENV_INSTALL_FAILED");
    expect(state.reason).toContain("Installing the repository's dependencies into opsguard-env:");
    expect(state.reason).toContain("The installer's last lines:");
    expect(state.reason).toMatch(/No matching distribution found for nosuchlib==1.0/);
    expect(state.reason).toContain("point PIP_INDEX_URL");
    expect(proposer.requests).toHaveLength(0);
  });

  it("--requirements replaces the files found", async () => {
    const dir = tempRepo({ "deps/ci.txt": requirements });
    const { state } = await remediate(tempRepo({ "app.py": APP, "requirements.txt": "nosuchlib==1.0\n" }), [FIXED], { requirements: [join(dir, "deps/ci.txt")] });
    expect(state.environment?.files).toEqual([`--requirements 1 (${join(dir, "deps/ci.txt")})`]);
    expect(state.status).toBe("SUCCESS");
  });

  it("--no-install skips the phase: the missing module stops the run, naming the declaration and the flag", async () => {
    const { state, proposer } = await remediate(repo(), [FIXED], { install: false });
    expect(state.environment).toBeUndefined();
    expect(state.status).toBe("INFRA_STOP");
    expect(state.infraCode).toBe("MISSING_MODULE");
    expect(state.reason).toContain("greetlib==1.0");
    expect(state.reason).toContain("is declared in requirements.txt:1 but --no-install skipped the installation");
    expect(proposer.requests).toHaveLength(0);
  });

  it("a base image without pip stops as INFRA_STOP saying how to rebuild it", async () => {
    const container = await docker.createContainer({
      Image: SANDBOX_IMAGE,
      User: "0:0",
      Cmd: ["python3", "-c", "import os, shutil, pip; shutil.rmtree(os.path.dirname(pip.__file__))"],
      HostConfig: { NetworkMode: "none" },
    });
    await container.start();
    await container.wait();
    const tag = `opsguard-test-nopip:${process.pid}`;
    await container.commit({ repo: tag.split(":")[0], tag: tag.split(":")[1] });
    await container.remove({ force: true });
    made.push(tag);
    const { state, proposer } = await remediate(repo(), [FIXED], { image: tag });
    expect(state.status).toBe("INFRA_STOP");
    expect(state.infraCode).toBe("ENV_NO_PIP");
    expect(state.reason).toBe(`The sandbox image ${tag} has no pip, so the repository's dependencies cannot be installed. Rebuild it with \`npm run sandbox:image\` (older images lack pip and are rebuilt), or pass --no-install.`);
    expect(proposer.requests).toHaveLength(0);
  });

  it("the repository's own package installs without any network, editable, so the fix is what runs", async () => {
    const pyproject = `[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "svc${Date.now()}"\nversion = "0.1.0"\n\n[tool.setuptools.packages.find]\nwhere = ["src"]\n`;
    const files = {
      "pyproject.toml": pyproject,
      "src/svc/__init__.py": "def half(n):\n    return n // 0\n",
      "tests/test_svc.py": "import svc\n\ndef test_half():\n    assert svc.half(4) == 2\n",
    };
    const { state, progress } = await remediate(tempRepo(files), ["def half(n):\n    return n // 2\n"], { mode: "pytest", entry: "src/svc/__init__.py" }, {});
    expect(progress.some((line) => line.includes("(offline: nothing third-party declared)"))).toBe(true);
    expect(state.environment?.files).toEqual(["pyproject.toml"]);
    expect(state.classification?.reason).toContain("ZeroDivisionError");
    expect(state.status).toBe("SUCCESS");
  });
});

const RATE_FILE = "/usr/local/share/opsguard-setup/rate.txt";
const RATE_APP = `rate = open('${RATE_FILE}').read().strip()\nprint('rate', int(rate))\n`;
const RATE_FIXED = RATE_APP.replace("int(rate)", "float(rate)");

describe("the repository's .opsguard/setup.sh", () => {
  // Nothing else is declared: setup.sh alone makes the environment image.
  const setup = `#!/bin/sh\nset -e\n# ${Date.now()}\nmkdir -p ${RATE_FILE.replace("/rate.txt", "")}\nprintf '1.5\\n' > ${RATE_FILE}\necho "setup ran as uid $(id -u) in $(pwd)"\n`;
  const repo = () => tempRepo({ "app.py": RATE_APP, ".opsguard/setup.sh": setup });

  it("runs in the build phase, as root after the installs, and writes into the image what the program needs", async () => {
    const { state, progress, sandbox } = await remediate(repo(), [RATE_FIXED], {}, {});
    expect(state.environment?.built).toBe(true);
    expect(state.environment?.files).toEqual([".opsguard/setup.sh"]);
    expect(progress[0]).toBe(`building ${state.environment?.image} from ${SANDBOX_IMAGE} (with the network, for .opsguard/setup.sh)`);
    expect(progress).toContain("running .opsguard/setup.sh (repository code, as root, with the network)");
    expect(progress).toContain("setup ran as uid 0 in /workspace");
    expect(state.reproduction?.image).toBe(state.environment?.image);
    expect(state.reproduction?.stderr).toContain("ValueError: invalid literal for int() with base 10: '1.5'");
    expect(state.status).toBe("SUCCESS");
    expect(state.verification?.stdout).toBe("rate 1.5\n");
    expect(sandbox.runs).toHaveLength(2);
  });

  it("a second run reuses the same tag without running it again; a changed script builds a new one", async () => {
    const first = await remediate(repo(), [RATE_FIXED], {}, {});
    const again = await remediate(repo(), [RATE_FIXED], {}, {});
    expect(again.state.environment?.built).toBe(false);
    expect(again.state.environment?.image).toBe(first.state.environment?.image);
    expect(again.progress).toEqual([]);
    expect(again.state.status).toBe("SUCCESS");
    const changed = await remediate(tempRepo({ "app.py": RATE_APP, ".opsguard/setup.sh": `${setup}# one more byte\n` }), [RATE_FIXED], {}, {});
    expect(changed.state.environment?.built).toBe(true);
    expect(changed.state.environment?.image).not.toBe(first.state.environment?.image);
  });

  it("a script that fails without a word still says so, with its exit status, before any model", async () => {
    const { state, proposer } = await remediate(tempRepo({ "app.py": RATE_APP, ".opsguard/setup.sh": `# ${Date.now()}\nexit 4\n` }), [RATE_FIXED], {}, {});
    expect(state.status).toBe("INFRA_STOP");
    expect(state.infraCode).toBe("ENV_SETUP_FAILED");
    expect(state.reason).toContain("failed while building opsguard-env:");
    expect(state.reason).toContain("(exit 4). Its last lines:\n  (it printed nothing)\n");
    expect(proposer.requests).toHaveLength(0);
  });

  it("--no-install skips it: the program then lacks its file", async () => {
    const { state, progress } = await remediate(repo(), [], { install: false }, {});
    expect(state.environment).toBeUndefined();
    expect(progress).toEqual([]);
    expect(state.reproduction?.stderr).toContain(`FileNotFoundError: [Errno 2] No such file or directory: '${RATE_FILE}'`);
  });
});

/** The CLI as a child process; asynchronous, so the index in this process keeps answering. */
function opsguard(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [built("bin/cli.js"), ...args], {
      cwd: ROOT,
      env: { ...process.env, OPSGUARD_VERBOSE: "", OPSGUARD_IMAGE: SANDBOX_IMAGE, PIP_INDEX_URL: index.url, ...env },
      timeout: 240_000,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("the command line", () => {
  const requirements = `greetlib==1.0  # cli ${Date.now()}\n`;

  it("opsguard env builds the image ahead and prints it; a run then reuses it; verify-proof re-checks it", async () => {
    const repo = tempRepo({ "app.py": APP, "requirements.txt": requirements });
    const built = await opsguard(["env", "--repo", repo]);
    expect(built.stderr).toContain("[opsguard] environment | building opsguard-env:");
    expect(built.code).toBe(0);
    const image = built.stdout.trim();
    expect(image).toMatch(/^opsguard-env:[0-9a-f]{20}$/);
    made.push(image);
    const again = await opsguard(["env", "--repo", repo]);
    expect(again.stdout.trim()).toBe(image);
    expect(again.stderr).toContain(`environment: reused ${image}`);

    const fix = join(tempRepo({ "fix.py": FIXED }), "fix.py");
    const artifacts = join(artifactRoot, "cli-run");
    const run = await opsguard(["--repo", repo, "--error", "ValueError", "--candidate", fix, "--artifacts", artifacts]);
    expect(run.stdout).toContain("Status: SUCCESS");
    expect(run.stderr).toContain(`environment: reused ${image} (Python 3.11.2) from requirements.txt`);
    expect(run.code).toBe(0);
    const proof = await opsguard(["verify-proof", artifacts, "--repo", repo]);
    expect(proof.stderr).toContain(`ok   environment ${image}: prepared again from the same base and files`);
    expect(proof.code).toBe(0);
  });

  it("a missing dependency is INFRA_STOP (exit 2) with the remedy, and the candidate that hides it is never consulted", async () => {
    const repo = tempRepo({ "app.py": "import yaml\nprint(yaml.safe_load('a: 1'))\n", "requirements.txt": "PyYAML>=6\n" });
    const hides = join(tempRepo({ "fix.py": "print({'a': 1})\n" }), "fix.py");
    const artifacts = join(artifactRoot, "cli-yaml");
    const run = await opsguard(["--repo", repo, "--error", "ModuleNotFoundError", "--candidate", hides, "--no-install", "--artifacts", artifacts]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain("Status: INFRA_STOP");
    expect(run.stdout).toContain("No module named 'yaml'");
    expect(run.stdout).toContain("PyYAML>=6 is declared in requirements.txt:1 but --no-install skipped the installation: run without --no-install");
    const report = JSON.parse(readFileSync(join(artifacts, "final_report.json"), "utf8"));
    expect(report).toMatchObject({ status: "INFRA_STOP", infra_code: "MISSING_MODULE", attempts: [] });
    expect(run.stderr).not.toMatch(/\[opsguard\] propose/);
  });

  it("a failing .opsguard/setup.sh is INFRA_STOP (exit 2) with its last lines and exit status, before any candidate", async () => {
    const setup = `echo "fetching fixtures (${Date.now()})"\necho "fixtures.example is unreachable" >&2\nexit 3\n`;
    const repo = tempRepo({ "app.py": APP, "requirements.txt": requirements, ".opsguard/setup.sh": setup });
    const fix = join(tempRepo({ "fix.py": FIXED }), "fix.py");
    const artifacts = join(artifactRoot, "cli-setup");
    const run = await opsguard(["--repo", repo, "--error", "ValueError", "--candidate", fix, "--artifacts", artifacts]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain("Status: INFRA_STOP");
    expect(run.stdout).toMatch(/The repository's \.opsguard\/setup\.sh failed while building opsguard-env:[0-9a-f]{20} \(exit 3\)\. Its last lines:\n\s+fetching fixtures \(\d+\)\n\s+fixtures\.example is unreachable\n/);
    expect(run.stdout).toContain("Fix the script (it runs as root in the build container, in /workspace, with the network, after the installs), or pass --no-install");
    expect(run.stdout).not.toContain("Successfully installed greetlib");
    const report = JSON.parse(readFileSync(join(artifacts, "final_report.json"), "utf8"));
    expect(report).toMatchObject({ status: "INFRA_STOP", infra_code: "ENV_SETUP_FAILED", attempts: [] });
    expect(run.stderr).not.toMatch(/\[opsguard\] propose/);
  });

  it("--requirements must name a file", async () => {
    const run = await opsguard(["--repo", "demo_repo", "--error", "x", "--requirements", "no/such.txt"]);
    expect(run.code).toBe(64);
    expect(run.stderr).toContain("--requirements no/such.txt is not a file.");
    const env = await opsguard(["env", "--repo", "demo_repo", "--requirements", "no/such.txt"]);
    expect(env.code).toBe(64);
    expect(env.stderr).toContain("--requirements no/such.txt is not a file.");
  });
});
