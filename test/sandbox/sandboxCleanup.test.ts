import Docker from "dockerode";
import { spawn, spawnSync } from "node:child_process";
import { hostname } from "node:os";
import { beforeAll, describe, expect, it } from "vitest";
import { createDockerSandbox, LABEL } from "../../src/sandbox/docker.js";
import { requireDocker, SANDBOX_IMAGE } from "../support/docker.js";
import { built } from "../support/built.js";
import { tempRepo } from "../support/workspace.js";

let docker: Docker;
beforeAll(async () => {
  docker = await requireDocker();
});

const byPid = async (pid: number, kind?: string) =>
  (await docker.listContainers({ all: true, filters: { label: [kind ? `${LABEL}=${kind}` : LABEL, `dev.opsguard.pid=${pid}`] } })).length;

describe("container cleanup", () => {
  it.each(["SIGINT", "SIGTERM"] as const)("removes the running container when the process gets %s", async (signal) => {
    const repo = tempRepo({ "app.py": "import time\nprint('started', flush=True)\ntime.sleep(120)\n" });
    const script = `
      import { executePython } from ${JSON.stringify(built("sandbox/docker.js"))};
      await executePython(${JSON.stringify(repo)}, "app.py", { image: ${JSON.stringify(SANDBOX_IMAGE)} });
    `;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: "ignore" });
    const pid = child.pid!;
    const deadline = Date.now() + 20_000;
    // The run's own container (the transport probe before it is labelled "probe" and comes and goes).
    while ((await byPid(pid, "1")) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(await byPid(pid, "1")).toBe(1);
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, sig) => resolve(sig)));
    child.kill(signal);
    expect(await exited).toBe(signal);
    expect(await byPid(pid)).toBe(0);
  });

  it("sweeps containers left behind by a process that died", async () => {
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    const deadPid = Number(dead.stdout);
    const stale = await docker.createContainer({
      Image: SANDBOX_IMAGE,
      Cmd: ["python3", "-c", "pass"],
      Labels: { [LABEL]: "1", "dev.opsguard.pid": String(deadPid), "dev.opsguard.host": hostname() },
    });
    expect(await byPid(deadPid)).toBe(1);
    const sandbox = createDockerSandbox({ image: SANDBOX_IMAGE });
    await sandbox.executePython(tempRepo({ "app.py": "pass\n" }), "app.py");
    expect(await byPid(deadPid)).toBe(0);
    await stale.remove({ force: true }).catch(() => undefined);
  });
});
