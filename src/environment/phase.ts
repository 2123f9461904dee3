/**
 * The build phase, run by buildReproduction before the first reproduction: when the repository
 * declares dependencies or has a `.opsguard/setup.sh`, builds (or finds) its environment image FROM
 * the sandbox base, before any candidate exists, from the workspace as the repository has it.
 * Every later run uses that image, offline and hardened as ever. Nothing declared, or
 * --no-install: the base image, as before.
 */
import type { EnvironmentBuilder } from "./environmentBuilder.js";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { OpsGuardState } from "../state/state.js";
import { readDependencyFiles } from "./dependencyFiles.js";
import { environmentSpec, SETUP_SCRIPT, type SpecFile } from "./environmentSpec.js";
import { UsageError } from "../errors.js";
import { DEFAULT_IMAGE } from "../sandbox/docker.js";

const PACKAGE_FILES = ["pyproject.toml", "setup.py", "setup.cfg"];

async function readOverrides(paths: string[]): Promise<SpecFile[] | undefined> {
  if (paths.length === 0) return undefined;
  const files: SpecFile[] = [];
  for (const [i, path] of paths.entries()) {
    const content = await readFile(path, "utf8").catch(() => {
      throw new UsageError(`--requirements ${path} cannot be read.`);
    });
    files.push({ name: `--requirements ${i + 1} (${path})`, content });
  }
  return files;
}

export interface EnvironmentPhase {
  environment?: NonNullable<OpsGuardState["environment"]>;
  summary: string;
}

export type EnvironmentInput = Pick<OpsGuardState, "install" | "requirements" | "image"> & { workspace: string };

export async function environmentPhase(state: EnvironmentInput, deps: { environments?: EnvironmentBuilder | undefined }, signal?: AbortSignal): Promise<EnvironmentPhase> {
  if (state.install === false) return { summary: "--no-install: the base image" };
  if (!deps.environments) return { summary: "no environment builder: the base image" };
  const workspace = state.workspace;
  const found = await readDependencyFiles(workspace);
  const read: Record<string, string> = {};
  for (const name of [...found.requirementsFiles, ...PACKAGE_FILES]) {
    const content = await readFile(join(workspace, name), "utf8").catch(() => undefined);
    if (content !== undefined) read[name] = content;
  }
  // Latin-1 maps each byte to one character, so the hash covers the script's exact bytes.
  const setup = await readFile(join(workspace, SETUP_SCRIPT)).catch(() => undefined);
  if (setup !== undefined) read[SETUP_SCRIPT] = setup.toString("latin1");
  const overrides = await readOverrides(state.requirements ?? []);
  const spec = environmentSpec(found, read, overrides);
  if (!spec) return { summary: "nothing to install: the base image" };
  const environment = await deps.environments.prepare({
    workspace,
    baseImage: state.image ?? process.env.OPSGUARD_IMAGE ?? DEFAULT_IMAGE,
    spec,
    ...(overrides ? { overrides } : {}),
    ...(signal ? { signal } : {}),
  });
  return {
    environment,
    summary: `${environment.built ? "built" : "reused"} ${environment.image} (Python ${environment.python}) from ${environment.files.join(", ")}`,
  };
}
