/**
 * The library as agent builders get it: built, packed into a tarball and installed from it into an
 * empty ESM project. Everything here runs against that installed copy, never against this
 * checkout, so files missing from package.json's `files` show up as failures.
 */
import { spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { built, ROOT } from "../support/built.js";
import { NODE_NAMES } from "../../src/graph/buildGraph.js";
import { requireDocker } from "../support/docker.js";
import { startFakeLlmServer, type FakeLlmServer } from "../support/fakeLlmServer.js";

const scratch = mkdtempSync(join(tmpdir(), "opsguard-pack-"));
const project = join(scratch, "consumer");
const installed = join(project, "node_modules", "opsguard");
let tarball = "";
let packedFiles: string[] = [];

function run(command: string, args: string[], cwd: string, timeout = 60_000): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", timeout, env: { ...process.env, OPSGUARD_VERBOSE: "" } });
  if (result.error) throw result.error;
  return result;
}

/** Fails with the command's own output, which says more than an exit code. */
function succeed(command: string, args: string[], cwd: string, timeout?: number): string {
  const result = run(command, args, cwd, timeout);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

beforeAll(() => {
  // `npm test` builds dist/ before any test runs; rebuilding here would race the CLI tests.
  built("index.js");
  const packed = JSON.parse(succeed("npm", ["pack", "--json", "--pack-destination", scratch], ROOT)) as {
    filename: string;
    files: { path: string }[];
  }[];
  tarball = join(scratch, packed[0]!.filename);
  packedFiles = packed[0]!.files.map((f) => f.path);
  mkdirProject();
  // The registry is reachable but slow: the cache answers most of the dependency tree.
  succeed("npm", ["install", tarball, "--no-audit", "--no-fund", "--prefer-offline"], project, 240_000);
}, 300_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function mkdirProject(): void {
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, "package.json"), `${JSON.stringify({ name: "opsguard-consumer", private: true, type: "module" }, null, 2)}\n`);
}

/** Every .js under dist/ in the tarball, relative to dist/, without the extension. */
/** Modules tsc compiled (the bundled CLI in dist/bin/ is esbuild's output, not one file per source). */
function compiledModules(): string[] {
  return packedFiles
    .filter((f) => f.startsWith("dist/") && !f.startsWith("dist/bin/") && f.endsWith(".js"))
    .map((f) => f.slice("dist/".length, -".js".length));
}

describe("the packed tarball", () => {
  it("ships the compiled library, its types and the run-time files, and no sources or tests", () => {
    expect(tarball).toMatch(/opsguard-.*\.tgz$/);
    for (const file of ["package.json", "dist/index.js", "dist/index.d.ts", "dist/cli.js", "dist/bin/cli.js", "prompts/system.md", "prompts/fix.md", "sandbox/Dockerfile"]) {
      expect(packedFiles, file).toContain(file);
    }
    const sources = packedFiles.filter((f) => (f.endsWith(".ts") && !f.endsWith(".d.ts")) || /^(src|test|bench|scripts)\//.test(f) || /\.test\./.test(f));
    expect(sources).toEqual([]);
    expect(packedFiles.filter((f) => f.startsWith("demo_repo/") || f.startsWith(".langgraph_api/"))).toEqual([]);
  });

  it("holds no compiled module whose source is gone (tsc never cleans dist/)", () => {
    const stale = compiledModules().filter((m) => !existsSync(join(ROOT, "src", `${m}.ts`)));
    expect(stale).toEqual([]);
  });
});

describe("opsguard installed from the tarball", () => {
  it("imports as ESM with plain node", () => {
    const out = succeed(process.execPath, ["-e", 'import("opsguard").then(m => console.log(typeof m.buildGraph, typeof m.defaultDeps, m.NODE_NAMES.length))'], project);
    expect(out.trim()).toBe(`function function ${NODE_NAMES.length}`);
  });

  it("type-checks a consumer with the shipped declarations (and rejects a wrong type)", () => {
    writeFileSync(
      join(project, "check.ts"),
      [
        'import { buildGraph, defaultDeps, type GraphDeps, type OpsGuardState } from "opsguard";',
        "",
        "const deps: GraphDeps = defaultDeps();",
        "const graph = buildGraph(deps, { interruptBefore: [\"propose\"] });",
        "",
        'export async function repair(repo: string): Promise<OpsGuardState["status"]> {',
        '  const state: OpsGuardState = await graph.invoke({ repo, error: "ValueError", candidates: ["fix.py"] });',
        "  const attempts: number = state.attempts?.length ?? 0;",
        "  return attempts > 0 ? state.status : undefined;",
        "}",
        "",
        "// The expected error proves the declarations are real types, not `any`: a string is not GraphDeps.",
        "// @ts-expect-error",
        'buildGraph("docker");',
        "",
      ].join("\n"),
    );
    const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
    const result = run(process.execPath, [tsc, "--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext", "--skipLibCheck", "check.ts"], project);
    expect(`${result.stdout}${result.stderr}`).toBe("");
    expect(result.status).toBe(0);
  });

  it("puts a working opsguard bin in node_modules/.bin", () => {
    expect(existsSync(join(project, "node_modules", ".bin", "opsguard"))).toBe(true);
    const help = run(process.execPath, [join(installed, "dist", "bin", "cli.js"), "--help"], project);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain("--repo");
    const version = run(join(project, "node_modules", ".bin", "opsguard"), ["--version"], project);
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version);
  });
});

describe("the installed bin on real Docker, with a model on loopback", () => {
  let llm: FakeLlmServer;
  beforeAll(async () => {
    await requireDocker();
    llm = await startFakeLlmServer();
  });
  afterAll(async () => {
    await llm?.close();
  });

  // One run touches every file the package reads at run time: its package.json (version in the
  // report), prompts/ (the model's messages) and the tree-sitter grammar (the validator).
  it("repairs demo_repo: prompts, grammar and version all resolve from the installed package", async () => {
    const fixed = readFileSync(join(ROOT, "demo_repo", "fixes", "app.py"), "utf8");
    llm.script({ "fake-model": [{ kind: "answer", content: fixed, usage: { promptTokens: 1200, completionTokens: 900 } }] });
    const artifacts = join(scratch, "artifacts");
    const { code, stdout, stderr } = await runAsync(
      process.execPath,
      [join(installed, "dist", "bin", "cli.js"), "--repo", join(ROOT, "demo_repo"), "--error", "ValueError", "--base-url", llm.openAiBaseUrl, "--model", "fake-model", "--artifacts", artifacts],
      project,
      {
        OPENAI_API_KEY: "sk-pack-test",
        NVIDIA_BASE_URL: llm.openAiBaseUrl,
        GROQ_BASE_URL: llm.origin,
        OPENAI_BASE_URL: llm.openAiBaseUrl,
        LANGSMITH_TRACING: "false",
        LANGCHAIN_TRACING_V2: "false",
      },
    );
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    expect(llm.requests).toHaveLength(1);
    const system = readFileSync(join(ROOT, "prompts", "system.md"), "utf8").trimEnd();
    expect(llm.requests[0]!.messages[0]).toEqual({ role: "system", content: system });
    const report = JSON.parse(readFileSync(join(artifacts, "final_report.json"), "utf8"));
    expect(report).toMatchObject({ status: "SUCCESS", opsguard_version: JSON.parse(readFileSync(join(installed, "package.json"), "utf8")).version });
    expect(readdirSync(join(artifacts, "internal"))).toContain("patch.diff");
  }, 120_000);
});

/** Async, so that the fake model server in this process can answer while the child runs. */
function runAsync(command: string, args: string[], cwd: string, env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, OPSGUARD_VERBOSE: "", ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}
