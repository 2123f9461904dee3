/**
 * A second interpreter on real Docker: --python 3.13 runs the base image's family tagged py3.13, and
 * requires-python chooses it when it excludes the default. The image must exist (it fails, never
 * skips, saying how to build it).
 */
import Docker from "dockerode";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildGraph } from "../../src/graph/buildGraph.js";
import { recursionLimit } from "../../src/graph/remediate.js";
import type { OpsGuardInput, OpsGuardState } from "../../src/state/state.js";
import { createDockerSandbox } from "../../src/sandbox/docker.js";
import { STDLIB_MODULE_NAMES } from "../../src/environment/stdlibModules.js";
import { requireDocker, SANDBOX_IMAGE } from "../support/docker.js";
import { scriptedDeps } from "../support/scripted.js";
import { tempRepo } from "../support/workspace.js";

const PY313 = SANDBOX_IMAGE.replace(/:py\d+\.\d+$/, ":py3.13");
let docker: Docker;
const made: string[] = [];

beforeAll(async () => {
  docker = await requireDocker();
  await docker.getImage(PY313).inspect().catch(() => {
    throw new Error(`These tests need ${PY313}. Build it with \`npm run sandbox:image -- ${PY313} --python 3.13\`.`);
  });
});

const artifactRoot = mkdtempSync(join(tmpdir(), "opsguard-python-"));
afterAll(async () => {
  rmSync(artifactRoot, { recursive: true, force: true });
  for (const tag of made) await docker.getImage(tag).remove({ force: true }).catch(() => undefined);
});
let runs = 0;

async function remediate(files: Record<string, string>, answers: string[], input: Partial<OpsGuardInput> = {}) {
  const { deps, proposer } = scriptedDeps(answers);
  const full = { repo: tempRepo(files), error: "it fails", artifacts: join(artifactRoot, `run-${++runs}`), image: SANDBOX_IMAGE, ...input };
  const state = (await buildGraph(deps).invoke(full, { recursionLimit: recursionLimit({}) })) as OpsGuardState;
  if (state.environment?.built) made.push(state.environment.image);
  return { state, proposer };
}

const PEP695 = "type Price = float\n\ndef first[T](items: list[T]) -> T:\n    return items[1]\n\nprint(first([1.5]))\n";
const PEP695_FIXED = PEP695.replace("items[1]", "items[0]");

describe("a second interpreter", () => {
  it("knows the standard library of Python 3.13 too", async () => {
    const result = await createDockerSandbox({ image: PY313 }).run(tempRepo({}), ["python3", "-c", "import sys; print(' '.join(sorted(sys.stdlib_module_names)))"]);
    expect(result.stdout.trim().split(/\s+/).filter((name) => !STDLIB_MODULE_NAMES.has(name))).toEqual([]);
  });

  it("on 3.11, PEP 695 syntax stops the run with --python 3.13 as the remedy", async () => {
    const { state, proposer } = await remediate({ "app.py": PEP695 }, [PEP695_FIXED]);
    expect(state.infraCode).toBe("NEWER_PYTHON");
    expect(state.reason).toContain("Pass --python 3.13 (or --image with a Python 3.12+ image).");
    expect(proposer.requests).toHaveLength(0);
  });

  it("with --python 3.13 the same program reproduces its real bug and the fix is proven on 3.13", async () => {
    const { state, proposer } = await remediate({ "app.py": PEP695 }, [PEP695_FIXED], { python: "3.13" });
    expect(state.baseImage).toBe(PY313);
    expect(state.reproduction?.image).toBe(PY313);
    expect(state.classification?.exception).toBe("IndexError");
    expect(state.status).toBe("SUCCESS");
    expect(state.verification?.stdout).toBe("1.5\n");
    expect(proposer.requests).toHaveLength(1);
  });

  it("requires-python that excludes 3.11 chooses 3.13, and the package installs there offline", async () => {
    const pyproject = `[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "pricing${Date.now()}"\nversion = "1.0"\nrequires-python = ">=3.12"\n\n[tool.setuptools]\npy-modules = ["app"]\n`;
    const { state } = await remediate({ "app.py": PEP695, "pyproject.toml": pyproject }, [PEP695_FIXED]);
    expect(state.baseImage).toBe(PY313);
    expect(state.environment?.python).toMatch(/^3\.13\./);
    expect(state.environment?.base.name).toBe(PY313);
    expect(state.timeline?.find((e) => e.node === "buildReproduction")?.summary).toContain(`${PY313} (pyproject.toml requires-python ">=3.12" excludes 3.11)`);
    expect(state.status).toBe("SUCCESS");
  });

  it("a Python whose image is missing stops as INFRA_STOP saying how to build it", async () => {
    const { state } = await remediate({ "app.py": PEP695 }, [PEP695_FIXED], { python: "3.9" });
    const missing = SANDBOX_IMAGE.replace(/:py\d+\.\d+$/, ":py3.9");
    expect(state.status).toBe("INFRA_STOP");
    expect(state.reason).toBe(`The sandbox image ${missing} is not present on the Docker engine. Build it with \`npm run sandbox:image -- ${missing} --python 3.9\`, or pass --image / OPSGUARD_IMAGE.`);
  });
});
