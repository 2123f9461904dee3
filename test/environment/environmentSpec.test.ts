import { describe, expect, it } from "vitest";
import type { DependencyFiles } from "../../src/environment/dependencyFiles.js";
import { environmentHash, environmentSpec, installScript, SETUP_SCRIPT } from "../../src/environment/environmentSpec.js";

const nothing: DependencyFiles = { requirementsFiles: [], setupScript: false, declared: [] };
const withRequirements: DependencyFiles = { ...nothing, requirementsFiles: ["requirements.txt"] };
const SETUP = "#!/bin/sh\necho hi > /etc/motd\n";

describe(".opsguard/setup.sh in the environment spec", () => {
  it("nothing declared and no setup.sh: no environment image", () => {
    expect(environmentSpec(nothing, {})).toBeUndefined();
  });

  it("setup.sh alone makes an environment, with the network but nothing for pip to download", () => {
    const spec = environmentSpec(nothing, { [SETUP_SCRIPT]: SETUP });
    expect(spec).toMatchObject({ requirements: [], installPackage: false, thirdParty: false, setupScript: true, network: true });
    expect(spec?.files).toEqual([{ name: SETUP_SCRIPT, content: SETUP }]);
  });

  it("runs after the installs, and its failure has its own exit status", () => {
    const spec = environmentSpec(withRequirements, { "requirements.txt": "greetlib\n", [SETUP_SCRIPT]: SETUP })!;
    const lines = installScript(spec).split("\n");
    const install = lines.findIndex((line) => line.includes("-r '/workspace/requirements.txt'"));
    const setup = lines.findIndex((line) => line.includes("/workspace/.opsguard/setup.sh </dev/null"));
    expect(install).toBeGreaterThan(0);
    expect(setup).toBeGreaterThan(install);
    expect(lines[setup]).toContain('echo "OPSGUARD-SETUP-EXIT $?"; exit 91;');
  });

  it("its bytes are part of the hash: one changed byte, another image", () => {
    const hash = (content: string) => environmentHash("sha256:base", "3.11.2", environmentSpec(nothing, { [SETUP_SCRIPT]: content })!);
    expect(hash(SETUP)).toBe(hash(SETUP));
    expect(hash(SETUP)).not.toBe(hash(SETUP.replace("hi", "ho")));
    expect(hash("\xe9")).not.toBe(hash("\xe8"));
  });

  it("without setup.sh the script runs nothing of the repository's", () => {
    const spec = environmentSpec(withRequirements, { "requirements.txt": "greetlib\n" })!;
    expect(spec.network).toBe(true);
    expect(installScript(spec)).not.toContain(".opsguard");
  });
});
