/**
 * A Sandbox that runs nothing: each run answers from a script, so node and graph tests take
 * milliseconds and need no Docker. It records every command and the environment it was given.
 */
import type { RunOptions, Sandbox } from "../../src/sandbox/docker.js";
import type { SandboxResult } from "../../src/sandbox/sandboxResult.js";

export interface ScriptedRun {
  command: string[];
  /** The run's environment: OPSGUARD_NONCE among OpsGuard's own settings. */
  env: Record<string, string>;
  /** Is this the verification (compile, then the reproduction again)? */
  verifying: boolean;
}

export type Answer = Partial<Pick<SandboxResult, "exitCode" | "stdout" | "stderr" | "endReason" | "quietMs">>;

export function scriptedSandbox(answer: (run: ScriptedRun, index: number) => Answer): Sandbox & { runs: ScriptedRun[] } {
  const runs: ScriptedRun[] = [];
  const run = async (_workspace: string, command: string[], options: RunOptions = {}): Promise<SandboxResult> => {
    const seen = { command, env: { ...options.env }, verifying: command.some((part) => part.endsWith("/opsguard_verify.py")) };
    runs.push(seen);
    const given = answer(seen, runs.length - 1);
    return { exitCode: 0, stdout: "", stderr: "", durationMs: 1, endReason: "exited", command, image: "scripted:py3.11", ...given };
  };
  return {
    runs,
    run,
    executePython: (workspace, entry, options) => run(workspace, ["python", entry], options),
    executePytest: (workspace, options) => run(workspace, ["python", "-m", "pytest"], options),
  };
}

/** A traceback as Python prints it for an uncaught exception in /workspace/app.py. */
export function traceback(exception: string, message: string, line = 3): string {
  return `Traceback (most recent call last):\n  File "/workspace/app.py", line ${line}, in <module>\n    main()\n${exception}: ${message}\n`;
}

/** The runtime guard's records as it streams them: `OPSGUARD-GUARD:<nonce>:<seq>:<json>`, each after a blank line. */
export function guardLines(nonce: string, records: unknown[]): string {
  return records.map((record, seq) => `\nOPSGUARD-GUARD:${nonce}:${seq}:${JSON.stringify(record)}\n`).join("");
}

/** Evidence records as OpsGuard's runners write them on stderr: a blank line, then one tagged line each. */
export function evidenceLines(nonce: string, records: unknown[]): string {
  return records.map((record) => `\nOPSGUARD-EVIDENCE:${nonce}:${JSON.stringify(record)}\n`).join("");
}
