/** Gates 1 and 2, then a private copy of the repository for the sandbox. No container runs here. */
import { readFile, stat } from "node:fs/promises";
import { isAbsolute, join, normalize, resolve } from "node:path";
import type { NodeFn } from "../graph/deps.js";
import { sha256 } from "../tools/hash.js";
import { hashTestFiles } from "../tools/testFiles.js";

const isDir = async (path: string) => (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
const isFile = async (path: string) => (await stat(path).catch(() => undefined))?.isFile() ?? false;

export const setup: NodeFn = async (state, { deps }) => {
  const repo = resolve(state.repo);
  const fail = (reason: string) => ({ update: { status: "FAILED" as const, reason }, summary: reason });
  if (!(await isDir(repo))) return fail(`Repository ${repo} is not a directory.`);
  const entry = normalize(state.entry);
  if (isAbsolute(entry) || entry.startsWith("..")) {
    return fail(`Entry file ${state.entry} must be a path inside the repository.`);
  }
  if (!(await isFile(join(repo, entry)))) {
    return fail(`Entry file ${entry} was not found in ${repo} (gate 1).`);
  }
  if (state.mode === "pytest" && !(await isDir(join(repo, "tests")))) {
    return fail(`Pytest mode needs a tests/ folder in ${repo}, and there is none (gate 2).`);
  }
  const content = await readFile(join(repo, entry), "utf8");
  const testHashes = await hashTestFiles(repo);
  const workspace = await deps.workspaces.create(repo);
  return {
    update: {
      repo,
      entry,
      workspace,
      original: { path: entry, content, sha256: sha256(content) },
      testHashes,
      reproAttempts: 0,
      attempts: [],
    },
    summary: `workspace ready, ${entry} ${sha256(content).slice(0, 12)}`,
  };
};
