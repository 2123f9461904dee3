/**
 * What an environment image is built from, and its tag: a hash of the base image id, the Python
 * version and every dependency file's content (the repository's `.opsguard/setup.sh` included).
 * Pure: the same inputs always give the same tag and the same install script.
 */
import { createHash } from "node:crypto";
import type { DependencyFiles } from "./dependencyFiles.js";

export interface SpecFile {
  /** Repository-relative path, or `--requirements N` for a file given on the command line. */
  name: string;
  content: string;
}

export interface EnvironmentSpec {
  /** Requirements files to install, as the build container sees them. */
  requirements: { name: string; pathInBuild: string }[];
  /** Install the repository's own package (editable, from /workspace, with the image's setuptools). */
  installPackage: boolean;
  /** Something third-party is declared: pip may download (else the package installs with --no-index). */
  thirdParty: boolean;
  /** Run the repository's `.opsguard/setup.sh` after the installs. */
  setupScript: boolean;
  /** The build gets the host's network: something third-party is declared, or setup.sh may need it. */
  network: boolean;
  /** Every file the image depends on, hashed into its tag. */
  files: SpecFile[];
}

/** Where the build container sees the workspace copy and the command line's requirements files. */
export const BUILD_WORKSPACE = "/workspace";
export const BUILD_EXTRA = "/opsguard-env";

/**
 * The repository's own build step: trusted repository code, run in the build container as root
 * with the network, after the installs. Its bytes are part of the image's hash.
 */
export const SETUP_SCRIPT = ".opsguard/setup.sh";
/** The build container's exit status when setup.sh failed; the script's own status is printed before it. */
export const SETUP_FAILED_EXIT = 91;
export const SETUP_MARKER = "OPSGUARD-SETUP";
export const SETUP_STATUS_MARKER = "OPSGUARD-SETUP-EXIT";

const hasRequirement = (text: string) => text.split(/\r?\n/).some((line) => line.replace(/#.*$/, "").trim() !== "");

/**
 * The spec for a repository, or undefined when it declares nothing to install and has no
 * `.opsguard/setup.sh` (it then runs in the base image, exactly as before). `read` holds the files'
 * contents by repository path; `overrides` (from --requirements) replace the requirements files found.
 */
export function environmentSpec(
  found: DependencyFiles,
  read: Record<string, string>,
  overrides?: SpecFile[],
): EnvironmentSpec | undefined {
  const requirementFiles: SpecFile[] = overrides ?? found.requirementsFiles.map((name) => ({ name, content: read[name] ?? "" }));
  const used = requirementFiles.filter((file) => hasRequirement(file.content));
  const requirements = used.map((file, i) => ({
    name: file.name,
    pathInBuild: overrides ? `${BUILD_EXTRA}/requirements-${i + 1}.txt` : `${BUILD_WORKSPACE}/${file.name}`,
  }));
  const installPackage = found.setupScript || (found.pyproject?.installable ?? false);
  const setup = read[SETUP_SCRIPT];
  if (requirements.length === 0 && !installPackage && setup === undefined) return undefined;
  const packageFiles = ["pyproject.toml", "setup.py", "setup.cfg"].filter((name) => installPackage && read[name] !== undefined);
  const files = [
    ...used,
    ...packageFiles.map((name) => ({ name, content: read[name] ?? "" })),
    ...(setup === undefined ? [] : [{ name: SETUP_SCRIPT, content: setup }]),
  ];
  const thirdParty = used.length > 0 || (found.pyproject?.dependencies.length ?? 0) > 0 || found.setupScript;
  const setupScript = setup !== undefined;
  return { requirements, installPackage, thirdParty, setupScript, network: thirdParty || setupScript, files };
}

export function environmentHash(baseImageId: string, python: string, spec: EnvironmentSpec): string {
  const hash = createHash("sha256").update(`opsguard-env-1\0${baseImageId}\0${python}\0`);
  for (const file of spec.files) hash.update(`${file.name}\0${file.content}\0`);
  hash.update(`${spec.installPackage}\0`);
  return hash.digest("hex");
}

export const ENV_REPOSITORY = "opsguard-env";

export function environmentTag(hash: string): string {
  return `${ENV_REPOSITORY}:${hash.slice(0, 20)}`;
}

/** The standard pip variables from the user's environment, and nothing else. */
export const PIP_VARIABLES = ["PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_TRUSTED_HOST"] as const;

export function pipIndexSettings(env: Record<string, string | undefined>): Partial<Record<(typeof PIP_VARIABLES)[number], string>> {
  const picked: Partial<Record<(typeof PIP_VARIABLES)[number], string>> = {};
  for (const name of PIP_VARIABLES) {
    const value = env[name];
    if (value) picked[name] = value;
  }
  return picked;
}

/** pip.conf for the build: the index settings, so they never enter the image's configuration. */
export function pipConfig(settings: ReturnType<typeof pipIndexSettings>): string {
  const lines = ["[global]"];
  if (settings.PIP_INDEX_URL) lines.push(`index-url = ${settings.PIP_INDEX_URL}`);
  if (settings.PIP_EXTRA_INDEX_URL) lines.push(`extra-index-url = ${settings.PIP_EXTRA_INDEX_URL.split(/\s+/).join("\n    ")}`);
  if (settings.PIP_TRUSTED_HOST) lines.push(`trusted-host = ${settings.PIP_TRUSTED_HOST.split(/\s+/).join("\n    ")}`);
  return `${lines.join("\n")}\n`;
}

const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/**
 * The build container's script. It prints the Python version first; exit 90 means the image has no
 * pip, exit 91 that setup.sh failed (its own status on the line before).
 */
export function installScript(spec: EnvironmentSpec): string {
  const pip = "python3 -m pip install --break-system-packages --no-cache-dir --disable-pip-version-check --no-input --root-user-action=ignore --progress-bar off";
  const steps = [
    // One stream, so the installer's and setup.sh's last lines keep the order they were printed in.
    "exec 2>&1",
    "set -e",
    `python3 -c 'import sys; print("OPSGUARD-PYTHON", sys.version.split()[0])'`,
    "python3 -m pip --version >/dev/null 2>&1 || { echo 'this image has no pip (python3 -m pip)'; exit 90; }",
    ...spec.requirements.map((r) => `echo ${shellQuote(`installing ${r.name}`)} && ${pip} -r ${shellQuote(r.pathInBuild)}`),
  ];
  if (spec.installPackage) {
    // The image's own setuptools builds it (no build isolation), editable, so that runs import the
    // workspace's code (and a fix in it) rather than a copy frozen into the image.
    const offline = spec.thirdParty ? "" : " --no-index --no-deps";
    steps.push(`echo 'installing the repository as a package' && ${pip} --no-build-isolation${offline} -e ${BUILD_WORKSPACE}`);
  }
  if (spec.setupScript) {
    // Run through its own #! line, or by sh when it has none (execve's ENOEXEC fallback); the
    // chmod only touches the build's throwaway copy of the workspace.
    const script = `${BUILD_WORKSPACE}/${SETUP_SCRIPT}`;
    steps.push(
      `echo ${SETUP_MARKER} && chmod u+x ${script} && { ${script} </dev/null || { echo "${SETUP_STATUS_MARKER} $?"; exit ${SETUP_FAILED_EXIT}; }; }`,
    );
  }
  return steps.join("\n");
}
