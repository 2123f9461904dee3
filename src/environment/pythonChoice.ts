/**
 * Which Python the sandbox runs: `--python` if given, else the repository's `requires-python` when
 * it excludes the default, else the default. A Python is chosen by its image: the base image's
 * family with the tag `pyX.Y` (`opsguard-sandbox:py3.11` -> `opsguard-sandbox:py3.13`). Pure.
 */
import { InfraError, UsageError } from "../errors.js";

/** The Pythons `npm run sandbox:image -- --python X` builds images for, oldest first. */
export const KNOWN_PYTHONS = ["3.11", "3.13"] as const;

const PY_TAG = /^(.*):py(\d+\.\d+)$/;

/** An image tagged `pyX.Y`: its family and Python (`opsguard-sandbox:py3.11` -> `opsguard-sandbox`, `3.11`). */
export function imagePython(image: string): { family: string; python: string } | undefined {
  const match = PY_TAG.exec(image);
  return match?.[1] && match[2] ? { family: match[1], python: match[2] } : undefined;
}

/** Whether Python `a` is newer than `b` ("3.13" > "3.11"). */
export function isNewerPython(a: string, b: string): boolean {
  const [a1 = 0, a2 = 0] = a.split(".").map(Number);
  const [b1 = 0, b2 = 0] = b.split(".").map(Number);
  return a1 - b1 > 0 || (a1 === b1 && a2 > b2);
}

type Version = [number, number, number];

function parse(text: string): Version | undefined {
  const match = /^(\d+)(?:\.(\d+|\*))?(?:\.(\d+|\*))?/.exec(text.trim());
  if (!match) return undefined;
  const part = (s: string | undefined) => (s === undefined || s === "*" ? 0 : Number(s));
  return [part(match[1]), part(match[2]), part(match[3])];
}

const compare = (a: Version, b: Version) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

function satisfies(version: Version, clause: string): boolean {
  const match = /^\s*(~=|===|==|!=|<=|>=|<|>)\s*(\S+)\s*$/.exec(clause);
  if (!match) return true; // a clause OpsGuard cannot read does not exclude anything
  const [, op, raw = ""] = match;
  const wildcard = raw.endsWith(".*");
  const target = parse(raw);
  if (!target) return true;
  const c = compare(version, target);
  switch (op) {
    case "==":
    case "===":
      return wildcard ? version[0] === target[0] && (raw.split(".").length < 3 || version[1] === target[1]) : c === 0;
    case "!=":
      return wildcard ? !(version[0] === target[0] && version[1] === target[1]) : c !== 0;
    case ">=":
      return c >= 0;
    case ">":
      return c > 0;
    case "<=":
      return c <= 0;
    case "<":
      return c < 0;
    case "~=":
      return c >= 0 && version[0] === target[0] && (raw.split(".").length < 3 || version[1] === target[1]);
    default:
      return true;
  }
}

/** Whether some release of Python `minor` (e.g. "3.11") satisfies the specifier (e.g. ">=3.12,<4"). */
export function allowsPython(specifier: string, minor: string): boolean {
  const [major = 0, min = 0] = minor.split(".").map(Number);
  const clauses = specifier.split(",").filter((c) => c.trim() !== "");
  return [0, 99].some((patch) => clauses.every((clause) => satisfies([major, min, patch], clause)));
}

export interface PythonChoice {
  image: string;
  /** Set when the choice moved away from the base image: why, for the progress line. */
  because?: string;
}

export interface PythonChoiceInput {
  /** --image, else OPSGUARD_IMAGE, else the default. */
  baseImage: string;
  python?: string;
  requiresPython?: string;
}

function imageFor(baseImage: string, python: string, flag: string): string {
  const family = imagePython(baseImage)?.family;
  if (!family) {
    throw new UsageError(`${flag} chooses an image tagged pyX.Y in the family of the base image, and ${baseImage} has no such tag: pass --image with a Python ${python} image instead.`);
  }
  return `${family}:py${python}`;
}

export function choosePython(input: PythonChoiceInput): PythonChoice {
  if (input.python) {
    const image = imageFor(input.baseImage, input.python, `--python ${input.python}`);
    return image === input.baseImage ? { image } : { image, because: `--python ${input.python}` };
  }
  const current = imagePython(input.baseImage)?.python;
  const wanted = input.requiresPython;
  if (!wanted || !current || allowsPython(wanted, current)) return { image: input.baseImage };
  const python = KNOWN_PYTHONS.find((version) => allowsPython(wanted, version));
  if (!python) {
    throw new InfraError(
      "PYTHON_UNAVAILABLE",
      `pyproject.toml requires-python "${wanted}" excludes Python ${current} and every Python OpsGuard builds images for (${KNOWN_PYTHONS.join(", ")}): pass --image with a Python that satisfies it.`,
    );
  }
  return { image: imageFor(input.baseImage, python, `requires-python "${wanted}"`), because: `pyproject.toml requires-python "${wanted}" excludes ${current}` };
}
