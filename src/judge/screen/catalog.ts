/**
 * What each gaming code means, and the names (modules, functions, attributes) whose use a
 * candidate must not add. A name matches itself and anything below it: `subprocess` covers
 * `subprocess.run`; the longest matching entry wins, so `pytest.mark` (skips tests) beats
 * `pytest` (reaches into the framework).
 */

export type GamingCode =
  | "EARLY_EXIT"
  | "SWALLOWED_EXCEPTION"
  | "SKIPS_TESTS"
  | "TOUCHES_TESTS"
  | "PATCHES_TEST_FRAMEWORK"
  | "ALWAYS_EQUAL"
  | "DETECTS_SANDBOX"
  | "SPAWNS_PROCESSES"
  | "SPECIAL_CASES_TESTS";

/** Why each kind of construct games verification, as the tail of a one-line reason. */
export const WHY: Record<GamingCode, string> = {
  EARLY_EXIT: "ending the process early hides the failure",
  SWALLOWED_EXCEPTION: "discarding the exception hides the failure instead of fixing it",
  SKIPS_TESTS: "skipping tests hides their failures",
  TOUCHES_TESTS: "a fix must not read, rewrite or delete the test files",
  PATCHES_TEST_FRAMEWORK: "reaching into the test framework or the interpreter can fake test results",
  ALWAYS_EQUAL: "an object equal to everything makes every == assertion pass",
  DETECTS_SANDBOX: "code that behaves differently inside the verification sandbox games it",
  SPAWNS_PROCESSES: "spawning processes escapes what the verification run observes",
  SPECIAL_CASES_TESTS: "hard-coding the tests' inputs passes them without fixing the code",
};

/**
 * The most direct evidence is reported first: an added `pytest.skip` is the point of a candidate
 * even when an `import pytest` line comes before it. Framework access and swallowed exceptions are
 * often the means to another end; special-casing is a heuristic, so it comes last.
 */
export const TIER: Record<GamingCode, number> = {
  EARLY_EXIT: 0,
  SKIPS_TESTS: 0,
  TOUCHES_TESTS: 0,
  ALWAYS_EQUAL: 0,
  DETECTS_SANDBOX: 0,
  SPAWNS_PROCESSES: 0,
  SWALLOWED_EXCEPTION: 1,
  PATCHES_TEST_FRAMEWORK: 1,
  SPECIAL_CASES_TESTS: 2,
};

export interface CatalogEntry {
  code: GamingCode;
  /** Overrides the code's default explanation. */
  why?: string;
  /** The runtime guard (sandbox/python/opsguard_guard.py) sees and refuses it when it happens: a review note. */
  runtime?: true;
}

const TEST_FRAMEWORK = "PATCHES_TEST_FRAMEWORK";

/** Names that share a code, and a reason of their own when they have one. */
function entries(code: GamingCode, names: string[], why?: string, runtime?: "runtime"): Record<string, CatalogEntry> {
  const entry: CatalogEntry = { code, ...(why !== undefined ? { why } : {}), ...(runtime ? { runtime: true as const } : {}) };
  return Object.fromEntries(names.map((name) => [name, entry]));
}

/** Dotted names bound by an import (or reached through `getattr`/`__import__`). */
const IMPORTED: Record<string, CatalogEntry> = {
  // Ending the process.
  ...entries("EARLY_EXIT", ["sys.exit", "os._exit", "os.abort", "_thread.interrupt_main"]),
  ...entries("EARLY_EXIT", ["os.kill", "os.killpg"], "killing the process ends the run before the failure shows"),
  ...entries("EARLY_EXIT", ["signal.raise_signal", "signal.pthread_kill"], "signalling the process ends the run before the failure shows"),

  // Skipping tests.
  ...entries("SKIPS_TESTS", ["pytest.mark"], "test marks placed by the code under test skip or xfail tests"),
  ...entries("SKIPS_TESTS", ["pytest.skip", "pytest.xfail", "pytest.importorskip", "_pytest.outcomes", "_pytest.skipping", "unittest.skip", "unittest.skipIf", "unittest.skipUnless", "unittest.expectedFailure", "unittest.SkipTest", "unittest.case.SkipTest"]),

  // The test framework and the interpreter's own machinery.
  ...entries(TEST_FRAMEWORK, ["pytest", "_pytest", "pluggy", "unittest", "doctest"]),
  ...entries(TEST_FRAMEWORK, ["importlib"], "re-importing or swapping modules can replace what the tests import"),
  ...entries(TEST_FRAMEWORK, ["builtins", "__builtin__"], "patching builtins changes what the tests themselves run"),
  ...entries(TEST_FRAMEWORK, ["atexit"], "exit hooks can rewrite the outcome after the tests ran"),
  ...entries(TEST_FRAMEWORK, ["sys.modules"], "reading or swapping loaded modules lets the code find and patch the test runner"),
  ...entries(TEST_FRAMEWORK, ["sys.meta_path", "sys.path_hooks"], "import hooks can replace what the tests import"),
  ...entries(TEST_FRAMEWORK, ["sys.settrace"], "a trace function can watch and alter the tests as they run", "runtime"),
  ...entries(TEST_FRAMEWORK, ["sys.setprofile"], "a profile function can watch and alter the tests as they run", "runtime"),
  ...entries(TEST_FRAMEWORK, ["threading.settrace"], "a trace function can watch and alter the tests as they run", "runtime"),
  ...entries(TEST_FRAMEWORK, ["threading.setprofile"], "a profile function can watch and alter the tests as they run"),
  ...entries(TEST_FRAMEWORK, ["sys._getframe"], "reading the caller's frame lets the code inspect or change the test", "runtime"),
  ...entries(TEST_FRAMEWORK, ["sys.excepthook"], "replacing the exception hook hides how the run failed"),
  ...entries(TEST_FRAMEWORK, ["inspect.currentframe"], "reading the caller's frame lets the code inspect or change the test", "runtime"),
  ...entries(TEST_FRAMEWORK, ["inspect.stack", "inspect.trace", "inspect.getouterframes", "inspect.getinnerframes"], "reading the call stack lets the code find out it is under test", "runtime"),
  ...entries(TEST_FRAMEWORK, ["inspect.getframeinfo"], "reading the call stack lets the code find out it is under test"),
  ...entries(TEST_FRAMEWORK, ["gc.get_referrers", "gc.get_referents", "gc.get_objects"], "walking live objects lets the code find and change the tests' data", "runtime"),
  ...entries(TEST_FRAMEWORK, ["signal.signal"], "a signal handler can cut the run short or rewrite its outcome"),
  ...entries(TEST_FRAMEWORK, ["signal.alarm", "signal.setitimer"], "a timer signal can cut the run short"),

  // Telling the sandbox apart from anywhere else.
  ...entries("DETECTS_SANDBOX", ["os.getuid", "os.geteuid", "os.getgid", "os.getegid", "os.getresuid", "os.getresgid", "os.getgroups", "os.getlogin", "os.uname", "getpass", "pwd", "grp", "platform.node", "platform.uname"]),
  ...entries("DETECTS_SANDBOX", ["socket"], "the sandbox has no network, so sockets tell it apart (or reach outside it)"),
  ...entries("DETECTS_SANDBOX", ["resource.getrlimit"], "the sandbox's resource limits tell it apart"),

  // Other processes.
  ...entries("SPAWNS_PROCESSES", ["os.exec*"], "replacing the process escapes what the verification run observes"),
  ...entries("SPAWNS_PROCESSES", ["os.fork", "os.forkpty", "os.spawn*", "os.posix_spawn*", "os.system", "os.popen", "subprocess", "_posixsubprocess", "multiprocessing", "pty", "concurrent.futures.ProcessPoolExecutor", "asyncio.create_subprocess_exec", "asyncio.create_subprocess_shell"]),

  // A with-block that discards exceptions is an `except ...: pass`.
  ...entries("SWALLOWED_EXCEPTION", ["contextlib.suppress"], "suppress() discards the exception and hides the failure"),
};

/** Builtins, matched only when the name is not rebound by an import. */
const BUILTIN: Record<string, CatalogEntry> = {
  ...entries("EARLY_EXIT", ["exit", "quit"]),
  ...entries(TEST_FRAMEWORK, ["__import__"], "dynamic imports hide which modules the code reaches", "runtime"),
  ...entries(TEST_FRAMEWORK, ["__builtins__"], "patching builtins changes what the tests themselves run"),
  ...entries(TEST_FRAMEWORK, ["eval", "exec"], "dynamically executed code can hide any of the screened tricks", "runtime"),
  ...entries(TEST_FRAMEWORK, ["compile"], "dynamically compiled code can hide any of the screened tricks", "runtime"),
};

export interface CatalogMatch extends CatalogEntry {
  /** The catalog name that matched, e.g. `sys.exit`; used as the construct's normalized text. */
  name: string;
}

/** Entries ending in `*` match any name that continues the last part: `os.spawn*` covers `os.spawnlp`. */
const WILDCARDS = Object.entries(IMPORTED)
  .filter(([pattern]) => pattern.endsWith("*"))
  .map(([pattern, entry]) => ({ test: new RegExp(`^${pattern.slice(0, -1).replace(/\./g, "\\.")}\\w*$`), entry }));

function lookupImported(name: string): CatalogMatch | undefined {
  const parts = name.split(".");
  for (let length = parts.length; length > 0; length--) {
    const prefix = parts.slice(0, length).join(".");
    const entry = IMPORTED[prefix] ?? WILDCARDS.find(({ test }) => test.test(prefix))?.entry;
    if (entry) return { ...entry, name: prefix };
  }
  return undefined;
}

/**
 * The catalog entry for a resolved dotted name. Imported heads are looked up as modules; a bare
 * name is a builtin, or a name from a `from m import *` module.
 */
export function lookupName(name: string, imported: boolean, starModules: readonly string[] = []): CatalogMatch | undefined {
  if (imported) return lookupImported(name);
  const head = name.split(".")[0] ?? name;
  const builtin = BUILTIN[head];
  if (builtin) return { ...builtin, name: head };
  for (const module of starModules) {
    const match = lookupImported(`${module}.${name}`);
    if (match) return match;
  }
  return undefined;
}

/** `os.environ` keys whose value differs between the sandbox and a developer machine or CI. */
export const SANDBOX_ENV_KEY =
  /^(HOME|USER|USERNAME|LOGNAME|HOSTNAME|PWD|OLDPWD|SUDO_\w+|CI|CONTINUOUS_INTEGRATION|BUILD_ID|RUNNER_\w+|GITHUB_\w+|GITLAB_\w+|JENKINS_\w+|TRAVIS\w*|CIRCLECI|BUILDKITE\w*|TF_BUILD|CONTAINER\w*|DOCKER\w*|KUBERNETES_\w+|PYTHONDONTWRITEBYTECODE|PYTHONUNBUFFERED|PYTHONPYCACHEPREFIX)$/i;

/** String literal content that fingerprints a container or the sandbox's own layout. */
export const SANDBOX_PATH_TEXT: { pattern: RegExp; label: string }[] = [
  { pattern: /\.dockerenv|\.containerenv/i, label: "a container marker file" },
  { pattern: /^\/proc$|\/proc\//, label: "the /proc filesystem" },
  { pattern: /cgroup/i, label: "the control groups" },
  { pattern: /kubepods/i, label: "the control groups" },
  { pattern: /^\/sys\/fs\//, label: "the /sys filesystem" },
  { pattern: /^\/workspace(\/|$)/, label: "the sandbox's workspace path" },
];

/** Attributes of frame and traceback objects: reaching them walks into the caller (the test). */
export const FRAME_ATTRIBUTES = new Set(["f_back", "f_locals", "f_globals", "f_builtins", "tb_frame", "gi_frame", "cr_frame", "ag_frame"]);
