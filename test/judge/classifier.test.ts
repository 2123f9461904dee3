import { describe, expect, it } from "vitest";
import {
  classifyFailure,
  finalException,
  isInfraException,
  parsePytestOutcomes,
  type Classification,
  type ErrorType,
} from "../../src/judge/classifier.js";
import type { SandboxResult } from "../../src/sandbox/sandboxResult.js";

const lines = (...rows: string[]): string => `${rows.join("\n")}\n`;

function run(partial: Partial<SandboxResult>): SandboxResult {
  return {
    exitCode: 1,
    stdout: "",
    stderr: "",
    durationMs: 120,
    endReason: "exited",
    command: ["python3", "app.py"],
    image: "opsguard-sandbox:py3.11",
    ...partial,
  };
}

/** A traceback as CPython 3.11 prints it for an uncaught exception in app.py. */
const traceback = (...tail: string[]): string =>
  lines(
    "Traceback (most recent call last):",
    '  File "/work/app.py", line 14, in <module>',
    "    main()",
    '  File "/work/app.py", line 10, in main',
    "    fetch(config)",
    "    ~~~~~^^^^^^^^",
    ...tail,
  );

const VALUE_ERROR_TIMEOUT = traceback(
  '  File "/work/app.py", line 6, in fetch',
  '    raise ValueError(f"invalid timeout: {raw!r}")',
  "ValueError: invalid timeout: 'soon'",
);

const CHAINED = lines(
  "Traceback (most recent call last):",
  '  File "/work/app.py", line 4, in load',
  '    return cache["user"]',
  "           ~~~~~^^^^^^^^",
  "KeyError: 'user'",
  "",
  "During handling of the above exception, another exception occurred:",
  "",
  "Traceback (most recent call last):",
  '  File "/work/app.py", line 9, in <module>',
  "    load()",
  '  File "/work/app.py", line 6, in load',
  '    raise LookupError("user missing from cache") from None',
  "LookupError: user missing from cache",
);

const SCRIPT_SYNTAX_ERROR = lines('  File "/work/app.py", line 3', "    def total(items)", "                    ^", "SyntaxError: expected ':'");

const GROUP_OF_BUGS = lines(
  "  + Exception Group Traceback (most recent call last):",
  '  |   File "/work/app.py", line 9, in <module>',
  "  |     validate(rows)",
  '  |   File "/work/app.py", line 6, in validate',
  '  |     raise ExceptionGroup("invalid rows", errors)',
  "  | ExceptionGroup: invalid rows (2 sub-exceptions)",
  "  +-+---------------- 1 ----------------",
  "    | ValueError: row 3: price is negative",
  "    +---------------- 2 ----------------",
  "    | KeyError: 'sku'",
  "    +------------------------------------",
);

const GROUP_OF_REFUSED_CONNECTIONS = lines(
  "  + Exception Group Traceback (most recent call last):",
  '  |   File "/work/app.py", line 8, in <module>',
  "  |     asyncio.run(main())",
  '  |   File "/usr/local/lib/python3.11/asyncio/taskgroups.py", line 145, in __aexit__',
  "  |     raise me from None",
  "  | ExceptionGroup: unhandled errors in a TaskGroup (2 sub-exceptions)",
  "  +-+---------------- 1 ----------------",
  "    | Traceback (most recent call last):",
  '    |   File "/work/app.py", line 3, in fetch',
  '    |     reader, writer = await asyncio.open_connection("db", 5432)',
  "    | ConnectionRefusedError: [Errno 111] Connect call failed ('10.0.0.5', 5432)",
  "    +---------------- 2 ----------------",
  "    | Traceback (most recent call last):",
  '    |   File "/work/app.py", line 3, in fetch',
  '    |     reader, writer = await asyncio.open_connection("cache", 6379)',
  "    | ConnectionRefusedError: [Errno 111] Connect call failed ('10.0.0.6', 6379)",
  "    +------------------------------------",
);

describe("classifyFailure in entry mode", () => {
  it.each<[string, Partial<SandboxResult>, ErrorType, Partial<Classification>]>([
    ["a ValueError whose message says timeout", { stderr: VALUE_ERROR_TIMEOUT }, "CODE_ERROR", { exception: "ValueError", message: "invalid timeout: 'soon'" }],
    ["a KeyError", { stderr: traceback("KeyError: 'user'") }, "CODE_ERROR", { exception: "KeyError", message: "'user'" }],
    ["a ZeroDivisionError", { stderr: traceback("ZeroDivisionError: division by zero") }, "CODE_ERROR", { exception: "ZeroDivisionError" }],
    ["a custom exception whose message says 403", { stderr: traceback("mypkg.errors.QuotaError: upstream answered 403 forbidden") }, "CODE_ERROR", { exception: "mypkg.errors.QuotaError" }],
    ["a chained traceback, decided by the last exception", { stderr: CHAINED }, "CODE_ERROR", { exception: "LookupError", message: "user missing from cache" }],
    ["a SyntaxError in the entry script (no Traceback header)", { stderr: SCRIPT_SYNTAX_ERROR }, "CODE_ERROR", { exception: "SyntaxError", message: "expected ':'" }],
    ["an exception group of bugs", { stderr: GROUP_OF_BUGS }, "CODE_ERROR", { exception: "ExceptionGroup" }],
    ["a traceback after log lines, with a multi-line message", { stderr: "INFO starting\n" + traceback("TypeError: bad operand", "second line of the message") }, "CODE_ERROR", { exception: "TypeError", message: "bad operand" }],
    ["a bare exception name", { stderr: traceback("KeyboardInterrupt") }, "CODE_ERROR", { exception: "KeyboardInterrupt", message: "" }],
    ["an OSError that is not about the network", { stderr: traceback("FileNotFoundError: [Errno 2] No such file or directory: 'config.toml'") }, "CODE_ERROR", { exception: "FileNotFoundError" }],
    ["a traceback printed to stdout by a failing program", { stdout: traceback("RuntimeError: boom"), stderr: "" }, "CODE_ERROR", { exception: "RuntimeError" }],
    ["a logged traceback even though the program exited 0", { exitCode: 0, stderr: traceback("ValueError: swallowed") }, "CODE_ERROR", { exception: "ValueError" }],
    ["a refused connection", { stderr: traceback("ConnectionRefusedError: [Errno 111] Connection refused") }, "INFRA_ERROR", { exception: "ConnectionRefusedError" }],
    ["a DNS failure", { stderr: traceback("socket.gaierror: [Errno -3] Temporary failure in name resolution") }, "INFRA_ERROR", { exception: "socket.gaierror" }],
    ["an unreachable URL", { stderr: traceback("urllib.error.URLError: <urlopen error [Errno -2] Name or service not known>") }, "INFRA_ERROR", { exception: "urllib.error.URLError" }],
    ["a requests connection error", { stderr: traceback("requests.exceptions.ConnectionError: HTTPSConnectionPool(host='api.example.com', port=443): Max retries exceeded") }, "INFRA_ERROR", { exception: "requests.exceptions.ConnectionError" }],
    ["a TLS failure", { stderr: traceback("ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed") }, "INFRA_ERROR", { exception: "ssl.SSLCertVerificationError" }],
    ["an unreachable network in the sandbox", { stderr: traceback("OSError: [Errno 101] Network is unreachable") }, "INFRA_ERROR", { exception: "OSError" }],
    ["an exception group of refused connections", { stderr: GROUP_OF_REFUSED_CONNECTIONS }, "INFRA_ERROR", { exception: "ExceptionGroup" }],
    ["'connection refused' with no traceback", { exitCode: 1, stderr: "error: connection refused by db:5432\n" }, "INFRA_ERROR", {}],
    ["an HTTP 403 with no traceback", { exitCode: 2, stderr: "upload failed: HTTP 403 Forbidden\n" }, "INFRA_ERROR", {}],
    ["missing credentials with no traceback", { exitCode: 1, stderr: "Unable to locate credentials\n" }, "INFRA_ERROR", {}],
    ["a failing exit with an ordinary message", { exitCode: 3, stderr: "usage: report.py --month MONTH\n" }, "CODE_ERROR", {}],
    ["a failing exit that printed nothing", { exitCode: 1 }, "CODE_ERROR", {}],
    ["a hang killed at the time limit", { exitCode: 137, endReason: "timed_out", stderr: "" }, "CODE_ERROR", {}],
    ["a hang whose output mentions timeout", { exitCode: 137, endReason: "timed_out", stderr: "waiting for lock (timeout=None)\n" }, "CODE_ERROR", {}],
    ["a run that exhausted memory", { exitCode: 137, endReason: "out_of_memory" }, "CODE_ERROR", {}],
    ["a run that flooded its output", { exitCode: 137, endReason: "output_limit", stdout: "tick\n".repeat(100) }, "CODE_ERROR", {}],
    ["a clean run", { exitCode: 0, stdout: "total: 42\n" }, "NO_ERROR", {}],
    ["a clean run with warnings", { exitCode: 0, stderr: "/work/app.py:3: DeprecationWarning: datetime.utcnow() is deprecated\n" }, "NO_ERROR", {}],
    ["a clean run whose stderr mentions a timeout", { exitCode: 0, stderr: "retrying after timeout\n" }, "NO_ERROR", {}],
  ])("classifies %s", (_name, result, errorType, extra) => {
    const classification = classifyFailure({ mode: "entry", result: run(result) });
    expect(classification).toMatchObject({ errorType, ...extra });
    expect(classification.reason).not.toBe("");
    expect(classification.reason).not.toContain("\n");
  });

  it("names the evidence in the reason", () => {
    expect(classifyFailure({ mode: "entry", result: run({ stderr: VALUE_ERROR_TIMEOUT }) }).reason).toBe(
      "The program ended with an exception: ValueError: invalid timeout: 'soon'",
    );
    expect(classifyFailure({ mode: "entry", result: run({ stderr: "error: connection refused by db:5432\n" }) }).reason).toBe(
      'Exit code 1 with no traceback, and stderr mentions "connection refused": error: connection refused by db:5432',
    );
  });
});

/** Real pytest 8/9 `-rA` output (trimmed), with a fixture error, failures, skip, xfail and xpass. */
const PYTEST_FAILURES = lines(
  "============================= test session starts ==============================",
  "platform linux -- Python 3.11.7, pytest-8.3.4, pluggy-1.5.0",
  "rootdir: /work",
  "collected 9 items",
  "",
  "tests/test_app.py .F.FEsxXF                                              [100%]",
  "",
  "==================================== ERRORS ====================================",
  "________________________ ERROR at setup of test_fixture ________________________",
  "",
  "    @pytest.fixture",
  "    def broken():",
  '>       raise RuntimeError("fixture broke")',
  "E       RuntimeError: fixture broke",
  "",
  "tests/test_app.py:17: RuntimeError",
  "=================================== FAILURES ===================================",
  "__________________________________ test_zero ___________________________________",
  "",
  "    def divide(a, b):",
  ">       return a / b",
  "E       ZeroDivisionError: division by zero",
  "",
  "app.py:2: ZeroDivisionError",
  "==================================== PASSES ====================================",
  "=========================== short test summary info ============================",
  "PASSED tests/test_app.py::test_ok",
  "PASSED tests/test_app.py::test_param[1-2]",
  "SKIPPED [1] tests/test_app.py:22: not now",
  "XFAIL tests/test_app.py::test_xf - known",
  "XPASS tests/test_app.py::test_xp - flaky",
  "ERROR tests/test_app.py::test_fixture - RuntimeError: fixture broke",
  "FAILED tests/test_app.py::test_zero - ZeroDivisionError: division by zero",
  "FAILED tests/test_app.py::test_param[3-x y] - TypeError: unsupported operand ...",
  "FAILED tests/test_app.py::test_net - ConnectionRefusedError: [Errno 111] Conn...",
  "==== 3 failed, 2 passed, 1 skipped, 1 xfailed, 1 xpassed, 1 error in 0.68s =====",
);

const PYTEST_ONLY_NETWORK = lines(
  "=========================== short test summary info ============================",
  "PASSED tests/test_client.py::test_parse",
  "FAILED tests/test_client.py::test_fetch - requests.exceptions.ConnectionError: HTTPSConnectionPool(host='api...",
  "FAILED tests/test_client.py::test_dns - socket.gaierror: [Errno -3] Temporary failure in name resolution",
  "========================= 2 failed, 1 passed in 1.02s ==========================",
);

const PYTEST_COLLECTION_ERROR = lines(
  "collected 0 items / 1 error",
  "",
  "==================================== ERRORS ====================================",
  "_______________________ ERROR collecting tests/test_app.py _______________________",
  "ImportError while importing test module '/work/tests/test_app.py'.",
  "E   ModuleNotFoundError: No module named 'app_utils'",
  "=========================== short test summary info ============================",
  "ERROR tests/test_app.py",
  "!!!!!!!!!!!!!!!!!!!! Interrupted: 1 error during collection !!!!!!!!!!!!!!!!!!!!",
  "=============================== 1 error in 0.80s ===============================",
);

const PYTEST_OUTPUT_POSING = lines(
  "----------------------------- Captured stdout call -----------------------------",
  "FAILED tests/fake.py::not_a_result - printed by a test",
  "=========================== short test summary info ============================",
  "FAILED tests/test_report.py::test_totals - AssertionError: assert 41 == 42",
  "========================= 1 failed in 0.05s ==========================",
);

describe("classifyFailure in pytest mode", () => {
  it.each<[string, Partial<SandboxResult>, ErrorType, Partial<Classification>]>([
    [
      "failing and erroring tests",
      { exitCode: 1, stdout: PYTEST_FAILURES },
      "CODE_ERROR",
      {
        failingTests: ["tests/test_app.py::test_fixture", "tests/test_app.py::test_zero", "tests/test_app.py::test_param[3-x y]", "tests/test_app.py::test_net"],
        exception: "RuntimeError",
        message: "fixture broke",
      },
    ],
    ["tests that only failed on the network", { exitCode: 1, stdout: PYTEST_ONLY_NETWORK }, "INFRA_ERROR", { failingTests: ["tests/test_client.py::test_fetch", "tests/test_client.py::test_dns"] }],
    ["a collection error", { exitCode: 2, stdout: PYTEST_COLLECTION_ERROR }, "CODE_ERROR", { failingTests: ["tests/test_app.py"], exception: "ModuleNotFoundError", message: "No module named 'app_utils'" }],
    ["only the summary section, not captured output", { exitCode: 1, stdout: PYTEST_OUTPUT_POSING }, "CODE_ERROR", { failingTests: ["tests/test_report.py::test_totals"], exception: "AssertionError" }],
    ["a hanging test", { exitCode: 137, endReason: "timed_out", stdout: "tests/test_app.py ..", stderr: "" }, "CODE_ERROR", {}],
    ["a test run out of memory", { exitCode: 137, endReason: "out_of_memory" }, "CODE_ERROR", {}],
    ["all tests passing", { exitCode: 0, stdout: "============================== 3 passed in 0.04s ===============================\n" }, "NO_ERROR", {}],
    ["no tests collected", { exitCode: 5, stdout: "============================ no tests ran in 0.64s =============================\n" }, "NO_ERROR", {}],
    ["a pytest internal error", { exitCode: 3, stdout: "INTERNALERROR> Traceback (most recent call last):\nINTERNALERROR> AttributeError: 'NoneType' object has no attribute 'config'\n" }, "INFRA_ERROR", {}],
    ["a pytest usage error", { exitCode: 4, stderr: "ERROR: file or directory not found: tests/\n" }, "INFRA_ERROR", {}],
    ["pytest missing from the image", { exitCode: 1, stderr: "/usr/local/bin/python3: No module named pytest\n" }, "INFRA_ERROR", {}],
    ["a failing exit with a traceback and no summary", { exitCode: 1, stderr: traceback("ImportError: cannot import name 'total' from 'app'") }, "CODE_ERROR", { exception: "ImportError" }],
  ])("classifies %s", (_name, result, errorType, extra) => {
    const classification = classifyFailure({ mode: "pytest", result: run({ command: ["python3", "-m", "pytest", "-rA"], ...result }) });
    expect(classification).toMatchObject({ errorType, ...extra });
    expect(classification.reason).not.toContain("\n");
  });

  it("says why a run with no tests is not an error", () => {
    const { reason } = classifyFailure({ mode: "pytest", result: run({ exitCode: 5 }) });
    expect(reason).toMatch(/no tests/);
  });

  it("lists the failing tests and the counts in the reason", () => {
    const { reason } = classifyFailure({ mode: "pytest", result: run({ exitCode: 1, stdout: PYTEST_FAILURES }) });
    expect(reason).toBe(
      "Failing tests (3 failed, 2 passed, 1 skipped, 1 xfailed, 1 xpassed, 1 error): tests/test_app.py::test_fixture, tests/test_app.py::test_zero, tests/test_app.py::test_param[3-x y] and 1 more; first: RuntimeError: fixture broke",
    );
  });
});

describe("parsePytestOutcomes", () => {
  it.each([
    [
      "every outcome of a -rA summary",
      PYTEST_FAILURES,
      [
        ["tests/test_app.py::test_ok", "passed"],
        ["tests/test_app.py::test_param[1-2]", "passed"],
        ["tests/test_app.py:22", "skipped"],
        ["tests/test_app.py::test_xf", "xfailed"],
        ["tests/test_app.py::test_xp", "xpassed"],
        ["tests/test_app.py::test_fixture", "error"],
        ["tests/test_app.py::test_zero", "failed"],
        ["tests/test_app.py::test_param[3-x y]", "failed"],
        ["tests/test_app.py::test_net", "failed"],
      ],
    ],
    ["a collection error by file", PYTEST_COLLECTION_ERROR, [["tests/test_app.py", "error"]]],
    ["only the summary section", PYTEST_OUTPUT_POSING, [["tests/test_report.py::test_totals", "failed"]]],
    ["output with no summary", "tests/test_app.py ...                    [100%]\n=== 3 passed in 0.01s ===\n", []],
    ["an empty output", "", []],
  ])("parses %s", (_name, stdout, expected) => {
    expect([...parsePytestOutcomes(stdout)]).toEqual(expected);
  });
});

describe("finalException and isInfraException", () => {
  it.each([
    ["no traceback at all", "just a log line\nValueError: not from a traceback\n", undefined],
    ["the group and its leaves", GROUP_OF_BUGS, { name: "ExceptionGroup", message: "invalid rows (2 sub-exceptions)", members: [{ name: "ValueError", message: "row 3: price is negative" }, { name: "KeyError", message: "'sku'" }] }],
    ["a plain traceback", traceback("KeyError: 'user'"), { name: "KeyError", message: "'user'" }],
    [
      "only the last of two chained groups",
      GROUP_OF_REFUSED_CONNECTIONS + "\nDuring handling of the above exception, another exception occurred:\n\n" + GROUP_OF_BUGS,
      { name: "ExceptionGroup", message: "invalid rows (2 sub-exceptions)", members: [{ name: "ValueError", message: "row 3: price is negative" }, { name: "KeyError", message: "'sku'" }] },
    ],
  ])("reads %s", (_name, text, expected) => {
    expect(finalException(text)).toEqual(expected);
  });

  it.each([
    ["ConnectionRefusedError", "", true],
    ["OSError", "[Errno 113] No route to host", true],
    ["OSError", "[Errno 28] No space left on device", false],
    ["TimeoutError", "timed out", false],
    ["PermissionError", "[Errno 13] Permission denied: '/etc/app.conf'", false],
    ["urllib.error.HTTPError", "HTTP Error 404: Not Found", false],
    ["ValueError", "connection refused", false],
  ])("treats %s (%s) as infra: %s", (name, message, infra) => {
    expect(isInfraException(name, message)).toBe(infra);
  });
});
