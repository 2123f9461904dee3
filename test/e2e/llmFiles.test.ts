/**
 * A model fixes two files: it is shown what the traceback points at and answers with one block per
 * file, through the real @langchain/openai client against a server on 127.0.0.1. A large file is
 * shown as an outline and answered with SEARCH/REPLACE edits.
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

const LEDGER = readFileSync(join(ROOT, "test/fixtures/outline/ledger.py"), "utf8");
const BILLING_APP = "from billing import ledger\n\n\ndef main():\n    book = ledger.Ledger('acme')\n    book.book(ledger.Line('tea', 250, 4))\n    print(ledger.invoice_total(book, 'WELCOME'))\n\n\nif __name__ == '__main__':\n    main()\n";
const BILLING = { "app.py": BILLING_APP, "billing/__init__.py": "", "billing/ledger.py": LEDGER };
const edits = (search: string, replace: string, path = "billing/ledger.py") => `${path}\n\`\`\`python\n<<<<<<< SEARCH\n${search}=======\n${replace}>>>>>>> REPLACE\n\`\`\`\n`;

describe("a model answering a large file with SEARCH/REPLACE edits", () => {
  it("is shown the outline with the failing function in full, and its edits make a proven fix: SUCCESS", async () => {
    llm.script({ "local-coder": [{ kind: "answer", content: edits("    percent = DISCOUNTS[code]\n", "    percent = DISCOUNTS.get(code, 0)\n") }] });
    const { code, stdout, stderr, artifacts } = await opsguard(tempRepo(BILLING), []);
    expect(stdout, stderr).toContain("Status: SUCCESS");
    expect(code).toBe(0);
    const user = llm.requests[0]!.messages[1]!.content;
    expect(user).toContain('<file path="billing/ledger.py" shown="outline" lines="428">');
    expect(user).toContain("These files are too large to show whole: billing/ledger.py.");
    expect(user).toContain('def apply_discount(cents, code):\n    """The amount after the discount `code` gives, in whole cents."""\n    percent = DISCOUNTS[code]\n');
    expect(user).toContain("def surcharge_rule_17(cents, quantity):\n    ...\n");
    expect(user).not.toContain("threshold = 1700");
    expect(user).toContain(`<file path="app.py">\n${BILLING_APP}</file>`);
    const fixed = readFileSync(join(artifacts, "internal/fix/billing/ledger.py"), "utf8");
    expect(fixed).toBe(LEDGER.replace("percent = DISCOUNTS[code]", "percent = DISCOUNTS.get(code, 0)"));
    const proof = JSON.parse(readFileSync(join(artifacts, "proof.json"), "utf8"));
    expect(proof.files.map((f: { path: string }) => f.path)).toEqual(["billing/ledger.py"]);
  });

  it("refuses an attempt whose SEARCH matches nothing, with the file and the SEARCH's first line", async () => {
    llm.script({ "local-coder": [{ kind: "answer", content: edits("    percent = DISCOUNTS[coupon]\n", "    percent = DISCOUNTS.get(coupon, 0)\n") }] });
    const { code, artifacts } = await opsguard(tempRepo(BILLING), ["--max-fix-attempts", "1"]);
    expect(code).toBe(1);
    const report = JSON.parse(readFileSync(join(artifacts, "final_report.json"), "utf8"));
    expect(report.attempts[0]).toMatchObject({ refused_at: "validate" });
    expect(report.attempts[0].reason).toContain('BLOCK_FORMAT: a SEARCH for billing/ledger.py matches nothing in it (first line "percent = DISCOUNTS[coupon]"); copy the lines exactly as the file has them');
  });

  it("asks for edits when the file being fixed is itself large, with no other file to show", async () => {
    const entry = `${LEDGER}\n\nif __name__ == '__main__':\n    book = Ledger('acme')\n    book.book(Line('tea', 250, 4))\n    print(invoice_total(book, 'WELCOME'))\n`;
    llm.script({ "local-coder": [{ kind: "answer", content: edits("    percent = DISCOUNTS[code]\n", "    percent = DISCOUNTS.get(code, 0)\n", "ledger.py") }] });
    const { code, stdout, stderr } = await opsguard(tempRepo({ "ledger.py": entry }), ["--entry", "ledger.py"]);
    expect(stdout, stderr).toContain("Status: SUCCESS");
    expect(code).toBe(0);
    const user = llm.requests[0]!.messages[1]!.content;
    expect(user).toContain("The failure points at these files: ledger.py.");
    expect(user).toContain('<file path="ledger.py" shown="outline" lines="434">');
    expect(user).toContain('"""The amount after the discount `code` gives, in whole cents."""\n    percent = DISCOUNTS[code]\n');
    expect(user).toContain("def surcharge_rule_17(cents, quantity):\n    ...\n");
    expect(user).not.toContain("Reply with the full new content of ledger.py only.");
  });
});
