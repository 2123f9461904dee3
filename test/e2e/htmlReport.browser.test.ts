/**
 * Opens report.html in headless Debian Chromium and checks what a person sees: the verdict, the
 * coloured diff, the refused attempt's reason; and that the page is quiet (no console errors) and
 * self-contained (no request besides the file itself).
 */
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import type { OpsGuardState } from "../../src/state/state.js";
import { buildHtmlReport } from "../../src/reports/htmlReport.js";
import { unifiedDiff } from "../../src/reports/patch.js";

const CHROMIUM = "/usr/bin/chromium";

// The callbacks given to evaluate() run in the page; the project compiles without the DOM library,
// so the one browser global they use is declared here.
declare const getComputedStyle: (el: unknown) => { color: string; backgroundColor: string };

const BUGGY = [
  "def parse_price(text):",
  "    return float(text)",
  "",
  "def total(items):",
  "    return sum(parse_price(t) for t in items)",
  "",
  "if __name__ == '__main__':",
  "    print(total(['1.5', 'N/A', '2']))",
  "",
].join("\n");
const WRONG = BUGGY.replace("    return float(text)", "    return float(text.strip())");
const FIXED = BUGGY.replace("    return float(text)", "    try:\n        return float(text)\n    except ValueError:\n        return 0.0");
const TRACEBACK = [
  "Traceback (most recent call last):",
  '  File "/work/app.py", line 8, in <module>',
  "    print(total(['1.5', 'N/A', '2']))",
  '  File "/work/app.py", line 5, in total',
  "    return sum(parse_price(t) for t in items)",
  '  File "/work/app.py", line 2, in parse_price',
  "    return float(text)",
  "ValueError: could not convert string to float: 'N/A'",
  "",
].join("\n");

const input = {
  repo: "/home/dev/shop",
  error: "total() crashes with ValueError when a price is N/A",
  entry: "app.py",
  mode: "entry" as const,
  candidates: [],
  artifacts: "artifacts",
  timeoutSeconds: 30,
  maxReproAttempts: 2,
  maxFixAttempts: 3,
  testTimeoutSeconds: 10,
  applyFix: false,
  reviewFix: false,
};
const sandboxRun = (exitCode: number, stdout: string, stderr: string, durationMs: number) => ({
  exitCode,
  stdout,
  stderr,
  durationMs,
  endReason: "exited" as const,
  command: ["python", "app.py"],
  image: "opsguard-sandbox:py3.11",
  imageId: "sha256:4f1c2a",
});
const at = (seconds: number) => new Date(Date.UTC(2025, 5, 12, 9, 30, 0) + seconds * 1000).toISOString();

const success: OpsGuardState = {
  ...input,
  status: "SUCCESS",
  reason: "Attempt 2 passed verification: the entry now exits 0",
  errorType: "CODE_ERROR",
  classification: { errorType: "CODE_ERROR", reason: "Python exception in user code", exception: "ValueError", message: "could not convert string to float: 'N/A'" },
  original: { path: "app.py", content: BUGGY, sha256: "a1" },
  reproAttempts: 1,
  reproduction: sandboxRun(1, "", TRACEBACK, 640),
  verification: sandboxRun(0, "3.5\n", "", 590),
  attempts: [
    {
      number: 1,
      provider: "nvidia",
      model: "meta/llama-3.3-70b-instruct",
      latencyMs: 3120,
      usage: { inputTokens: 1480, outputTokens: 212 },
      files: [{ path: "app.py", content: WRONG, sha256: "b2" }],
      outcome: "refused",
      stage: "verify",
      reason: "Verification still fails: ValueError: could not convert string to float: 'N/A'",
      diff: unifiedDiff("app.py", BUGGY, WRONG),
    },
    {
      number: 2,
      provider: "groq",
      model: "llama-3.3-70b-versatile",
      latencyMs: 1840,
      usage: { inputTokens: 1720, outputTokens: 236 },
      fallbacks: [{ provider: "nvidia", model: "meta/llama-3.3-70b-instruct", reason: "HTTP 429 rate limited" }],
      files: [{ path: "app.py", content: FIXED, sha256: "c3" }],
      outcome: "accepted",
      diff: unifiedDiff("app.py", BUGGY, FIXED),
    },
  ],
  timeline: [
    { node: "prepare", startedAt: at(0), durationMs: 180, summary: "copied /home/dev/shop to a workspace" },
    { node: "reproduce", startedAt: at(0.2), durationMs: 700, summary: "exit 1: ValueError" },
    { node: "classify", startedAt: at(0.9), durationMs: 12, summary: "CODE_ERROR: ValueError" },
    { node: "propose", startedAt: at(0.95), durationMs: 3120, summary: "attempt 1 from nvidia" },
    { node: "verify", startedAt: at(4.1), durationMs: 650, summary: "attempt 1 refused: still fails" },
    { node: "propose", startedAt: at(4.8), durationMs: 1840, summary: "attempt 2 from groq after fallback" },
    { node: "verify", startedAt: at(6.7), durationMs: 620, summary: "attempt 2 accepted: exit 0" },
    { node: "report", startedAt: at(7.35), durationMs: 40, summary: "wrote artifacts" },
  ],
};
const evidence = {
  fail_to_pass: { "python app.py": { before: "FAILED", after: "PASSED" } },
  pass_to_pass: { "python -m py_compile app.py": { before: "PASSED", after: "PASSED" } },
};

const failedEarly: OpsGuardState = {
  ...input,
  status: "FAILED",
  reason: "The entry file app.py does not exist in /home/dev/shop",
  timeline: [{ node: "prepare", startedAt: at(0), durationMs: 35, summary: "entry file missing" }],
};

const dir = mkdtempSync(join(tmpdir(), "opsguard-html-report-"));
let browser: Promise<Browser> | undefined;

// Launched by the first test rather than in beforeAll: a missing browser must fail each test with
// the fix spelled out, where a failing hook would only mark them skipped.
function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: run \`bash scripts/ensure-chromium.sh\` (as root) to install Debian's chromium.`);
  }
  return (browser ??= chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  }));
}
afterAll(async () => {
  await (await browser)?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Loads the report and records everything that would make it noisy or not self-contained. */
async function open(name: string, html: string) {
  const file = join(dir, `${name}.html`);
  writeFileSync(file, html);
  const url = pathToFileURL(file).href;
  const page = await (await launch()).newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(url, { waitUntil: "load" });
  return { page, url, errors, requests };
}

const greenish = (rgb: string) => {
  const [r = 0, g = 0, b = 0] = (rgb.match(/\d+/g) ?? []).map(Number);
  return g > r + 20 && g > b + 10;
};

describe("report.html in headless Chromium", () => {
  it("shows a SUCCESS with its coloured diff and the refused attempt, quietly and offline", async () => {
    const { page, url, errors, requests } = await open("success", buildHtmlReport(success, { evidence }));
    expect((await page.locator("#status").innerText()).trim()).toBe("SUCCESS");
    expect(greenish(await page.locator("#status").evaluate((el) => getComputedStyle(el).color))).toBe(true);

    const added = page.locator("#diff .diff-add").first();
    expect(await added.isVisible()).toBe(true);
    expect(await added.innerText()).toContain("+    try:");
    const colours = await added.evaluate((el) => ({
      background: getComputedStyle(el).backgroundColor,
      text: getComputedStyle(el.querySelector(".code") ?? el).color,
    }));
    expect(greenish(colours.background), colours.background).toBe(true);
    expect(greenish(colours.text), colours.text).toBe(true);
    expect(await page.locator("#diff .diff-del").count()).toBe(1);

    const refused = page.locator("#attempts tr.attempt-refused td.reason");
    expect(await refused.isVisible()).toBe(true);
    expect(await refused.innerText()).toContain("Verification still fails: ValueError");
    expect(await page.locator("#before").innerText()).toContain("ValueError: could not convert string to float");
    expect(await page.locator("#after").innerText()).toContain("exit 0");
    expect(await page.locator("#evidence table tbody tr").count()).toBe(2);
    expect(await page.locator("#timeline .bar").count()).toBe(8);

    const screenshot = join(dir, "success.png");
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(statSync(screenshot).size).toBeGreaterThan(30_000);

    expect(errors).toEqual([]);
    expect(requests).toEqual([url]);
    await page.close();
  });

  it("shows a FAILED early exit without console errors", async () => {
    const { page, url, errors, requests } = await open("failed", buildHtmlReport(failedEarly));
    expect((await page.locator("#status").innerText()).trim()).toBe("FAILED");
    expect(await page.locator("#reason").innerText()).toContain("does not exist");
    expect(await page.locator("#attempts").innerText()).toContain("No fix attempts were made.");
    expect(await page.locator("#before").innerText()).toContain("stopped before the failure was reproduced");
    expect(await page.locator("#diff .diff-add").count()).toBe(0);
    expect(errors).toEqual([]);
    expect(requests).toEqual([url]);
    await page.close();
  });
});
