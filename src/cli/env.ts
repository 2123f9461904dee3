/** The work of `opsguard env`: the build phase alone, on a private copy of the repository. */
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { environmentPhase } from "../environment/phase.js";
import { createEnvironmentBuilder } from "../environment/environmentBuilder.js";
import { UsageError } from "../errors.js";
import { DEFAULT_IMAGE } from "../sandbox/docker.js";
import { createWorkspaceManager } from "../workspace/workspace.js";
import type { EnvArgs } from "./options/env.js";
import { EXIT } from "../exitCodes.js";
import { defaultIo, type CliIo } from "./output.js";
import { checkRequirements } from "./run.js";
import { reportError } from "./reportError.js";

export async function runEnv(args: EnvArgs, io: CliIo = defaultIo): Promise<number> {
  const workspaces = createWorkspaceManager();
  let workspace: string | undefined;
  try {
    const repo = resolve(args.repo);
    if (!(await stat(repo).catch(() => undefined))?.isDirectory()) throw new UsageError(`--repo ${args.repo} is not a directory.`);
    const requirements = await checkRequirements(args.requirements);
    workspace = await workspaces.create(repo);
    const environments = createEnvironmentBuilder({ progress: (line) => io.stderr.write(`[opsguard] environment | ${line}\n`) });
    const phase = await environmentPhase(
      { workspace, ...(args.image ? { image: args.image } : {}), requirements, install: args.install },
      { environments },
    );
    io.stderr.write(`[opsguard] environment: ${phase.summary}\n`);
    io.stdout.write(`${phase.environment?.image ?? args.image ?? io.env.OPSGUARD_IMAGE ?? DEFAULT_IMAGE}\n`);
    return EXIT.SUCCESS;
  } catch (err) {
    return reportError(err, io);
  } finally {
    if (workspace) await workspaces.remove(workspace);
  }
}
