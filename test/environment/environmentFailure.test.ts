import { describe, expect, it } from "vitest";
import { classifyFailure } from "../../src/judge/classifier.js";
import { parsePyproject, parseRequirements } from "../../src/environment/dependencyFiles.js";
import { diagnoseEnvironment, missingModules, type EnvironmentFacts } from "../../src/environment/environmentFailure.js";
import { newerConstructAt, syntaxErrorSite } from "../../src/environment/newerSyntax.js";
import { newerPythonImage } from "../../src/environment/newerPython.js";
import { missingPytestPlugins } from "../../src/environment/pytestPlugins.js";
import type { SandboxResult } from "../../src/sandbox/sandboxResult.js";
import { finishedTests, slowSuite } from "../../src/environment/slowSuite.js";
import { isStdlibModule } from "../../src/environment/stdlibModules.js";

function run(partial: Partial<SandboxResult>): SandboxResult {
  return { exitCode: 1, stdout: "", stderr: "", durationMs: 100, endReason: "exited", command: ["python3"], image: "img", ...partial };
}

const facts = (over: Partial<EnvironmentFacts> = {}): EnvironmentFacts => ({
  repoModules: new Set(["helpers", "mypkg", "tests"]),
  declared: [],
  timeoutMs: 30_000,
  testTimeoutMs: 10_000,
  ...over,
});

const noModule = (name: string) => `Traceback (most recent call last):\n  File "/workspace/app.py", line 1, in <module>\n    import ${name}\nModuleNotFoundError: No module named '${name}'\n`;

describe("missing modules", () => {
  it.each([
    ["yaml", "MISSING_MODULE"],
    ["yaml.constructor", "MISSING_MODULE"],
    ["helpers", undefined],
    ["mypkg.sub", undefined],
    ["json", undefined],
    ["tomllib", undefined],
  ])("No module named %s -> %s", (name, code) => {
    expect(diagnoseEnvironment("entry", run({ stderr: noModule(name) }), facts())?.code).toBe(code);
  });

  it("names the distribution and where it is declared", () => {
    const declared = parseRequirements("# deps\nrequests==2.31\nPyYAML>=6.0  # parsing\n", "requirements.txt");
    const failure = diagnoseEnvironment("entry", run({ stderr: noModule("yaml") }), facts({ declared }));
    expect(failure?.remedy).toContain("PyYAML>=6.0 is declared in requirements.txt:3");
    expect(failure?.reason).toContain("No module named 'yaml'");
  });

  it("names the distribution for an undeclared module", () => {
    expect(diagnoseEnvironment("entry", run({ stderr: noModule("PIL") }), facts())?.remedy).toContain("Pillow");
  });

  it("finds pytest's collection-error form", () => {
    expect(missingModules("E   ModuleNotFoundError: No module named 'requests'\n")).toEqual(["requests"]);
  });

  it("knows the standard library", () => {
    expect(isStdlibModule("asyncio.tasks")).toBe(true);
    expect(isStdlibModule("yaml")).toBe(false);
  });

  it("decides the classification, even after exit 0, but only with the repository's facts", () => {
    const ok = run({ exitCode: 0, stderr: noModule("yaml") });
    expect(classifyFailure({ mode: "entry", result: ok, environment: facts() }).infraCode).toBe("MISSING_MODULE");
    expect(classifyFailure({ mode: "entry", result: run({ exitCode: 0 }), environment: facts() }).errorType).toBe("NO_ERROR");
    const failing = classifyFailure({ mode: "entry", result: run({ stderr: noModule("yaml") }), environment: facts() });
    expect(failing).toMatchObject({ errorType: "INFRA_ERROR", infraCode: "MISSING_MODULE" });
    expect(classifyFailure({ mode: "entry", result: run({ stderr: noModule("yaml") }) }).errorType).toBe("CODE_ERROR");
  });
});

describe("dependency declarations", () => {
  it("reads requirements lines and skips options", () => {
    const parsed = parseRequirements("-r base.txt\n--index-url http://x\nrequests[socks]>=2 ; python_version>'3'\n\nFoo_Bar.baz==1\n", "r.txt");
    expect(parsed.map((d) => [d.name, d.where])).toEqual([["requests", "r.txt:3"], ["foo-bar-baz", "r.txt:5"]]);
  });

  it("reads pyproject's [project] dependencies and requires-python", () => {
    const text = '[build-system]\nrequires = ["setuptools"]\n\n[project]\nname = "svc"\nrequires-python = ">=3.12"\ndependencies = [\n  "PyYAML>=6",  # yaml\n  \'requests\',\n]\n\n[tool.x]\ndependencies = ["nope"]\n';
    expect(parsePyproject(text)).toEqual({ dependencies: ["PyYAML>=6", "requests"], requiresPython: ">=3.12", installable: true });
    expect(parsePyproject("[tool.black]\nline-length = 100\n").installable).toBe(false);
  });
});

describe("missing pytest plugins", () => {
  it.each([
    ["async def functions are not natively supported and have been skipped.", ["pytest-asyncio"]],
    ["PytestUnknownMarkWarning: Unknown pytest.mark.trio - is this a typo?\nasync def functions are not natively supported", ["pytest-trio"]],
    ["E       fixture 'mocker' not found", ["pytest-mock"]],
    ["E       fixture 'my_own_fixture' not found", []],
    ["PytestUnknownMarkWarning: Unknown pytest.mark.slow", []],
    ["pytest: error: unrecognized arguments: --cov=svc --cov-report=term -n 2", ["pytest-cov", "pytest-xdist"]],
  ])("%s", (output, plugins) => {
    expect(missingPytestPlugins(output).map((p) => p.plugin)).toEqual(plugins);
  });

  it("stops a run whose async tests were skipped", () => {
    const stdout = "tests/test_a.py s.\nPytestUnhandledCoroutineWarning: async def functions are not natively supported and have been skipped.\n";
    const failure = diagnoseEnvironment("pytest", run({ exitCode: 0, stdout }), facts());
    expect(failure).toMatchObject({ code: "MISSING_PYTEST_PLUGIN" });
    expect(failure?.remedy).toContain("pytest-asyncio");
  });
});

describe("a slow suite is not a hang", () => {
  const progress = "collected 40 items\n\ntests/test_slow.py ..........";
  it("counts finished tests", () => expect(finishedTests(`${progress}\ntests/test_b.py F.s\n`)).toBe(13));

  it.each([
    [{ endReason: "timed_out" as const, stdout: progress, quietMs: 400 }, 30_000, 10_000, true],
    [{ endReason: "timed_out" as const, stdout: progress, quietMs: 9_000 }, 30_000, 10_000, false],
    [{ endReason: "timed_out" as const, stdout: "collected 3 items\n", quietMs: 100 }, 30_000, 10_000, false],
    [{ endReason: "exited" as const, stdout: progress, quietMs: 100 }, 30_000, 10_000, false],
  ])("%j", (partial, limit, perTest, slow) => {
    expect(slowSuite(run(partial), limit, perTest) !== undefined).toBe(slow);
  });

  it("suggests a limit that fits the whole suite", () => {
    const found = diagnoseEnvironment("pytest", run({ endReason: "timed_out", stdout: progress, quietMs: 300 }), facts());
    expect(found?.code).toBe("SLOW_SUITE");
    expect(found?.remedy).toBe("Pass --timeout 150 (or more).");
  });
});

describe("syntax of a newer Python", () => {
  it("finds the SyntaxError's site", () => {
    const stderr = '  File "/workspace/app.py", line 3\n    type Price = float\n         ^^^^^\nSyntaxError: invalid syntax\n';
    expect(syntaxErrorSite(stderr)).toEqual({ path: "/workspace/app.py", line: 3 });
  });

  it("is no compile error when running code raised it", () => {
    const stderr = 'Traceback (most recent call last):\n  File "/workspace/app.py", line 4, in <module>\n    parse("a ->")\n  File "/workspace/app.py", line 2, in parse\n    raise SyntaxError("bad rule")\nSyntaxError: bad rule\n';
    expect(syntaxErrorSite(stderr)).toBeUndefined();
  });

  it("finds a test file's site in pytest's collection error", () => {
    const stdout = 'E     File "/workspace/tests/test_app.py", line 2\nE       print(f"{d["k"]}")\nE                 ^\nE   SyntaxError: f-string: unmatched \'[\'\n';
    expect(syntaxErrorSite(stdout)).toEqual({ path: "/workspace/tests/test_app.py", line: 2 });
  });

  it.each([
    ["import x\n\ntype Price = float\n", 3, "3.12"],
    ["def first[T](items: list[T]) -> T:\n    return items[0]\n", 1, "3.12"],
    ["class Box[T]:\n    pass\n", 1, "3.12"],
    ['d = {"k": 1}\nprint(f"{d["k"]}")\n', 2, "3.12"],
    ["d = {'k': 1}\nprint(f'{d['k']}')\n", 2, "3.12"],
    ['xs = ["a"]\nprint(f"{\'\\n\'.join(xs)}")\n', 2, "3.12"],
    ['x = 1\nprint(f"{x # the x\n}")\n', 2, "3.12"],
    ['d = {"k": 1}\nprint(f"""{d["k"]}""")\n', 2, undefined],
    ["d = {'k': 1}\nprint(f\"{d['k']}\")\n", 2, undefined],
    ["def pick[T = int](items: list[T]) -> T:\n    return items[0]\n", 1, "3.13"],
    ["class Box[T = str]:\n    pass\n", 1, "3.13"],
    ["def broken(:\n    pass\n", 1, undefined],
    ["def total(items)\n    return 1\n", 1, undefined],
    ["return 1\n", 1, undefined],
  ])("%j line %i", async (source, line, python) => {
    expect((await newerConstructAt(source, line))?.python).toBe(python);
  });

  it.each([
    ["opsguard-sandbox:py3.11", { image: "opsguard-sandbox:py3.13", python: "3.13" }],
    ["mycorp/sandbox:py3.12", { image: "mycorp/sandbox:py3.13", python: "3.13" }],
    ["opsguard-sandbox:py3.13", undefined],
    ["python:3.11-slim", undefined],
  ])("the newer image of %s", (base, newer) => {
    expect(newerPythonImage(base)).toEqual(newer);
  });

  it.each([
    [
      { file: "app.py", line: 2, compiledBy: { image: "opsguard-sandbox:py3.13", python: "3.13" }, python: "3.13" },
      "app.py:2 is a SyntaxError for the sandbox's Python, but opsguard-sandbox:py3.13 (Python 3.13) compiles the file: the code is written for a newer Python.",
      "Pass --python 3.13 (or --image with a Python 3.13+ image).",
    ],
    [
      { file: "app.py", line: 1, construct: { feature: "a PEP 695 type alias (`type X = ...`)", python: "3.12" }, compiledBy: { image: "img:py3.13", python: "3.13" }, python: "3.13" },
      "app.py:1 uses a PEP 695 type alias (`type X = ...`), which the sandbox's Python rejects as a SyntaxError; Python 3.12 and later accept it (img:py3.13 (Python 3.13) compiles the file).",
      "Pass --python 3.13 (or --image with a Python 3.12+ image).",
    ],
    [
      { file: "app.py", line: 1, construct: { feature: "a PEP 695 type alias (`type X = ...`)", python: "3.12" }, python: "3.13" },
      "app.py:1 uses a PEP 695 type alias (`type X = ...`), which the sandbox's Python rejects as a SyntaxError; Python 3.12 and later accept it.",
      "Pass --python 3.13 (or --image with a Python 3.12+ image).",
    ],
  ])("says what was found and what to pass: %j", (newerSyntax, reason, remedy) => {
    const failure = diagnoseEnvironment("entry", run({ stderr: "SyntaxError: invalid syntax" }), facts({ newerSyntax }));
    expect(failure).toEqual({ code: "NEWER_PYTHON", reason, remedy });
  });
});

describe("hangs the per-test limit ended are not a slow suite", () => {
  it.each([
    ["collected 3 items\n\ntests/test_app.py F", 6_000, 4_000],
    ["collected 9 items\n\ntests/test_app.py FFFF", 30_000, 10_000],
  ])("%j", (stdout, limit, perTest) => {
    expect(slowSuite(run({ endReason: "timed_out", stdout, quietMs: 500 }), limit, perTest)).toBeUndefined();
  });
});
