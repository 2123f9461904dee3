/** Gates 1 and 2, then a private copy of the repository for the sandbox. No container runs here. */
import { lstat, readFile, realpath, stat } from "node:fs/promises";
import { isAbsolute, join, normalize, resolve } from "node:path";
import type { NodeFn } from "../graph/deps.js";
import { sha256 } from "../tools/hash.js";
import { insideRoot } from "../tools/repoFiles.js";
import { decodeSource, sourceBytes } from "../tools/sourceText.js";
import { hashTestFiles } from "../tools/testFiles.js";

const isDir = async (path: string) => (await stat(path).catch(() => undefined))?.isDirectory() ?? false;

type Located = { ok: true; entry: string; target: string } | { ok: false; reason: string };

/**
 * The entry as a path inside the repository (an absolute path inside it is accepted), and the file
 * that gets fixed: the entry itself, or what it links to when that lies inside the repository.
 */
async function locate(repo: string, realRepo: string, given: string): Promise<Located> {
  const entry = isAbsolute(given) ? (insideRoot(repo, normalize(given)) ?? insideRoot(realRepo, normalize(given))) : normalize(given);
  if (entry === undefined || entry === "" || insideRoot(realRepo, join(realRepo, entry)) === undefined) {
    return { ok: false, reason: `Entry file ${given} must be a path inside the repository ${repo}.` };
  }
  const info = await lstat(join(realRepo, entry)).catch(() => undefined);
  if (!info) return { ok: false, reason: `Entry file ${entry} was not found in ${repo} (gate 1).` };
  const real = await realpath(join(realRepo, entry)).catch(() => undefined);
  if (real === undefined) return { ok: false, reason: `Entry file ${entry} is a symbolic link to nothing (gate 1).` };
  const target = insideRoot(realRepo, real);
  if (target === undefined) {
    return {
      ok: false,
      reason: `Entry file ${entry} leads out of the repository (to ${real}); OpsGuard never writes outside it: put the file itself in the repository (gate 1).`,
    };
  }
  if (!(await stat(real)).isFile()) return { ok: false, reason: `Entry file ${entry} is not a regular file (gate 1).` };
  return { ok: true, entry, target };
}

export const setup: NodeFn = async (state, { deps }) => {
  const repo = resolve(state.repo);
  const fail = (reason: string) => ({ update: { status: "FAILED" as const, reason }, summary: reason });
  if (!(await isDir(repo))) return fail(`Repository ${repo} is not a directory.`);
  const realRepo = await realpath(repo);
  const located = await locate(repo, realRepo, state.entry);
  if (!located.ok) return fail(located.reason);
  const { entry, target } = located;
  if (state.mode === "pytest" && !(await isDir(join(repo, "tests")))) {
    return fail(`Pytest mode needs a tests/ folder in ${repo}, and there is none (gate 2).`);
  }
  const bytes = await readFile(join(realRepo, target));
  const decoded = decodeSource(bytes);
  if (!decoded.ok) return fail(`Entry file ${target} ${decoded.reason}; it cannot be a fix target (gate 1).`);
  if (!sourceBytes(decoded.text).equals(bytes)) return fail(`Entry file ${target} does not read back byte for byte; it cannot be a fix target (gate 1).`);
  const testHashes = await hashTestFiles(repo);
  const workspace = await deps.workspaces.create(repo, { exclude: [resolve(state.artifacts)] });
  const digest = sha256(bytes);
  return {
    update: {
      repo,
      entry,
      workspace,
      original: { path: target, content: decoded.text, sha256: digest },
      testHashes,
      reproAttempts: 0,
      attempts: [],
    },
    summary: `workspace ready, ${target === entry ? entry : `${entry} -> ${target}`} ${digest.slice(0, 12)}`,
  };
};
