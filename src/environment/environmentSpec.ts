/**
 * What an environment image is built from, and its tag: a hash of the base image id, the Python
 * version and every dependency file's content. Pure: the same inputs always give the same tag and
 * the same install script.
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
  /** Something third-party is declared: only then does the build get a network. */
  thirdParty: boolean;
  /** Every file the image depends on, hashed into its tag. */
  files: SpecFile[];
}

/** Where the build container sees the workspace copy and the command line's requirements files. */
export const BUILD_WORKSPACE = "/workspace";
export const BUILD_EXTRA = "/opsguard-env";

const hasRequirement = (text: string) => text.split(/\r?\n/).some((line) => line.replace(/#.*$/, "").trim() !== "");

/**
 * The spec for a repository, or undefined when it declares nothing to install (it then runs in the
 * base image, exactly as before). `overrides` (from --requirements) replace the requirements files found.
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
  if (requirements.length === 0 && !installPackage) return undefined;
  const packageFiles = ["pyproject.toml", "setup.py", "setup.cfg"].filter((name) => installPackage && read[name] !== undefined);
  const files = [...used, ...packageFiles.map((name) => ({ name, content: read[name] ?? "" }))];
  const thirdParty = used.length > 0 || (found.pyproject?.dependencies.length ?? 0) > 0 || found.setupScript;
  return { requirements, installPackage, thirdParty, files };
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

/** The build container's script. It prints the Python version first; exit 90 means the image has no pip. */
export function installScript(spec: EnvironmentSpec): string {
  const pip = "python3 -m pip install --break-system-packages --no-cache-dir --disable-pip-version-check --no-input --root-user-action=ignore --progress-bar off";
  const steps = [
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
  return steps.join("\n");
}
