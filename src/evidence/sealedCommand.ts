/**
 * The sealed pytest run's container: one container, two users, two views of the workspace
 * (sandbox/python/opsguard_seal.py). The test side (uid 65532) sees the workspace without the
 * changed files under /sealed, a tmpfs only it can enter; the code side (uid 65534, as in every
 * other run) sees /workspace without the tests. Only OpsGuard's launcher starts as root, with
 * CAP_SETUID, CAP_SETGID (to start the two sides) and CAP_KILL (to restart the code side) alone;
 * both sides lose every capability when they change user, and no-new-privileges stays on. Pure.
 */
import { posix } from "node:path";
import { RUNTIME_MOUNT, type ContainerLayout } from "../sandbox/docker.js";

export const SEALED_ROOT = "/sealed";
const SEALED_WORKSPACE = `${SEALED_ROOT}/workspace`;
const TEST_UID = 65532;

/**
 * The test files' locations to hide from the code side: top-level tests/ and test/ directories
 * whole (data the tests read included), every other test file one by one, since it may sit next to
 * the code (mypkg/test_pricing.py) in a directory the code side needs.
 */
export function hiddenFromCode(testFiles: string[]): { dirs: string[]; files: string[] } {
  const dirs = new Set<string>();
  const files: string[] = [];
  for (const file of testFiles) {
    const top = file.split("/")[0]!;
    if (top !== file && (top === "tests" || top === "test")) dirs.add(top);
    else if (top !== file || posix.basename(file) === "conftest.py" || /^test_.*\.py$|_test\.py$/.test(file)) files.push(file);
  }
  return { dirs: [...dirs].sort(), files: files.sort() };
}

/**
 * `standIn` is a host path of sandbox/python/opsguard_elsewhere.py: a regular file (the import
 * search skips /dev/null) that takes the place of each changed file on the test side.
 */
export function sealedLayout(workspace: string, changedFiles: string[], testFiles: string[], tmpfsBytes: number, standIn: string): ContainerLayout {
  const hidden = hiddenFromCode(testFiles);
  return {
    user: "0:0",
    capAdd: ["SETUID", "SETGID", "KILL"],
    workingDir: "/",
    hidden,
    views: [{ target: SEALED_WORKSPACE, source: workspace, readOnly: true, replaced: Object.fromEntries(changedFiles.map((file) => [file, standIn])) }],
    tmpfs: { [SEALED_ROOT]: `rw,nosuid,nodev,noexec,mode=0700,uid=${TEST_UID},gid=${TEST_UID},size=${tmpfsBytes}` },
  };
}

/** The reproduction's pytest command, run under the seal: the launcher adds the plugins itself. */
export function sealedCommand(reproduction: string[]): string[] {
  const args = reproduction.slice(reproduction.indexOf("pytest") + 1);
  const kept = args.filter((arg, i) => !(arg === "-p" && args[i + 1] === "opsguard_pytest") && !(arg === "opsguard_pytest" && args[i - 1] === "-p"));
  return ["python3", `${RUNTIME_MOUNT}/opsguard_seal.py`, ...kept];
}
