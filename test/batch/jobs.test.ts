/** The jobs file and --docker-host parsing: pure functions, no engine needed. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { engineSpecs, parseDockerHost } from "../../src/batch/engines.js";
import { loadJobs } from "../../src/batch/jobs.js";
import { UsageError } from "../../src/errors.js";

const scratch = mkdtempSync(join(tmpdir(), "opsguard-batch-jobs-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
mkdirSync(join(scratch, "repos/shop/fixes"), { recursive: true });
writeFileSync(join(scratch, "repos/shop/app.py"), "raise ValueError('x')\n");
writeFileSync(join(scratch, "repos/shop/fixes/app.py"), "print('ok')\n");
let n = 0;

function jobsFile(lines: string[]): string {
  const file = join(scratch, `jobs-${++n}.jsonl`);
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

async function usageError(lines: string[]): Promise<string> {
  const err = await loadJobs(jobsFile(lines), join(scratch, "art")).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(UsageError);
  return (err as UsageError).message;
}

describe("loadJobs", () => {
  it("skips blanks and comments, resolves paths against the jobs file, names the artifact directories", async () => {
    const file = jobsFile([
      "# a comment",
      "",
      JSON.stringify({ repo: "repos/shop", error: "ValueError", candidate: ["repos/shop/fixes/app.py"], timeout: 5 }),
      "   ",
      JSON.stringify({ name: "the shop, in pytest", repo: "repos/shop", error: "x", mode: "pytest", "max-fix-attempts": 2, "base-url": "http://127.0.0.1:1/v1" }),
    ]);
    const jobs = await loadJobs(file, join(scratch, "art"));
    expect(jobs.map((j) => [j.index, j.line, j.id])).toEqual([
      [1, 3, "01-shop"],
      [2, 5, "02-the_shop_in_pytest"],
    ]);
    expect(jobs[0]!.input).toEqual({
      repo: join(scratch, "repos/shop"),
      error: "ValueError",
      artifacts: join(scratch, "art/01-shop"),
      candidates: [join(scratch, "repos/shop/fixes/app.py")],
      timeoutSeconds: 5,
    });
    expect(jobs[1]!.input).toMatchObject({ mode: "pytest", maxFixAttempts: 2, baseUrl: "http://127.0.0.1:1/v1", candidates: [] });
  });

  it("takes what runs from a line: module, arg, env and target", async () => {
    const line = { repo: "repos/shop", error: "x", module: "shop.cli", arg: ["--limit", "3"], env: ["API_TOKEN=a=b", "EMPTY="], target: "shop/core.py" };
    const pytestLine = { repo: "repos/shop", error: "x", mode: "pytest", tests: ["test/unit", "shop"] };
    const [job, pytestJob] = await loadJobs(jobsFile([JSON.stringify(line), JSON.stringify(pytestLine)]), join(scratch, "art"));
    expect(job!.input).toMatchObject({ module: "shop.cli", args: ["--limit", "3"], env: { API_TOKEN: "a=b", EMPTY: "" }, target: "shop/core.py" });
    expect(pytestJob!.input).toMatchObject({ mode: "pytest", tests: ["test/unit", "shop"] });
  });

  it.each([
    [['{"repo": "repos/shop", "error": "x", "env": ["NOVALUE"]}'], 'line 1: "env" "NOVALUE" must have the form KEY=VALUE'],
    [['{"repo": "repos/shop", "error": "x", "env": ["OPSGUARD_WATCH=[]"]}'], "line 1: \"env\": OPSGUARD_WATCH is reserved"],
    [['{"repo": "repos/shop", "error": "x", "env": "A=1"}'], '"env" must be a list of KEY=VALUE strings'],
    [['{"repo": "repos/shop", "error": "x", "module": "a", "entry": "b.py"}'], '"module" and "entry" both say what runs'],
    [['{"repo": "repos/shop", "error": "x", "module": "a-b"}'], 'is not a Python module name'],
    [['{"repo": "repos/shop", "error": "x", "arg": ["x"], "mode": "pytest"}'], "--module and --arg choose what entry mode runs"],
    [['{"repo": "repos/shop", "error": "x", "tests": ["t"]}'], "--tests chooses what pytest mode collects"],
    [["{not json"], "line 1: not valid JSON"],
    [['["a list"]'], "line 1: must be a JSON object"],
    [['{"error": "x"}'], 'line 1: "repo" is required'],
    [['{"repo": "repos/shop"}'], 'line 1: "error" is required'],
    [['{"repo": "repos/shop", "error": "x", "artifacts": "a"}'], 'line 1: unknown key "artifacts"'],
    [['# first', '{"repo": "repos/shop", "error": "x"}', '{"repo": "repos/shop", "error": "x", "timeout": "soon"}'], 'line 3: "timeout" must be a positive number of seconds'],
    [['{"repo": "repos/shop", "error": "x", "timeout": 0}'], '"timeout" must be a positive number of seconds'],
    [['{"repo": "repos/shop", "error": "x", "mode": "fuzz"}'], '"mode" must be entry or pytest'],
    [['{"repo": "repos/shop", "error": "x", "candidate": "repos/shop/fixes/app.py"}'], '"candidate" must be a list of file paths'],
    [['{"repo": "repos/shop", "error": "x", "max-fix-attempts": 1.5}'], '"max-fix-attempts" must be a whole number of at least 1'],
    [['{"repo": "repos/shop", "error": "x", "provider": "acme"}'], '"provider" must be one of nvidia, groq, openai'],
    [['{"repo": "no/such/dir", "error": "x"}'], "line 1: repo no/such/dir is not a directory"],
    [['{"repo": "repos/shop", "error": "x", "candidate": ["nope.py"]}'], "line 1: candidate nope.py is not a file"],
    [["# only a comment", ""], "has no jobs"],
  ])("%j -> %s", async (lines, message) => {
    expect(await usageError(lines)).toContain(message);
  });

  it("names the jobs file when it cannot be read", async () => {
    await expect(loadJobs(join(scratch, "missing.jsonl"), scratch)).rejects.toThrow(/cannot read the jobs file .*missing\.jsonl: ENOENT/);
  });
});

describe("--docker-host", () => {
  it.each([
    ["unix:///var/run/docker.sock", { socketPath: "/var/run/docker.sock" }, "unix:///var/run/docker.sock"],
    ["/tmp/x/docker.sock", { socketPath: "/tmp/x/docker.sock" }, "unix:///tmp/x/docker.sock"],
    ["tcp://10.0.0.5:2376", { host: "10.0.0.5", port: 2376, protocol: "http" }, "tcp://10.0.0.5:2376"],
    ["tcp://builder", { host: "builder", port: 2375, protocol: "http" }, "tcp://builder:2375"],
    ["tcp://[::1]:2375", { host: "::1", port: 2375, protocol: "http" }, "tcp://[::1]:2375"],
  ])("%s", (value, options, host) => {
    expect(parseDockerHost(value)).toEqual({ host, options });
  });

  it.each(["ssh://me@box", "unix://relative.sock", "tcp://host:2375/path", "docker.sock"])("%s is a usage error", (value) => {
    expect(() => parseDockerHost(value)).toThrow(UsageError);
  });

  it("takes the flags, else DOCKER_HOST, else the default socket; each engine once", () => {
    expect(engineSpecs(["unix:///a.sock", "/a.sock", "tcp://h:1"], { DOCKER_HOST: "tcp://ignored:1" }).map((s) => s.host)).toEqual([
      "unix:///a.sock",
      "tcp://h:1",
    ]);
    expect(engineSpecs([], { DOCKER_HOST: "tcp://env:2375" }).map((s) => s.host)).toEqual(["tcp://env:2375"]);
    expect(engineSpecs([], {}).map((s) => s.host)).toEqual(["unix:///var/run/docker.sock"]);
  });
});
