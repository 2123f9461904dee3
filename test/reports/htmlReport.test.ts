import { describe, expect, it } from "vitest";
import type { OpsGuardState } from "../../src/state/state.js";
import { buildHtmlReport, escapeHtml, renderDiff } from "../../src/reports/htmlReport.js";
import { unifiedDiff } from "../../src/reports/patch.js";

const BEFORE = "def half(x):\n    return x / 0\n\nprint(half(4))\n";
const AFTER = "def half(x):\n    return x / 2\n\nprint(half(4))\n";

const base: OpsGuardState = {
  repo: "/repos/demo",
  error: "ZeroDivisionError when halving",
  entry: "app.py",
  mode: "entry",
  candidates: [],
  artifacts: "artifacts",
  timeoutSeconds: 30,
  maxReproAttempts: 2,
  maxFixAttempts: 3,
  testTimeoutSeconds: 10,
  applyFix: false,
  reviewFix: false,
};

const run = (exitCode: number, stderr: string, stdout = "") => ({
  exitCode,
  stdout,
  stderr,
  durationMs: 812,
  endReason: "exited" as const,
  command: ["python", "app.py"],
  image: "opsguard-sandbox:py3.11",
});

const success: OpsGuardState = {
  ...base,
  status: "SUCCESS",
  reason: "The fix passed verification",
  errorType: "CODE_ERROR",
  reproAttempts: 1,
  reproduction: run(1, "Traceback (most recent call last):\nZeroDivisionError: division by zero <script>alert(1)</script>\n"),
  verification: run(0, "", "2.0\nsee https://docs.python.org/3/ for more\n"),
  attempts: [
    {
      number: 1,
      provider: "groq",
      model: "llama-3.3-70b",
      latencyMs: 1200,
      usage: { inputTokens: 900, outputTokens: 120 },
      files: [{ path: "app.py", content: "x", sha256: "0" }],
      outcome: "refused",
      stage: "verify",
      reason: "still fails: <img src=x onerror=alert(1)>",
    },
    {
      number: 2,
      provider: "nvidia",
      model: "qwen",
      latencyMs: 2300,
      files: [{ path: "app.py", content: AFTER, sha256: "1" }],
      outcome: "accepted",
      diff: unifiedDiff("app.py", BEFORE, AFTER),
    },
  ],
  timeline: [
    { node: "reproduce", startedAt: "2025-01-01T10:00:00.000Z", durationMs: 1000, summary: "exit 1" },
    { node: "verify", startedAt: "2025-01-01T10:00:03.000Z", durationMs: 1000, summary: "exit 0" },
  ],
};

describe("buildHtmlReport", () => {
  it("escapes what the run produced, so stderr cannot inject markup", () => {
    const html = buildHtmlReport(success, { evidence: { note: "</pre><script>x()</script>" } });
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("still fails: &lt;img src=x onerror=alert(1)&gt;");
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  });

  it("references nothing outside the file", () => {
    const html = buildHtmlReport(success, { evidence: { link: "https://example.com/x.png" } });
    // URLs in the run's output are escaped text; only real tags can make the browser load anything.
    const tags = html.match(/<[a-z][^>]*>/gi) ?? [];
    expect(tags.length).toBeGreaterThan(50);
    for (const tag of tags) expect(tag).not.toMatch(/\b(src|href|action|poster|srcset|data)\s*=\s*(?!["']?data:)/i);
    expect(tags.join("")).not.toMatch(/https?:|\/\//i);
    expect(html).not.toMatch(/url\(|@import/i);
    expect(html).toContain("default-src 'none'");
  });

  it("shows the status, reason, both runs and the colour of the verdict", () => {
    const html = buildHtmlReport(success);
    expect(html).toContain('<span id="status">SUCCESS</span>');
    expect(html).toContain('<p id="reason">The fix passed verification</p>');
    expect(html).toContain("--status:#1a7f37");
    expect(html).toMatch(/<section id="before"[\s\S]*exit 1[\s\S]*<section id="after"[\s\S]*exit 0/);
    expect(html).not.toContain('id="evidence"');
  });

  it("renders an early exit without reproduction, attempts or timeline", () => {
    const html = buildHtmlReport({ ...base, status: "INFRA_STOP", reason: "Docker is not reachable", errorType: "INFRA_ERROR" });
    expect(html).toContain('<span id="status">INFRA_STOP</span>');
    expect(html).toContain("--status:#d4650b");
    expect(html).toContain("The run stopped before the failure was reproduced.");
    expect(html).toContain("No fix attempts were made.");
    expect(html).toContain("No fix was proposed.");
    expect(html).toContain("No nodes ran.");
    for (const id of ["status", "reason", "before", "after", "diff", "attempts", "timeline"]) expect(html).toContain(`id="${id}"`);
  });

  it("gives each diff line its own element and class, using hunk counts to tell headers from removals", () => {
    const diff = unifiedDiff("app.py", "-- keep\n--x\nold\n", "-- keep\nnew\n");
    const classes = [...renderDiff(diff).matchAll(/<div class="(diff-[a-z]+)">/g)].map((m) => m[1]);
    expect(classes).toEqual(["diff-file", "diff-file", "diff-hunk", "diff-ctx", "diff-del", "diff-del", "diff-add"]);
    expect(renderDiff(diff)).toContain('<span class="ln"></span><span class="ln">2</span><span class="code">+new</span>');
  });

  it("tabulates fail_to_pass and pass_to_pass evidence and keeps other fields as JSON", () => {
    const evidence = {
      fail_to_pass: { "tests/test_app.py::test_half": { before: "FAILED", after: "PASSED" } },
      pass_to_pass: { "tests/test_app.py::test_ok": { before: "PASSED", after: "PASSED" } },
      image: "sha256:abc",
    };
    const html = buildHtmlReport(success, { evidence });
    expect(html).toMatch(/<section id="evidence"[\s\S]*<table>[\s\S]*tests\/test_app.py::test_half/);
    expect(html).toContain('<span class="pill bad">FAILED</span>');
    expect(html).toContain("&quot;image&quot;: &quot;sha256:abc&quot;");
    expect(buildHtmlReport(success, { evidence: [1, 2] })).toMatch(/<section id="evidence"[^>]*><h2>Evidence<\/h2><pre class="output">\[/);
  });

  it("lays the timeline bars out as shares of the run", () => {
    const html = buildHtmlReport(success);
    expect(html).toContain('style="margin-left:0.00%;width:25.00%"');
    expect(html).toContain('style="margin-left:75.00%;width:25.00%"');
  });
});
