/**
 * Whether a SyntaxError of the reproduction only means "this Python is too old". The generic test
 * asks a newer Python: the file the error points at is compiled (never run) in the newest sandbox
 * image of the base image's family, in an ordinary hardened sandbox run; if that Python accepts it,
 * the code needs a newer Python, whatever the construct. The grammar table (newerSyntax.ts) names
 * the construct when it knows it, and decides alone only when no newer image is present.
 */
import { isAbsolute, join, normalize } from "node:path";
import { readFile } from "node:fs/promises";
import { InfraError } from "../errors.js";
import { WORKSPACE_MOUNT, type Sandbox } from "../sandbox/docker.js";
import { newerConstructAt, syntaxErrorSite, type NewerConstruct } from "./newerSyntax.js";
import { imagePython, isNewerPython, KNOWN_PYTHONS } from "./pythonChoice.js";

export interface NewerSyntax {
  /** Repository-relative path and line of the SyntaxError. */
  file: string;
  line: number;
  /** The construct on that line, when the grammar table knows it. */
  construct?: NewerConstruct;
  /** The newer Python that compiled the file, when one was asked. */
  compiledBy?: { image: string; python: string };
  /** The `--python` to pass. */
  python: string;
}

/** The newest Python OpsGuard builds images for that is newer than the base image's, in its family. */
export function newerPythonImage(baseImage: string): { image: string; python: string } | undefined {
  const base = imagePython(baseImage);
  const newest = KNOWN_PYTHONS.at(-1);
  if (!base || !newest || !isNewerPython(newest, base.python)) return undefined;
  return { image: `${base.family}:py${newest}`, python: newest };
}

/** Compiles without running, writing nothing: exit 0 means the grammar accepts the file. */
const COMPILE = "import sys; compile(open(sys.argv[1], 'rb').read(), sys.argv[1], 'exec', dont_inherit=True)";
const COMPILE_LIMIT_MS = 20_000;

/** True or false when the newer image answered; undefined when it is not present. */
async function compiles(sandbox: Sandbox, workspace: string, file: string, image: string, signal?: AbortSignal): Promise<boolean | undefined> {
  try {
    const result = await sandbox.run(workspace, ["python3", "-c", COMPILE, file], { image, timeoutMs: COMPILE_LIMIT_MS, ...(signal ? { signal } : {}) });
    return result.endReason === "exited" && result.exitCode === 0;
  } catch (err) {
    if (err instanceof InfraError && err.code === "IMAGE_MISSING") return undefined;
    throw err;
  }
}

/** The workspace file a traceback path names, relative; undefined outside the workspace. */
function workspaceFile(path: string): string | undefined {
  // Paths are absolute under the mount, or relative to it (the working directory).
  const inside = path.startsWith(`${WORKSPACE_MOUNT}/`) ? path.slice(WORKSPACE_MOUNT.length + 1) : path;
  const file = normalize(inside);
  return isAbsolute(file) || file.startsWith("..") ? undefined : file;
}

export interface NewerSyntaxInput {
  /** The reproduction's stdout and stderr. */
  output: string;
  /** The workspace with the original code. */
  workspace: string;
  /** The base image the reproduction's Python came from (`opsguard-sandbox:py3.11`). */
  baseImage: string;
  sandbox: Sandbox;
  signal?: AbortSignal;
}

/** The SyntaxError's site, when it points into the workspace at code a newer Python accepts. */
export async function findNewerSyntax(input: NewerSyntaxInput): Promise<NewerSyntax | undefined> {
  const site = syntaxErrorSite(input.output);
  const file = site && workspaceFile(site.path);
  if (!site || !file) return undefined;
  const source = await readFile(join(input.workspace, file), "utf8").catch(() => undefined);
  if (source === undefined) return undefined;
  const construct = await newerConstructAt(source, site.line);
  const where = { file, line: site.line, ...(construct ? { construct } : {}) };
  const newer = newerPythonImage(input.baseImage);
  const accepted = newer && (await compiles(input.sandbox, input.workspace, file, newer.image, input.signal));
  if (newer && accepted !== undefined) return accepted ? { ...where, compiledBy: newer, python: newer.python } : undefined;
  // No newer image to ask: the table alone, and only for a construct newer than the base's Python.
  const current = imagePython(input.baseImage)?.python;
  if (!construct || (current && !isNewerPython(construct.python, current))) return undefined;
  const python = KNOWN_PYTHONS.find((known) => !isNewerPython(construct.python, known)) ?? construct.python;
  return { ...where, python };
}
