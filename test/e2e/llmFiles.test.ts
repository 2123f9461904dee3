/**
 * A model fixes two files: it is shown what the traceback points at and answers with one block per
 * file, through the real @langchain/openai client against a server on 127.0.0.1.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { built, ROOT } from "../support/built.js";
import { requireDocker } from "../support/docker.js";
import { startFakeLlmServer, type FakeLlmServer } from "../support/fakeLlmServer.js";
import { tempRepo } from "../support/workspace.js";

let llm: FakeLlmServer;
const scratch = mkdtempSync(join(tmpdir(), "opsguard-llm-files-"));
let n = 0;

beforeAll(async () => {
  await requireDocker();
  llm = await startFakeLlmServer();
});
afterAll(async () => {
  await llm?.close();
  rmSync(scratch, { recursive: true, force: true });
});
beforeEach(() => {
  llm.requests.length = 0;
});

function opsguard(repo: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; artifacts: string }> {
  const artifacts = join(scratch, `a${++n}`);
  const clean = { ...process.env } as Record<string, string>;
  for (const key of ["NVIDIA_API_KEY", "GROQ_API_KEY", "OPENAI_API_KEY", "OPSGUARD_VERBOSE"]) delete clean[key];
  const child = spawn(
    process.execPath,
    [built("bin/cli.js"), "--repo", repo, "--error", "KeyError: 'amount' on refund rows", "--provider", "openai", "--base-url", llm.openAiBaseUrl, "--model", "local-coder", "--artifacts", artifacts, ...args],
    { cwd: ROOT, env: { ...clean, LANGSMITH_TRACING: "false" } },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr, artifacts })));
}

const APP = "from reports import weekly\n\nROWS = [{'amount': 3}, {'amount': 4}, {'refund': 2}]\n\n\ndef main():\n    print(weekly.summary(ROWS))\n\n\nif __name__ == '__main__':\n    main()\n";
const WEEKLY = "def load(rows):\n    return [row['amount'] for row in rows]\n\n\ndef summary(rows):\n    amounts = load(rows)\n    return {'count': len(amounts), 'total': sum(amounts)}\n";
const UNRELATED = "def hello():\n    return 'not on the failing path'\n";
const FIXED_APP = APP.replace("weekly.summary(ROWS)", "weekly.weekly_summary(ROWS)");
const FIXED_WEEKLY = WEEKLY.replace("return [row['amount'] for row in rows]", "return [row.get('amount', 0) - row.get('refund', 0) for row in rows]").replace("def summary", "def weekly_summary");
const REPO = { "app.py": APP, "reports/__init__.py": "", "reports/weekly.py": WEEKLY, "reports/unrelated.py": UNRELATED, "tests/test_weekly.py": "def test_x():\n    assert True\n" };

describe("a model answering in blocks", () => {
  it("is shown the files of the traceback and fixes both: SUCCESS with a two-file patch", async () => {
    const answer = `app.py\n\`\`\`python\n${FIXED_APP}\`\`\`\n\nreports/weekly.py\n\`\`\`python\n${FIXED_WEEKLY}\`\`\`\n`;
    llm.script({ "local-coder": [{ kind: "answer", content: answer }] });
    const { code, stdout, stderr, artifacts } = await opsguard(tempRepo(REPO), []);
    expect(stdout, stderr).toContain("Status: SUCCESS");
    expect(code).toBe(0);
    const [system, user] = llm.requests[0]!.messages.map((m) => m.content);
    expect(system).toContain("one per file you change");
    expect(user).toContain("The failure points at these files: app.py, reports/weekly.py, reports/__init__.py.");
    expect(user).toContain(`<file path="reports/weekly.py">\n${WEEKLY}</file>`);
    expect(user).toContain(`<file path="app.py">\n${APP}</file>`);
    // Neither a test nor a file off the failing path is offered.
    expect(user).not.toContain("tests/test_weekly.py");
    expect(user).not.toContain("not on the failing path");
    const proof = JSON.parse(readFileSync(join(artifacts, "proof.json"), "utf8"));
    expect(proof.files.map((f: { path: string }) => f.path)).toEqual(["app.py", "reports/weekly.py"]);
    expect(readFileSync(join(artifacts, "internal/fix/reports/weekly.py"), "utf8")).toBe(FIXED_WEEKLY);
  });

  it("refuses text outside the blocks at gate 3, and --context-tokens keeps the prompt to the target", async () => {
    const chatty = `Here is the fix:\napp.py\n\`\`\`python\n${FIXED_APP}\`\`\`\n`;
    llm.script({ "local-coder": [{ kind: "answer", content: chatty }] });
    const { code, artifacts } = await opsguard(tempRepo(REPO), ["--max-fix-attempts", "1"]);
    expect(code).toBe(1);
    const report = JSON.parse(readFileSync(join(artifacts, "final_report.json"), "utf8"));
    expect(report.attempts[0]).toMatchObject({ refused_at: "validate" });
    expect(report.attempts[0].reason).toContain('BLOCK_FORMAT: text outside the file blocks at line 1 ("Here is the fix:")');

    llm.requests.length = 0;
    llm.script({ "local-coder": [{ kind: "answer", content: FIXED_APP }] });
    await opsguard(tempRepo(REPO), ["--max-fix-attempts", "1", "--context-tokens", "1"]);
    const user = llm.requests[0]!.messages.map((m) => m.content).join("\n");
    expect(user).toContain("Reply with the full new content of app.py only.");
    expect(user).not.toContain('<file path="reports/weekly.py">');
  });
});
