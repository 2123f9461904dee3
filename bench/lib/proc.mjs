/** Runs one command as a child process and measures it from spawn to exit. */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

// /proc/<pid>/stat counts CPU in USER_HZ ticks, which the Linux ABI fixes at 100 per second.
const TICK_MS = 10;
const HAS_PROC = existsSync("/proc/self/stat");

/**
 * CPU time (user + system) of this process's children that have been waited for. Node has no
 * getrusage(RUSAGE_CHILDREN), but the kernel keeps the same sum in /proc/self/stat (cutime, cstime),
 * and libuv reaps a child before its exit event fires. Commands run one at a time, so the delta
 * around one spawn is that command's CPU. It covers the client only: dockerd, containerd and the
 * container's own processes are not our children.
 */
function reapedChildCpuMs() {
  if (!HAS_PROC) return undefined;
  const stat = readFileSync("/proc/self/stat", "utf8");
  // Fields after the command name, which is in parentheses and may itself contain spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[13]) + Number(fields[14])) * TICK_MS;
}

/** Quotes a word for a POSIX shell only when it needs it, so printed commands can be pasted back. */
export function shellWord(word) {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export const shellLine = (argv) => argv.map(shellWord).join(" ");

/**
 * Spawns `argv` and resolves with its wall time, client CPU, exit code, output and the epoch
 * times of spawn and exit (for lining up with the timestamps a run writes to its own log).
 * `expectExit` guards the figures: a command that failed for the wrong reason (no image, a bad
 * path) must stop the benchmark instead of producing a fast, meaningless number.
 */
export function runTimed(argv, { cwd, expectExit } = {}) {
  return new Promise((resolve, reject) => {
    const cpuBefore = reapedChildCpuMs();
    const startEpoch = Date.now();
    const t0 = performance.now();
    const child = spawn(argv[0], argv.slice(1), { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk));
    let ms = 0;
    let endEpoch = 0;
    let code = null;
    child.on("exit", (exitCode, signal) => {
      ms = performance.now() - t0;
      endEpoch = Date.now();
      code = exitCode ?? signal;
    });
    child.on("error", reject);
    child.on("close", () => {
      const cpuAfter = reapedChildCpuMs();
      const cpuMs = cpuBefore === undefined ? undefined : cpuAfter - cpuBefore;
      if (expectExit !== undefined && code !== expectExit) {
        const tail = `${stdout}\n${stderr}`.trim().split("\n").slice(-8).join("\n");
        reject(new Error(`\`${shellLine(argv)}\` exited with ${code}, expected ${expectExit}:\n${tail}`));
        return;
      }
      resolve({ ms, cpuMs, code, stdout, stderr, startEpoch, endEpoch });
    });
  });
}

/** Runs several commands one after another and reports them as one sample (summed wall and CPU). */
export async function runSequence(commands, options) {
  const parts = [];
  for (const { argv, expectExit } of commands) parts.push(await runTimed(argv, { ...options, expectExit }));
  const cpu = parts.every((p) => p.cpuMs !== undefined) ? parts.reduce((a, p) => a + p.cpuMs, 0) : undefined;
  return { ms: parts.reduce((a, p) => a + p.ms, 0), cpuMs: cpu, parts };
}
