/** The plain `docker run` that the figures compare OpsGuard against, and the scratch copies it mounts. */
import { chmod, cp, readdir, stat } from "node:fs/promises";
import { join } from "node:path";

export const IMAGE = "opsguard-sandbox:py3.11";

/**
 * The same hardening the sandbox applies (see src/sandbox/docker.ts), spelled as docker CLI flags,
 * so that the baseline differs from OpsGuard only in who drives the engine and what runs around it.
 */
export function hardenedDockerRun(workspace, command) {
  return [
    "docker", "run", "--rm",
    "--network", "none", "--read-only", "--tmpfs", "/tmp",
    "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
    "--pids-limit", "128", "--memory", "512m", "--cpus", "1",
    "--user", "65534:65534",
    "-v", `${workspace}:/workspace:ro`, "-w", "/workspace",
    IMAGE, ...command,
  ];
}

/** Everything readable by others: the container runs as nobody (65534) and only sees the copy. */
async function makeReadable(dir) {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await makeReadable(path);
    else if (entry.isFile()) await chmod(path, ((await stat(path)).mode & 0o777) | 0o444);
  }
}

/** A copy of a repository for the baseline, as OpsGuard itself mounts a copy and never the original. */
export async function copyRepo(from, to) {
  await cp(from, to, { recursive: true });
  await makeReadable(to);
  return to;
}
