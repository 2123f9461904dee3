/**
 * Pure builder of presentation/report.html: one self-contained page (inline CSS, no script, no
 * network) that shows a person what OpsGuard did: the verdict, before/after runs, the accepted diff,
 * optional evidence, every attempt and the node timeline. Nothing here touches disk.
 */
import { describeWhatRuns } from "./report.js";
import type { Attempt, OpsGuardState, SandboxRun, Status, TimelineEvent } from "../state/state.js";
import { OPSGUARD_VERSION } from "../system/version.js";

export function escapeHtml(value: unknown): string {
  return String(value)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const STATUS_COLOURS: Record<Status, string> = {
  SUCCESS: "#1a7f37",
  FAILED: "#cf222e",
  INFRA_STOP: "#d4650b",
  NOT_REPRODUCIBLE: "#6e7781",
};

// Tracebacks end with the part that matters, so an excerpt keeps more of the tail than the head.
function excerpt(text: string, head = 1500, tail = 2500): string {
  if (text.length <= head + tail) return text;
  return `${text.slice(0, head)}\n[... ${text.length - head - tail} characters ...]\n${text.slice(-tail)}`;
}

function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

const count = (n: number) => n.toLocaleString("en-US");

function toJson(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    // Circular or BigInt-holding objects cannot be JSON; their string form still says something.
    return String(value);
  }
}

function runPane(id: "before" | "after", title: string, run: SandboxRun | undefined, missing: string): string {
  const heading = `<h2>${title}</h2>`;
  if (!run) return `<section id="${id}" class="card pane">${heading}<p class="muted">${escapeHtml(missing)}</p></section>`;
  const ok = run.exitCode === 0 && run.endReason === "exited";
  const outputs = (
    [
      ["stderr", run.stderr],
      ["stdout", run.stdout],
    ] as const
  )
    .filter(([, text]) => text.trim() !== "")
    .map(([label, text]) => `<div class="label">${label}</div><pre class="output">${escapeHtml(excerpt(text))}</pre>`)
    .join("");
  return `<section id="${id}" class="card pane">${heading}
<pre class="command">$ ${escapeHtml(run.command.join(" "))}</pre>
<p class="facts"><span class="pill ${ok ? "good" : "bad"}">exit ${escapeHtml(run.exitCode)}</span>
<span>${escapeHtml(run.endReason.replace(/_/g, " "))}</span><span>${duration(run.durationMs)}</span>
<span class="muted" title="${escapeHtml(run.imageId ?? "")}">${escapeHtml(run.image)}</span></p>
${outputs || '<p class="muted">(no output)</p>'}</section>`;
}

/**
 * One element per diff line, with old/new line numbers taken from the hunk headers. The hunk's
 * line counts tell where it ends, so a removed line that starts with "--" is never mistaken for a
 * file header.
 */
export function renderDiff(diff: string): string {
  let oldLine = 0;
  let newLine = 0;
  let oldLeft = 0;
  let newLeft = 0;
  const rows = diff.replace(/\n$/, "").split("\n").map((text) => {
    let cls: string;
    let numbers: [string, string] = ["", ""];
    const hunk = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(text);
    if (hunk) {
      cls = "diff-hunk";
      oldLine = Number(hunk[1]);
      oldLeft = Number(hunk[2] ?? 1);
      newLine = Number(hunk[3]);
      newLeft = Number(hunk[4] ?? 1);
    } else if (oldLeft + newLeft === 0) {
      cls = "diff-file";
    } else if (text.startsWith("+")) {
      cls = "diff-add";
      numbers = ["", String(newLine++)];
      newLeft--;
    } else if (text.startsWith("-")) {
      cls = "diff-del";
      numbers = [String(oldLine++), ""];
      oldLeft--;
    } else if (text.startsWith("\\")) {
      cls = "diff-meta";
    } else {
      cls = "diff-ctx";
      numbers = [String(oldLine++), String(newLine++)];
      oldLeft--;
      newLeft--;
    }
    return `<div class="${cls}"><span class="ln">${numbers[0]}</span><span class="ln">${numbers[1]}</span><span class="code">${escapeHtml(text) || " "}</span></div>`;
  });
  return `<div class="diff">${rows.join("")}</div>`;
}

function diffSection(state: OpsGuardState, accepted: Attempt | undefined): string {
  if (!accepted?.diff) {
    const why = (state.attempts ?? []).length ? "No attempt was accepted, so nothing would change." : "No fix was proposed.";
    return `<section id="diff" class="card"><h2>Accepted fix</h2><p class="muted">${why}</p></section>`;
  }
  const lines = accepted.diff.split("\n");
  const added = lines.filter((l) => l.startsWith("+") && !l.startsWith("+++")).length;
  const removed = lines.filter((l) => l.startsWith("-") && !l.startsWith("---")).length;
  const path = accepted.files.map((f) => f.path).join(", ");
  return `<section id="diff" class="card"><h2>Accepted fix <span class="muted">${escapeHtml(path)}</span>
<span class="pill good">+${added}</span> <span class="pill bad">&minus;${removed}</span></h2>${renderDiff(accepted.diff)}</section>`;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function verdictCell(value: unknown): string {
  const text = typeof value === "string" ? value : toJson(value);
  const cls = value === true || /^(pass|passed|ok|success)$/i.test(text) ? "good" : value === false || /fail|error/i.test(text) ? "bad" : "";
  return `<td><span class="pill ${cls}">${escapeHtml(text)}</span></td>`;
}

/** Evidence is a proof object whose shape may grow: known test maps become a table, the rest stays JSON. */
function evidenceSection(evidence: unknown): string {
  const groups = ["fail_to_pass", "pass_to_pass"] as const;
  const rows: string[] = [];
  const remaining = isRecord(evidence) ? { ...evidence } : {};
  if (isRecord(evidence)) {
    for (const group of groups) {
      const tests = evidence[group];
      if (!isRecord(tests) || !Object.values(tests).every(isRecord)) continue;
      delete remaining[group];
      for (const [test, result] of Object.entries(tests) as [string, Record<string, unknown>][]) {
        rows.push(`<tr><td class="mono">${escapeHtml(test)}</td><td>${group.replace(/_/g, " ")}</td>${verdictCell(result.before)}${verdictCell(result.after)}</tr>`);
      }
    }
  }
  // Whatever the tables did not show is still shown, as JSON.
  const rest = rows.length === 0 ? evidence : Object.keys(remaining).length ? remaining : undefined;
  const table = rows.length
    ? `<table><thead><tr><th>Test</th><th>Expectation</th><th>Before</th><th>After</th></tr></thead><tbody>${rows.join("")}</tbody></table>`
    : "";
  const json = rest === undefined ? "" : `<pre class="output">${escapeHtml(toJson(rest))}</pre>`;
  return `<section id="evidence" class="card"><h2>Evidence</h2>${table}${json}</section>`;
}

function attemptsSection(attempts: Attempt[], limit: number): string {
  if (attempts.length === 0) return `<section id="attempts" class="card"><h2>Attempts</h2><p class="muted">No fix attempts were made.</p></section>`;
  const rows = attempts.map((a) => {
    const outcome = a.outcome === "accepted" ? "good" : a.outcome === "refused" ? "bad" : "";
    const tokens = a.usage ? `${count(a.usage.inputTokens)} in / ${count(a.usage.outputTokens)} out` : "&ndash;";
    const fallbacks = (a.fallbacks ?? []).map((f) => `<div class="muted">fell back from ${escapeHtml(f.provider)} (${escapeHtml(f.model)}): ${escapeHtml(f.reason)}</div>`).join("");
    // A refused attempt's diff is worth a look, but folded so the accepted fix stays the focus.
    const diff = a.diff && a.outcome !== "accepted" ? `<details><summary>proposed diff</summary>${renderDiff(a.diff)}</details>` : "";
    return `<tr class="attempt-${a.outcome}"><td>#${a.number}</td><td>${escapeHtml(a.provider)}</td><td class="mono">${escapeHtml(a.model)}</td>
<td class="num">${duration(a.latencyMs)}</td><td class="num">${tokens}</td><td><span class="pill ${outcome}">${a.outcome}</span></td>
<td>${a.stage ? escapeHtml(a.stage) : "&ndash;"}</td><td class="reason">${escapeHtml(a.reason ?? "")}${fallbacks}${diff}</td></tr>`;
  });
  return `<section id="attempts" class="card"><h2>Attempts <span class="muted">${attempts.length} of ${limit} allowed</span></h2>
<table><thead><tr><th>#</th><th>Provider</th><th>Model</th><th class="num">Latency</th><th class="num">Tokens</th><th>Outcome</th><th>Refused at</th><th>Reason</th></tr></thead>
<tbody>${rows.join("")}</tbody></table></section>`;
}

/** Each node's start as an offset from the first, and the run's span from first start to last end. */
function layout(events: TimelineEvent[]): { offsets: number[]; span: number } {
  const parsed = events.map((e) => Date.parse(e.startedAt));
  // Without usable timestamps the nodes are laid end to end, which is how the graph runs them anyway.
  let clock = 0;
  const starts = parsed.every(Number.isFinite) ? parsed : events.map((e) => (clock += e.durationMs) - e.durationMs);
  const t0 = Math.min(...starts);
  const offsets = starts.map((start) => start - t0);
  return { offsets, span: Math.max(0, ...events.map((e, i) => (offsets[i] ?? 0) + e.durationMs)) };
}

/** A Gantt-like bar per node: offset and width are shares of the run's span, as CSS percentages. */
function timelineSection(events: TimelineEvent[]): string {
  if (events.length === 0) return `<section id="timeline" class="card"><h2>Timeline</h2><p class="muted">No nodes ran.</p></section>`;
  const { offsets, span } = layout(events);
  const pct = (n: number) => `${Math.min(100, Math.max(0, (n / Math.max(1, span)) * 100)).toFixed(2)}%`;
  const rows = events.map((e, i) => {
    const offset = offsets[i] ?? 0;
    return `<tr><td class="mono">${escapeHtml(e.node)}</td><td class="num" title="${escapeHtml(e.startedAt)}">+${duration(offset)}</td>
<td class="num">${duration(e.durationMs)}</td><td class="bar-cell"><div class="track"><div class="bar" style="margin-left:${pct(offset)};width:${pct(e.durationMs)}"></div></div></td>
<td>${escapeHtml(e.summary)}</td></tr>`;
  });
  return `<section id="timeline" class="card"><h2>Timeline <span class="muted">${duration(span)} in ${events.length} ${events.length === 1 ? "node" : "nodes"}</span></h2>
<table><thead><tr><th>Node</th><th class="num">Start</th><th class="num">Duration</th><th>Share of the run</th><th>Summary</th></tr></thead>
<tbody>${rows.join("")}</tbody></table></section>`;
}

const CSS = `
*{box-sizing:border-box}
body{margin:0;background:#f3f4f6;color:#1f2328;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1180px;margin:0 auto;padding:24px}
h1{margin:0;font-size:14px;font-weight:600;letter-spacing:.08em;text-transform:uppercase;color:#57606a}
h2{margin:0 0 12px;font-size:17px}
h2 .muted{font-weight:400;font-size:14px;margin:0 6px}
.muted{color:#6e7781}
.mono,pre,.diff{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono","Liberation Mono",monospace;font-size:13px}
.card{background:#fff;border:1px solid #d0d7de;border-radius:10px;padding:18px 20px;margin:0 0 18px;overflow-x:auto}
header.card{border-top:6px solid var(--status);background:linear-gradient(180deg,color-mix(in srgb,var(--status) 9%,#fff),#fff 70%)}
#status{display:block;margin:6px 0 4px;font-size:44px;font-weight:800;line-height:1.1;letter-spacing:.02em;color:var(--status)}
#reason{margin:0 0 14px;font-size:17px}
.warning{margin:0 0 14px;padding:8px 12px;background:#fff4ce;border-left:4px solid #b58900}
.stats{display:flex;flex-wrap:wrap;gap:10px;margin:0 0 14px}
.stat{background:#f6f8fa;border:1px solid #d8dee4;border-radius:8px;padding:6px 12px;min-width:110px}
.stat b{display:block;font-size:18px}
.stat span{font-size:12px;color:#57606a;text-transform:uppercase;letter-spacing:.05em}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}
dt{color:#57606a}
dd{margin:0;overflow-wrap:anywhere}
.panes{display:grid;grid-template-columns:1fr 1fr;gap:18px}
.panes .card{min-width:0}
@media (max-width:820px){.panes{grid-template-columns:1fr}}
pre{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}
.command{background:#24292f;color:#f6f8fa;padding:8px 12px;border-radius:6px}
.output{background:#f6f8fa;border:1px solid #d8dee4;border-radius:6px;padding:10px 12px;max-height:320px;overflow:auto}
.facts{display:flex;flex-wrap:wrap;gap:6px 14px;align-items:center;margin:10px 0}
.label{font-size:12px;color:#57606a;text-transform:uppercase;letter-spacing:.05em;margin:10px 0 4px}
.pill{display:inline-block;padding:1px 9px;border-radius:999px;font-size:13px;font-weight:600;background:#eaeef2;color:#424a53}
.pill.good{background:#dafbe1;color:#116329}
.pill.bad{background:#ffebe9;color:#a40e26}
.diff{border:1px solid #d0d7de;border-radius:6px;overflow-x:auto;line-height:1.45}
.diff>div{display:flex;white-space:pre}
.diff .ln{flex:none;width:3.2em;padding:0 8px;text-align:right;color:#8c959f;user-select:none}
.diff .code{flex:1;padding:0 10px}
.diff-add{background:#e6ffec}.diff-add .code{color:#116329}.diff-add .ln{background:#ccffd8}
.diff-del{background:#ffebe9}.diff-del .code{color:#a40e26}.diff-del .ln{background:#ffd7d5}
.diff-hunk{background:#ddf4ff;color:#0550ae}
.diff-file{background:#f6f8fa;color:#57606a;font-weight:600}
.diff-meta{color:#8c959f;font-style:italic}
table{width:100%;border-collapse:collapse}
th,td{text-align:left;vertical-align:top;padding:7px 10px;border-bottom:1px solid #eaeef2}
th{font-size:12px;color:#57606a;text-transform:uppercase;letter-spacing:.05em;border-bottom:2px solid #d0d7de}
td.num,th.num{text-align:right;white-space:nowrap}
tr.attempt-refused td.reason{color:#a40e26}
tr.attempt-accepted{background:#f4fdf6}
td.reason{min-width:240px;max-width:420px;overflow-wrap:break-word}
details{margin-top:6px;color:#1f2328}
summary{cursor:pointer;color:#0969da}
details .diff{margin-top:6px;font-size:12px}
.bar-cell{width:28%;min-width:160px}
.track{background:#eef1f4;border-radius:4px;height:14px;margin-top:4px}
.bar{background:#0969da;border-radius:4px;height:100%;min-width:3px}
footer{color:#6e7781;font-size:13px;text-align:center;padding:8px 0 24px}
`;

export function buildHtmlReport(state: OpsGuardState, extra?: { evidence?: unknown }): string {
  const status: Status = state.status ?? "FAILED";
  const colour = STATUS_COLOURS[status] ?? STATUS_COLOURS.NOT_REPRODUCIBLE;
  const attempts = state.attempts ?? [];
  const accepted = attempts.find((a) => a.outcome === "accepted");
  const timeline = state.timeline ?? [];
  const tokens = attempts.reduce((n, a) => n + (a.usage ? a.usage.inputTokens + a.usage.outputTokens : 0), 0);
  const wall = timeline.length ? layout(timeline).span : 0;
  const c = state.classification;
  const facts: [string, string | undefined][] = [
    ["Repository", state.repo],
    ["Entry", describeWhatRuns(state)],
    ["Fixed file", state.original?.path],
    ["Mode", state.mode],
    ["Error described", state.error],
    ["Error type", state.errorType ?? c?.errorType],
    ["Diagnosis", c ? [c.exception, c.message].filter(Boolean).join(": ") || c.reason : undefined],
    ["Failing tests", c?.failingTests?.join(", ")],
  ];
  const stat = (value: string, label: string) => `<div class="stat"><b>${value}</b><span>${label}</span></div>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<link rel="icon" href="data:,">
<title>OpsGuard: ${escapeHtml(status)} - ${escapeHtml(state.entry)}</title>
<style>${CSS}</style>
</head>
<body style="--status:${colour}">
<main>
<header class="card">
<h1>OpsGuard remediation report</h1>
<span id="status">${escapeHtml(status)}</span>
<p id="reason">${escapeHtml(state.reason ?? "No reason was recorded.")}</p>
${(state.warnings ?? []).map((warning) => `<p class="warning">Warning: ${escapeHtml(warning)}</p>`).join("\n")}
<div class="stats">${stat(`${attempts.length}/${state.maxFixAttempts}`, "fix attempts")}${stat(`${state.reproAttempts ?? 0}/${state.maxReproAttempts}`, "reproductions")}${stat(count(tokens), "tokens")}${stat(duration(wall), "run time")}</div>
<dl>${facts
    .filter(([, value]) => value)
    .map(([label, value]) => `<dt>${label}</dt><dd${label === "Repository" || label === "Entry" ? ' class="mono"' : ""}>${escapeHtml(value)}</dd>`)
    .join("")}</dl>
</header>
<div class="panes">
${runPane("before", "Before: reproduction", state.reproduction, "The run stopped before the failure was reproduced.")}
${runPane("after", "After: verification", state.verification, accepted ? "The accepted fix was not verified." : "Nothing was verified: no fix was accepted.")}
</div>
${diffSection(state, accepted)}
${extra?.evidence !== undefined ? evidenceSection(extra.evidence) : ""}
${attemptsSection(attempts, state.maxFixAttempts)}
${timelineSection(timeline)}
<footer>OpsGuard ${escapeHtml(OPSGUARD_VERSION)}${timeline[0] ? ` &middot; run started ${escapeHtml(timeline[0].startedAt)}` : ""}</footer>
</main>
</body>
</html>
`;
}
