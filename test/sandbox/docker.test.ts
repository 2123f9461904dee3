import Docker from "dockerode";
import { beforeAll, describe, expect, it } from "vitest";
import { createDockerSandbox, LABEL } from "../../src/sandbox/docker.js";
import { AbortedError, InfraError } from "../../src/errors.js";
import { requireDocker, SANDBOX_IMAGE } from "../support/docker.js";
import { tempRepo } from "../support/workspace.js";
import { hashTree } from "../support/hashTree.js";
import { readdirSync } from "node:fs";
import { dirname } from "node:path";

let docker: Docker;
beforeAll(async () => {
  docker = await requireDocker();
});

const sandbox = createDockerSandbox({ image: SANDBOX_IMAGE });

async function ourContainers(): Promise<number> {
  const list = await docker.listContainers({ all: true, filters: { label: [`${LABEL}`, `dev.opsguard.pid=${process.pid}`] } });
  return list.length;
}

const py = (code: string) => tempRepo({ "app.py": code });

describe("executePython on the real engine", () => {
  it("captures the exit code and both streams", async () => {
    const repo = py('import sys\nprint("to stdout")\nprint("to stderr", file=sys.stderr)\nsys.exit(3)\n');
    const result = await sandbox.executePython(repo, "app.py");
    expect(result).toMatchObject({ exitCode: 3, stdout: "to stdout\n", stderr: "to stderr\n", endReason: "exited" });
    expect(result.imageId).toMatch(/^sha256:/);
    expect(await ourContainers()).toBe(0);
  });

  it("reports a Python traceback on stderr", async () => {
    const result = await sandbox.executePython(py('int("N/A")\n'), "app.py");
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("ValueError: invalid literal for int()");
  });

  it("kills a run at the timeout and leaves no container", async () => {
    const started = Date.now();
    const result = await sandbox.executePython(py("while True:\n    pass\n"), "app.py", { timeoutMs: 1500 });
    expect(result.endReason).toBe("timed_out");
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await ourContainers()).toBe(0);
  });

  it("has no network", async () => {
    const code = [
      "import socket",
      "s = socket.socket()",
      "s.settimeout(2)",
      "try:",
      "    s.connect(('1.1.1.1', 80))",
      "    print('connected')",
      "except OSError as e:",
      "    print('unreachable', e.errno)",
      "print(sorted(n for _, n in socket.if_nameindex()))",
    ].join("\n");
    const result = await sandbox.executePython(py(code), "app.py");
    expect(result.stdout).toContain("unreachable");
    expect(result.stdout).toContain("['lo']");
  });

  it("mounts the root filesystem read-only, with a writable /tmp and a throwaway writable copy of the workspace", async () => {
    const code = [
      "import os",
      "for path in ['/etc/opsguard', '/workspace/new.txt']:",
      "    try:",
      "        open(path, 'w').write('x')",
      "        print('wrote', path)",
      "    except OSError as e:",
      "        print('refused', path, e.errno)",
      "open('/tmp/ok', 'w').write('x')",
      "print('tmp ok')",
    ].join("\n");
    const result = await sandbox.executePython(py(code), "app.py");
    expect(result.stdout).toContain("refused /etc/opsguard 30");
    expect(result.stdout).toContain("wrote /workspace/new.txt");
    expect(result.stdout).toContain("tmp ok");
  });

  it("lets a program write files, caches and sqlite databases that never reach the workspace or a later run", async () => {
    const code = [
      "import os, sqlite3",
      "print('seen before:', os.path.exists('out/orders.csv'), os.path.exists('cache.db'))",
      "os.makedirs('out', exist_ok=True)",
      "open('out/orders.csv', 'w').write('id,total\\n1,3.5\\n')",
      "db = sqlite3.connect('cache.db')",
      "db.execute('create table if not exists t (x)')",
      "db.execute('insert into t values (1)')",
      "db.commit()",
      "open('app.py', 'a').write('# rewritten')",
      "print('rows', db.execute('select count(*) from t').fetchone()[0], open('out/orders.csv').read().count('\\n'))",
    ].join("\n");
    const repo = py(code);
    const before = hashTree(repo);
    let seenInCopy: string[] = [];
    const first = await sandbox.executePython(repo, "app.py", { afterRun: async (copy) => { seenInCopy = readdirSync(copy).sort(); } });
    expect(first.stderr).toBe("");
    expect(first.stdout).toBe("seen before: False False\nrows 1 2\n");
    expect(seenInCopy).toEqual(["app.py", "cache.db", "out"]);
    expect(hashTree(repo)).toBe(before);
    const second = await sandbox.executePython(repo, "app.py");
    expect(second.stdout).toContain("seen before: False False");
    expect(hashTree(repo)).toBe(before);
    expect(readdirSync(dirname(repo)).filter((name) => name.startsWith(`opsguard-run-${process.pid}-`))).toEqual([]);
  });

  it("runs as a non-root user without capabilities or new privileges", async () => {
    const code = [
      "import os",
      "print('uid', os.getuid(), os.getgid())",
      "status = open('/proc/self/status').read().splitlines()",
      "print([l for l in status if l.startswith(('CapEff', 'NoNewPrivs'))])",
    ].join("\n");
    const result = await sandbox.executePython(py(code), "app.py");
    expect(result.stdout).toContain("uid 65534 65534");
    expect(result.stdout).toContain("CapEff:\\t0000000000000000");
    expect(result.stdout).toContain("NoNewPrivs:\\t1");
  });

  it("contains a fork bomb and reports it", async () => {
    const code = [
      "import os, time",
      "children = 0",
      "for _ in range(10000):",
      "    try:",
      "        if os.fork() == 0:",
      "            time.sleep(30)",
      "            os._exit(0)",
      "        children += 1",
      "    except OSError as e:",
      "        print('fork refused after', children, 'children:', e.strerror, flush=True)",
      "        break",
    ].join("\n");
    const result = await sandbox.executePython(py(code), "app.py", { pidsLimit: 32, timeoutMs: 8000 });
    expect(result.stdout).toMatch(/fork refused after \d+ children/);
    const refusedAt = Number(/after (\d+)/.exec(result.stdout)?.[1]);
    expect(refusedAt).toBeLessThan(32);
    expect(await ourContainers()).toBe(0);
  });

  it("contains a memory bomb and reports it as out of memory", async () => {
    const code = "blocks = []\nwhile True:\n    blocks.append(bytearray(16 * 1024 * 1024))\n";
    const result = await sandbox.executePython(py(code), "app.py", { memoryBytes: 128 * 1024 * 1024 });
    expect(["out_of_memory", "exited"]).toContain(result.endReason);
    if (result.endReason === "exited") expect(result.stderr).toContain("MemoryError");
    else expect(result.exitCode).toBe(137);
  });

  it("cuts off a gigabyte of output while OpsGuard's own memory stays small", async () => {
    const code = "import sys\nline = 'x' * 1023 + '\\n'\nfor _ in range(1024 * 1024):\n    sys.stdout.write(line)\n";
    const before = process.memoryUsage().rss;
    const result = await sandbox.executePython(py(code), "app.py", { maxOutputBytes: 256 * 1024 });
    const grown = process.memoryUsage().rss - before;
    expect(result.endReason).toBe("output_limit");
    expect(result.stdout.length).toBeLessThan(256 * 1024 + 200);
    expect(result.stdout).toContain("output cut off");
    expect(grown).toBeLessThan(64 * 1024 * 1024);
    expect(await ourContainers()).toBe(0);
  });

  it("removes the container when the caller aborts mid-run", async () => {
    const controller = new AbortController();
    const running = sandbox.executePython(py("import time\ntime.sleep(60)\n"), "app.py", { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await ourContainers()).toBe(1);
    controller.abort();
    await expect(running).rejects.toBeInstanceOf(AbortedError);
    expect(await ourContainers()).toBe(0);
  });

  it("runs pytest with the preinstalled pytest", async () => {
    const repo = tempRepo({
      "tests/test_x.py": "def test_ok():\n    assert 1 + 1 == 2\n\ndef test_bad():\n    assert 1 + 1 == 3\n",
    });
    const result = await sandbox.executePytest(repo);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain("PASSED tests/test_x.py::test_ok");
    expect(result.stdout).toContain("FAILED tests/test_x.py::test_bad");
  });
});

describe("infrastructure errors", () => {
  it("says how to build a missing image", async () => {
    const error = await sandbox.executePython(py("pass\n"), "app.py", { image: "opsguard-missing:nope" }).catch((e) => e);
    expect(error).toBeInstanceOf(InfraError);
    expect(error.code).toBe("IMAGE_MISSING");
    expect(error.message).toContain("npm run sandbox:image");
  });

  it("says how to reach an unreachable engine", async () => {
    const unreachable = createDockerSandbox({ docker: new Docker({ socketPath: "/tmp/opsguard-no-engine.sock" }) });
    const error = await unreachable.executePython(py("pass\n"), "app.py").catch((e) => e);
    expect(error).toBeInstanceOf(InfraError);
    expect(error.code).toBe("ENGINE_UNREACHABLE");
    expect(error.message).toContain("DOCKER_HOST");
  });
});

describe("run copies a killed process left", () => {
  it("are removed by the next run in the same directory", async () => {
    const { mkdtempSync, mkdirSync, existsSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const root = mkdtempSync(join(tmpdir(), "opsguard-sweep-"));
    const workspace = join(root, "ws");
    mkdirSync(workspace);
    // pid 2^22 + 1 is above Linux's pid_max, so no process has it.
    const stale = join(root, `opsguard-run-${2 ** 22 + 1}-abc`);
    const mine = join(root, `opsguard-run-${process.pid}-live`);
    mkdirSync(stale);
    mkdirSync(mine);
    const { createRunCopy } = await import("../../src/workspace/runCopy.js");
    const copy = await createRunCopy(workspace);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(mine)).toBe(true);
    await copy.remove();
    expect(existsSync(copy.path)).toBe(false);
    rmSync(root, { recursive: true, force: true });
  });
});
