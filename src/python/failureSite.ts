/**
 * Where the reproduced failure happened: the chain of frames in the user's own code, from the
 * outermost call to the innermost frame of the last traceback (or, for a hang, the stack that
 * faulthandler dumped at the time limit). Pure.
 */
import { z } from "zod";

export const Frame = z.object({
  /** File name as seen inside the sandbox, reduced to its base name (e.g. "app.py"). */
  file: z.string(),
  function: z.string(),
  line: z.number(),
  /** Path relative to the workspace when the file is in a subdirectory (e.g. "pkg/app.py"). */
  path: z.string().optional(),
  /** Fingerprint of the call's arguments when it started, from the guard; null for a call without input. */
  fingerprint: z.string().nullable().optional(),
});
export type Frame = z.infer<typeof Frame>;

export const FailureSite = z.object({
  kind: z.enum(["exception", "hang"]),
  /** Outermost first; the last frame is the failure site. */
  chain: z.array(Frame),
});
export type FailureSite = z.infer<typeof FailureSite>;

const TRACEBACK_FRAME = /^ {2}File "([^"]+)", line (\d+), in (.+)$/;
const DUMP_FRAME = /^ {2}File "([^"]+)", line (\d+) in (.+)$/;

/** Frames of files under the workspace (absolute /workspace/... or relative), not Python's or OpsGuard's. */
function isUserFile(path: string): boolean {
  if (path.startsWith("<")) return false;
  if (path.startsWith("/")) return path.startsWith("/workspace/");
  return true;
}

const baseName = (path: string) => path.slice(path.lastIndexOf("/") + 1);
const workspacePath = (path: string) => (path.startsWith("/workspace/") ? path.slice("/workspace/".length) : path.replace(/^\.\//, ""));

function frames(lines: string[], pattern: RegExp): Frame[] {
  const found: Frame[] = [];
  for (const line of lines) {
    const match = pattern.exec(line);
    if (match && isUserFile(match[1]!)) {
      const file = baseName(match[1]!);
      const path = workspacePath(match[1]!);
      // The path is kept only when it says more than the base name (a file in a subdirectory).
      found.push({ file, ...(path !== file ? { path } : {}), line: Number(match[2]), function: match[3]!.trim() });
    }
  }
  return found;
}

export function findFailureSite(stderr: string, endReason: string): FailureSite | undefined {
  const lines = stderr.split("\n");
  if (endReason === "timed_out") {
    // faulthandler prints the most recent call first, one block per thread; the main thread's
    // block is the one marked "Current thread" or, failing that, the last one.
    const starts = lines.flatMap((line, i) => (/^(Current thread|Thread) 0x[0-9a-f]+/.test(line) ? [i] : []));
    if (starts.length === 0) return undefined;
    const current = starts.find((i) => lines[i]!.startsWith("Current thread")) ?? starts.at(-1)!;
    const end = starts.find((i) => i > current) ?? lines.length;
    const chain = frames(lines.slice(current + 1, end), DUMP_FRAME).reverse();
    return chain.length ? { kind: "hang", chain } : undefined;
  }
  const start = lines.lastIndexOf("Traceback (most recent call last):");
  if (start < 0) return undefined;
  const chain = frames(lines.slice(start + 1), TRACEBACK_FRAME);
  return chain.length ? { kind: "exception", chain } : undefined;
}

export function describeFrame(frame: Frame): string {
  return `${frame.function}() in ${frame.file} line ${frame.line}`;
}

/**
 * Adds the guard's argument fingerprints (its "failure" record: [path, function, line, fingerprint]
 * per frame, outermost first) to the frames of the printed traceback they belong to.
 */
export function withFingerprints(site: FailureSite, recorded: [string, string, number, string | null][] | undefined): FailureSite {
  if (!recorded || site.kind !== "exception") return site;
  const chain = site.chain.map((frame) => {
    const match = recorded.find(([path, fn, line]) => path === (frame.path ?? frame.file) && fn === frame.function && line === frame.line);
    return match ? { ...frame, fingerprint: match[3] } : frame;
  });
  return { ...site, chain };
}
