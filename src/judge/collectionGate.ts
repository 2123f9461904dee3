/**
 * Gate 2 in pytest mode: pytest must collect at least one test, the way the repository's own
 * configuration tells it to. When it collects none, the message says where it looked and how to
 * point it elsewhere. Pure.
 */
import { WORKSPACE_MOUNT } from "../sandbox/docker.js";
import type { PytestEvidence } from "../evidence/pytest.js";

/** pytest's exit status for "no tests were collected". */
const NO_TESTS_COLLECTED = 5;

const shownPath = (arg: string) =>
  arg === WORKSPACE_MOUNT || arg === "." ? "the repository root" : arg.startsWith(`${WORKSPACE_MOUNT}/`) ? arg.slice(WORKSPACE_MOUNT.length + 1) : arg;

/** The gate-2 refusal, or undefined when pytest collected tests (or failed for another reason). */
export function collectionProblem(evidence: PytestEvidence, givenTests: readonly string[]): string | undefined {
  if (evidence.collected.length > 0 || evidence.exitstatus !== NO_TESTS_COLLECTED) return undefined;
  const where = evidence.where;
  const looked = where ? where.args.map(shownPath).join(", ") : givenTests.length ? givenTests.join(", ") : "the repository root";
  const how = givenTests.length
    ? "as given with --tests"
    : where?.testpaths.length
      ? `from testpaths in ${where.inifile ?? "the configuration"}`
      : where?.inifile
        ? `with ${where.inifile} (no testpaths)`
        : "with no pytest configuration";
  const patterns = where?.python_files.length ? ` for files named ${where.python_files.join(" or ")}` : "";
  return (
    `Pytest collected no tests (gate 2): it looked in ${looked} ${how}${patterns}. ` +
    "Point it at the tests with --tests PATH (repeatable), or set testpaths and python_files in pytest.ini or pyproject.toml."
  );
}
