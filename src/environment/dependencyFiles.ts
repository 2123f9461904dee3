/**
 * What a repository declares about its Python environment: requirements files, pyproject.toml's
 * `[project]` table, and whether it is an installable package. Parsing is pure; `readDependencyFiles`
 * reads the files.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

export interface DeclaredRequirement {
  /** As written, e.g. `PyYAML>=6`. */
  requirement: string;
  /** PEP 503-normalised distribution name, e.g. `pyyaml`. */
  name: string;
  /** Where it is declared, e.g. `requirements.txt:3` or `pyproject.toml [project].dependencies`. */
  where: string;
}

/** PEP 503 normalisation: lower case, runs of `-`, `_` and `.` become one `-`. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

const NAME = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)/;

/** Requirement lines of a requirements file; options (`-r`, `-e`, `--index-url` ...) and comments are left out. */
export function parseRequirements(text: string, file: string): DeclaredRequirement[] {
  const found: DeclaredRequirement[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/(^|\s)#.*$/, "").trim();
    if (!line || line.startsWith("-")) return;
    const name = NAME.exec(line)?.[1];
    if (name) found.push({ requirement: line, name: normalizeName(name), where: `${file}:${i + 1}` });
  });
  return found;
}

export interface PyprojectFacts {
  /** `[project].dependencies`, as written. */
  dependencies: string[];
  requiresPython?: string;
  /** The file has a `[project]` or `[build-system]` table: the repository is an installable package. */
  installable: boolean;
}

/** The body of one TOML table (`[name]` up to the next table header). */
function tableBody(text: string, name: string): string | undefined {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((line) => line.trim() === `[${name}]`);
  if (start === -1) return undefined;
  const end = lines.findIndex((line, i) => i > start && /^\s*\[/.test(line));
  return lines.slice(start + 1, end === -1 ? undefined : end).join("\n");
}

const TOML_STRING = /"((?:[^"\\]|\\.)*)"|'([^']*)'/g;

/**
 * The few pyproject.toml keys OpsGuard needs, read without a TOML library: `dependencies` (a
 * possibly multi-line array of strings) and `requires-python` in `[project]`.
 */
export function parsePyproject(text: string): PyprojectFacts {
  const project = tableBody(text, "project");
  const installable = project !== undefined || tableBody(text, "build-system") !== undefined;
  if (project === undefined) return { dependencies: [], installable };
  const withoutComments = project.replace(/(^|\s)#[^\n"']*$/gm, "");
  const array = /^\s*dependencies\s*=\s*\[([\s\S]*?)\]/m.exec(withoutComments)?.[1] ?? "";
  const dependencies = [...array.matchAll(TOML_STRING)].map((m) => (m[1] ?? m[2] ?? "").trim()).filter(Boolean);
  const requiresPython = /^\s*requires-python\s*=\s*["']([^"']*)["']/m.exec(withoutComments)?.[1];
  return { dependencies, installable, ...(requiresPython ? { requiresPython } : {}) };
}

export interface DependencyFiles {
  /** Relative paths of the requirements files found (requirements*.txt at the root), sorted. */
  requirementsFiles: string[];
  pyproject?: PyprojectFacts;
  /** setup.py or setup.cfg exists. */
  setupScript: boolean;
  /** Every declared requirement, from the requirements files and pyproject.toml. */
  declared: DeclaredRequirement[];
}

export const REQUIREMENTS_FILE = /^requirements.*\.txt$/i;

/** Reads what `repo` declares. Missing files are simply absent; nothing here runs code. */
export async function readDependencyFiles(repo: string): Promise<DependencyFiles> {
  const names = (await readdir(repo).catch(() => [] as string[])).sort();
  const requirementsFiles = names.filter((name) => REQUIREMENTS_FILE.test(name));
  const declared: DeclaredRequirement[] = [];
  for (const file of requirementsFiles) {
    declared.push(...parseRequirements(await readFile(join(repo, file), "utf8"), file));
  }
  const pyprojectText = names.includes("pyproject.toml") ? await readFile(join(repo, "pyproject.toml"), "utf8") : undefined;
  const pyproject = pyprojectText === undefined ? undefined : parsePyproject(pyprojectText);
  for (const requirement of pyproject?.dependencies ?? []) {
    const name = NAME.exec(requirement)?.[1];
    if (name) declared.push({ requirement, name: normalizeName(name), where: "pyproject.toml [project].dependencies" });
  }
  return {
    requirementsFiles,
    ...(pyproject ? { pyproject } : {}),
    setupScript: names.includes("setup.py") || names.includes("setup.cfg"),
    declared,
  };
}
