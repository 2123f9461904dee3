/** The one place a command's thrown error becomes a line on stderr and an exit code (exitForError). */
import { EXIT, exitForError } from "../exitCodes.js";

export interface ErrorIo {
  stderr: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
}

/** A user mistake or the environment: one line. A bug: "internal error", its stack behind OPSGUARD_DEBUG. */
export function reportError(err: unknown, io: ErrorIo): number {
  const code = exitForError(err);
  const message = err instanceof Error ? err.message : String(err);
  io.stderr.write(code === EXIT.INTERNAL ? `opsguard: internal error: ${message}\n` : `opsguard: ${message}\n`);
  if (code === EXIT.INTERNAL && io.env.OPSGUARD_DEBUG) io.stderr.write(`${(err as Error).stack}\n`);
  return code;
}
