/** Gates 1 and 2, then a private copy of the repository for the sandbox. No container runs here. */
import { lstat, readFile, realpath, stat } from "node:fs/promises";
import { isAbsolute, join, normalize, resolve } from "node:path";
import type { NodeFn } from "./deps.js";
import type { OpsGuardState } from "../state/state.js";
import { sha256 } from "../system/hash.js";
import { insideRoot } from "../workspace/repoFiles.js";
import { decodeSource, sourceBytes } from "../python/sourceText.js";
import { hashTestFiles } from "../workspace/testFiles.js";
import { insideRepo, moduleFiles, runInputProblem } from "../state/runInputs.js";

const isDir = async (path: string) => (await stat(path).catch(() => undefined))?.isDirectory() ?? false;

type Located = { ok: true; entry: string; target: string } | { ok: false; reason: string };

/**
 * A file given as a path inside the repository (an absolute path inside it is accepted), and the
 * file that gets fixed for it: the file itself, or what it links to when that lies inside the
 * repository. `what` names it in messages ("Entry file", "Target file").
 */
async function locate(repo: string, realRepo: string, given: string, what = "Entry file"): Promise<Located> {
  const entry = isAbsolute(given) ? (insideRoot(repo, normalize(given)) ?? insideRoot(realRepo, normalize(given))) : normalize(given);
  if (entry === undefined || entry === "" || insideRoot(realRepo, join(realRepo, entry)) === undefined) {
    return { ok: false, reason: `${what} ${given} must be a path inside the repository ${repo}.` };
  }
  const info = await lstat(join(realRepo, entry)).catch(() => undefined);
  if (!info) return { ok: false, reason: `${what} ${entry} was not found in ${repo} (gate 1).` };
  const real = await realpath(join(realRepo, entry)).catch(() => undefined);
  if (real === undefined) return { ok: false, reason: `${what} ${entry} is a symbolic link to nothing (gate 1).` };
  const target = insideRoot(realRepo, real);
  if (target === undefined) {
    return {
      ok: false,
      reason: `${what} ${entry} leads out of the repository (to ${real}); OpsGuard never writes outside it: put the file itself in the repository (gate 1).`,
    };
  }
  if (!(await stat(real)).isFile()) return { ok: false, reason: `${what} ${entry} is not a regular file (gate 1).` };
  return { ok: true, entry, target };
}

/** What runs: the module's file (`python -m NAME`) or the entry file; gate 1 when it is not there. */
async function locateRun(state: OpsGuardState, repo: string, realRepo: string): Promise<Located> {
  if (state.module === undefined || state.mode !== "entry") return locate(repo, realRepo, state.entry);
  const tried = moduleFiles(state.module);
  for (const path of tried) {
    const found = await locate(repo, realRepo, path, "Module file");
    if (found.ok) return found;
  }
  return { ok: false, reason: `Module ${state.module} was not found in ${repo}: neither ${tried.join(" nor ")} exists (gate 1).` };
}

/**
 * The file that gets fixed: --target, else what runs. In entry mode what runs must exist (gate 1);
 * in pytest mode the tests run, so only the file to fix must. `entry` is set when an entry file runs.
 */
async function locateTarget(state: OpsGuardState, repo: string, realRepo: string): Promise<{ ok: true; entry?: string; target: string; shown: string } | { ok: false; reason: string }> {
  let entry: string | undefined;
  if (state.mode === "entry" || state.target === undefined) {
    const run = await locateRun(state, repo, realRepo);
    if (!run.ok) return run;
    if (state.module === undefined) entry = run.entry;
    if (state.target === undefined) return { ok: true, ...(entry ? { entry } : {}), target: run.target, shown: run.entry };
  }
  const target = await locate(repo, realRepo, state.target!, "Target file");
  if (!target.ok) return target;
  return { ok: true, ...(entry ? { entry } : {}), target: target.target, shown: target.entry };
}

/** Why a test file cannot be the file to fix (shared with the reproduction, which learns what pytest collects). */
export function protectedTarget(path: string): string {
  return `${path} is a test or pytest configuration file, and OpsGuard never changes the tests that judge a fix: point --target at the code under test.`;
}

export const setup: NodeFn = async (state, { deps }) => {
  const repo = resolve(state.repo);
  const fail = (reason: string) => ({ update: { status: "FAILED" as const, reason }, summary: reason });
  if (!(await isDir(repo))) return fail(`Repository ${repo} is not a directory.`);
  const problem = runInputProblem(state);
  if (problem) return fail(problem);
  const realRepo = await realpath(repo);
  const located = await locateTarget(state, repo, realRepo);
  if (!located.ok) return fail(located.reason);
  const { entry, target, shown } = located;
  for (const given of state.tests ?? []) {
    // A node id (tests/test_x.py::test_a) names its file before the "::".
    const path = insideRepo(given.split("::")[0]!);
    if (!path || !(await stat(join(repo, path)).catch(() => undefined))) {
      return fail(`--tests ${given} was not found in ${repo}; give paths inside the repository (gate 2).`);
    }
  }
  const what = state.target === undefined && state.module === undefined ? "Entry file" : "The file to fix,";
  const bytes = await readFile(join(realRepo, target));
  const decoded = decodeSource(bytes);
  if (!decoded.ok) return fail(`${what} ${target} ${decoded.reason}; it cannot be a fix target (gate 1).`);
  if (!sourceBytes(decoded.text).equals(bytes)) return fail(`${what} ${target} does not read back byte for byte; it cannot be a fix target (gate 1).`);
  const testHashes = await hashTestFiles(repo);
  if (state.mode === "pytest" && target in testHashes) return fail(protectedTarget(target));
  // Entry mode runs no tests: a script that happens to be named test_*.py may be fixed.
  if (state.mode === "entry") delete testHashes[target];
  const workspace = await deps.workspaces.create(repo, { exclude: [resolve(state.artifacts)] });
  const digest = sha256(bytes);
  return {
    update: {
      repo,
      ...(entry ? { entry } : {}),
      workspace,
      original: { path: target, content: decoded.text, sha256: digest },
      testHashes,
      reproAttempts: 0,
      attempts: [],
    },
    summary: `workspace ready, ${target === shown ? shown : `${shown} -> ${target}`} ${digest.slice(0, 12)}`,
  };
};
