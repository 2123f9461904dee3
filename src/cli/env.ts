/** The work of `opsguard env`: the build phase alone, on a private copy of the repository. */
import { environmentPhase } from "../environment/phase.js";
import { createEnvironmentBuilder } from "../environment/environmentBuilder.js";
import { DEFAULT_IMAGE } from "../sandbox/docker.js";
import { createWorkspaceManager } from "../workspace/workspace.js";
import type { EnvArgs } from "./options/env.js";
import { EXIT } from "../exitCodes.js";
import { defaultIo, type CliIo } from "./output.js";
import { RUN_INPUTS } from "../state/inputTable.js";
import { checkedPath, CLI_NAMES } from "../state/runInputs.js";
import { reportError } from "./reportError.js";

export async function runEnv(args: EnvArgs, io: CliIo = defaultIo): Promise<number> {
  const workspaces = createWorkspaceManager();
  let workspace: string | undefined;
  try {
    // The same checks and messages as the run command's --repo and --requirements.
    const given = { base: process.cwd(), names: CLI_NAMES };
    const repo = await checkedPath(RUN_INPUTS.repo, args.repo, given);
    const requirements = await Promise.all(args.requirements.map((file) => checkedPath(RUN_INPUTS.requirements, file, given)));
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
