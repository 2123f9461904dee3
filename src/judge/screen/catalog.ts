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

/** Dotted names bound by an import (or reached through `getattr`/`__import__`). */
const IMPORTED: Record<string, CatalogEntry> = {
  // Ending the process.
  "sys.exit": { code: "EARLY_EXIT" },
  "os._exit": { code: "EARLY_EXIT" },
  "os.abort": { code: "EARLY_EXIT" },
  "os.kill": { code: "EARLY_EXIT", why: "killing the process ends the run before the failure shows" },
  "os.killpg": { code: "EARLY_EXIT", why: "killing the process ends the run before the failure shows" },
  "signal.raise_signal": { code: "EARLY_EXIT", why: "signalling the process ends the run before the failure shows" },
  "signal.pthread_kill": { code: "EARLY_EXIT", why: "signalling the process ends the run before the failure shows" },
  "_thread.interrupt_main": { code: "EARLY_EXIT" },

  // Skipping tests.
  "pytest.skip": { code: "SKIPS_TESTS" },
  "pytest.xfail": { code: "SKIPS_TESTS" },
  "pytest.mark": { code: "SKIPS_TESTS", why: "test marks placed by the code under test skip or xfail tests" },
  "pytest.importorskip": { code: "SKIPS_TESTS" },
  "_pytest.outcomes": { code: "SKIPS_TESTS" },
  "_pytest.skipping": { code: "SKIPS_TESTS" },
  "unittest.skip": { code: "SKIPS_TESTS" },
  "unittest.skipIf": { code: "SKIPS_TESTS" },
  "unittest.skipUnless": { code: "SKIPS_TESTS" },
  "unittest.expectedFailure": { code: "SKIPS_TESTS" },
  "unittest.SkipTest": { code: "SKIPS_TESTS" },
  "unittest.case.SkipTest": { code: "SKIPS_TESTS" },

  // The test framework and the interpreter's own machinery.
  pytest: { code: TEST_FRAMEWORK },
  _pytest: { code: TEST_FRAMEWORK },
  pluggy: { code: TEST_FRAMEWORK },
  unittest: { code: TEST_FRAMEWORK },
  doctest: { code: TEST_FRAMEWORK },
  importlib: { code: TEST_FRAMEWORK, why: "re-importing or swapping modules can replace what the tests import" },
  builtins: { code: TEST_FRAMEWORK, why: "patching builtins changes what the tests themselves run" },
  __builtin__: { code: TEST_FRAMEWORK, why: "patching builtins changes what the tests themselves run" },
  atexit: { code: TEST_FRAMEWORK, why: "exit hooks can rewrite the outcome after the tests ran" },
  "sys.modules": { code: TEST_FRAMEWORK, why: "reading or swapping loaded modules lets the code find and patch the test runner" },
  "sys.meta_path": { code: TEST_FRAMEWORK, why: "import hooks can replace what the tests import" },
  "sys.path_hooks": { code: TEST_FRAMEWORK, why: "import hooks can replace what the tests import" },
  "sys.settrace": { code: TEST_FRAMEWORK, why: "a trace function can watch and alter the tests as they run", runtime: true },
  "sys.setprofile": { code: TEST_FRAMEWORK, why: "a profile function can watch and alter the tests as they run", runtime: true },
  "threading.settrace": { code: TEST_FRAMEWORK, why: "a trace function can watch and alter the tests as they run", runtime: true },
  "threading.setprofile": { code: TEST_FRAMEWORK, why: "a profile function can watch and alter the tests as they run" },
  "sys._getframe": { code: TEST_FRAMEWORK, why: "reading the caller's frame lets the code inspect or change the test", runtime: true },
  "sys.excepthook": { code: TEST_FRAMEWORK, why: "replacing the exception hook hides how the run failed" },
  "inspect.currentframe": { code: TEST_FRAMEWORK, why: "reading the caller's frame lets the code inspect or change the test", runtime: true },
  "inspect.stack": { code: TEST_FRAMEWORK, why: "reading the call stack lets the code find out it is under test", runtime: true },
  "inspect.trace": { code: TEST_FRAMEWORK, why: "reading the call stack lets the code find out it is under test", runtime: true },
  "inspect.getouterframes": { code: TEST_FRAMEWORK, why: "reading the call stack lets the code find out it is under test", runtime: true },
  "inspect.getinnerframes": { code: TEST_FRAMEWORK, why: "reading the call stack lets the code find out it is under test", runtime: true },
  "inspect.getframeinfo": { code: TEST_FRAMEWORK, why: "reading the call stack lets the code find out it is under test" },
  "gc.get_referrers": { code: TEST_FRAMEWORK, why: "walking live objects lets the code find and change the tests' data", runtime: true },
  "gc.get_referents": { code: TEST_FRAMEWORK, why: "walking live objects lets the code find and change the tests' data", runtime: true },
  "gc.get_objects": { code: TEST_FRAMEWORK, why: "walking live objects lets the code find and change the tests' data", runtime: true },
  "signal.signal": { code: TEST_FRAMEWORK, why: "a signal handler can cut the run short or rewrite its outcome" },
  "signal.alarm": { code: TEST_FRAMEWORK, why: "a timer signal can cut the run short" },
  "signal.setitimer": { code: TEST_FRAMEWORK, why: "a timer signal can cut the run short" },

  // Telling the sandbox apart from anywhere else.
  "os.getuid": { code: "DETECTS_SANDBOX" },
  "os.geteuid": { code: "DETECTS_SANDBOX" },
  "os.getgid": { code: "DETECTS_SANDBOX" },
  "os.getegid": { code: "DETECTS_SANDBOX" },
  "os.getresuid": { code: "DETECTS_SANDBOX" },
  "os.getresgid": { code: "DETECTS_SANDBOX" },
  "os.getgroups": { code: "DETECTS_SANDBOX" },
  "os.getlogin": { code: "DETECTS_SANDBOX" },
  "os.uname": { code: "DETECTS_SANDBOX" },
  getpass: { code: "DETECTS_SANDBOX" },
  pwd: { code: "DETECTS_SANDBOX" },
  grp: { code: "DETECTS_SANDBOX" },
  socket: { code: "DETECTS_SANDBOX", why: "the sandbox has no network, so sockets tell it apart (or reach outside it)" },
  "platform.node": { code: "DETECTS_SANDBOX" },
  "platform.uname": { code: "DETECTS_SANDBOX" },
  "resource.getrlimit": { code: "DETECTS_SANDBOX", why: "the sandbox's resource limits tell it apart" },

  // Other processes.
  "os.fork": { code: "SPAWNS_PROCESSES" },
  "os.forkpty": { code: "SPAWNS_PROCESSES" },
  "os.spawn*": { code: "SPAWNS_PROCESSES" },
  "os.exec*": { code: "SPAWNS_PROCESSES", why: "replacing the process escapes what the verification run observes" },
  "os.posix_spawn*": { code: "SPAWNS_PROCESSES" },
  "os.system": { code: "SPAWNS_PROCESSES" },
  "os.popen": { code: "SPAWNS_PROCESSES" },
  subprocess: { code: "SPAWNS_PROCESSES" },
  _posixsubprocess: { code: "SPAWNS_PROCESSES" },
  multiprocessing: { code: "SPAWNS_PROCESSES" },
  pty: { code: "SPAWNS_PROCESSES" },
  "concurrent.futures.ProcessPoolExecutor": { code: "SPAWNS_PROCESSES" },
  "asyncio.create_subprocess_exec": { code: "SPAWNS_PROCESSES" },
  "asyncio.create_subprocess_shell": { code: "SPAWNS_PROCESSES" },

  // A with-block that discards exceptions is an `except ...: pass`.
  "contextlib.suppress": { code: "SWALLOWED_EXCEPTION", why: "suppress() discards the exception and hides the failure" },
};

/** Builtins, matched only when the name is not rebound by an import. */
const BUILTIN: Record<string, CatalogEntry> = {
  exit: { code: "EARLY_EXIT" },
  quit: { code: "EARLY_EXIT" },
  __import__: { code: TEST_FRAMEWORK, why: "dynamic imports hide which modules the code reaches", runtime: true },
  __builtins__: { code: TEST_FRAMEWORK, why: "patching builtins changes what the tests themselves run" },
  eval: { code: TEST_FRAMEWORK, why: "dynamically executed code can hide any of the screened tricks", runtime: true },
  exec: { code: TEST_FRAMEWORK, why: "dynamically executed code can hide any of the screened tricks", runtime: true },
  compile: { code: TEST_FRAMEWORK, why: "dynamically compiled code can hide any of the screened tricks", runtime: true },
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
