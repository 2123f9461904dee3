import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildGraph } from "../../src/graph/buildGraph.js";
import { recursionLimit } from "../../src/graph/remediate.js";
import type { OpsGuardInput, OpsGuardState } from "../../src/state/state.js";
import { ROOT } from "./built.js";
import { scriptedDeps } from "./scripted.js";
import { tempRepo } from "./workspace.js";

/** The demo repository (entry mode: app.py; pytest mode: its tests) and its buggy app.py. */
export const DEMO = join(ROOT, "demo_repo");
export const DEMO_ORIGINAL = readFileSync(join(DEMO, "app.py"), "utf8");
/** The sealed fixture's repository: tests that hand only plain data to the code they test. */
export const SEALED_REPO = join(ROOT, "test/fixtures/sealed/repo");

/** A candidate file of a corpus under test/fixtures. */
export const fixture = (relative: string) => readFileSync(join(ROOT, "test/fixtures", relative), "utf8");

/** One whole remediation on real Docker whose only proposal is `candidate`. */
export async function remediateWith(candidate: string, input: Partial<OpsGuardInput> = {}) {
  const { deps } = scriptedDeps([candidate]);
  const full = { repo: DEMO, error: "ValueError", artifacts: tempRepo({}), maxFixAttempts: 1, ...input } as OpsGuardInput;
  const state = (await buildGraph(deps).invoke(full, { recursionLimit: recursionLimit({}) })) as OpsGuardState;
  return { state, attempt: state.attempts?.[0] };
}
