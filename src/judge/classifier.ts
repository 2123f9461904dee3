/**
 * Decides what a sandbox run showed: a code error worth repairing, an infrastructure problem no
 * code change can fix, or no error. Structure decides first (how the run ended, the final
 * exception of a traceback, pytest's outcomes); keyword matching is the last resort for a
 * failing run that left no traceback.
 */
import { diagnoseEnvironment, type EnvironmentFacts } from "../environment/environmentFailure.js";
import type { SandboxResult } from "../sandbox/sandboxResult.js";
import type { Classification, ErrorType, Mode, PytestOutcome } from "../state/state.js";

/** The verdict's shapes are the state's (state.ts); re-exported for callers of classifyFailure. */
export type { Classification, ErrorType };

export interface ClassifyInput {
  mode: Mode;
  result: SandboxResult;
  /** Facts about the repository; with them, environment failures are recognised (reproductions only). */
  environment?: EnvironmentFacts;
}

/**
 * Exceptions that mean the outside world was unreachable or refused us, never a bug the file can
 * fix: connection failures, DNS, TLS, and missing cloud credentials. Deliberately small:
 * TimeoutError, PermissionError and HTTP status errors (urllib.error.HTTPError) are left out
 * because code raises them for its own reasons (a wrong URL, writing where it should not).
 */
export const INFRA_EXCEPTIONS: ReadonlySet<string> = new Set([
  "ConnectionError",
  "ConnectionRefusedError",
  "ConnectionResetError",
  "ConnectionAbortedError",
  "socket.gaierror",
  "socket.herror",
  "ssl.SSLError",
  "ssl.SSLCertVerificationError",
  "urllib.error.URLError",
  "requests.exceptions.ConnectionError",
  "requests.exceptions.SSLError",
  "urllib3.exceptions.NewConnectionError",
  "httpx.ConnectError",
  "aiohttp.client_exceptions.ClientConnectorError",
  "botocore.exceptions.NoCredentialsError",
]);

/** OSError numbers for an unreachable network (ENETUNREACH, EHOSTUNREACH), as in a network-less sandbox. */
const UNREACHABLE_ERRNO = /^\[Errno (101|113)\]/;

export function isInfraException(name: string, message = ""): boolean {
  return INFRA_EXCEPTIONS.has(name) || (name === "OSError" && UNREACHABLE_ERRNO.test(message));
}

/** The original design's keywords, used only for a failing run that printed no traceback. */
const INFRA_KEYWORDS =
  /\b401\b|\b403\b|unauthori[sz]ed|forbidden|rate[- ]?limit|timeout|connection refused|ssl[ _]?error|credential|access denied/i;

export interface PythonException {
  name: string;
  message: string;
  /** For an exception group: the leaf exceptions it carries. */
  members?: PythonException[];
}

const TRACEBACK_HEADER = /^(Exception Group )?Traceback \(most recent call last\):\s*$/;
/** A frame line opens a traceback too: SyntaxError in the entry script prints no header. */
const FRAME_LINE = /^ {0,2}File ".*", line \d+/;
const EXCEPTION_LINE = /^([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)(?::(?: (.*))?)?$/;
const GROUP_MESSAGE = /\(\d+ sub-exceptions?\)$/;

/** A line of Python's exception-group box drawing: depth of nesting and the text inside the box. */
interface BoxedLine {
  depth: number;
  text: string;
}

function unbox(line: string): BoxedLine | undefined {
  const match = /^((?: {2})+)([|+])(.*)$/.exec(line);
  if (!match) return { depth: 0, text: line };
  const rest = match[3] ?? "";
  if (/^[-+]*-{3,}/.test(rest)) return undefined;
  return { depth: (match[1] ?? "").length / 2, text: rest.startsWith(" ") ? rest.slice(1) : rest };
}

interface FoundException extends PythonException {
  depth: number;
  /** Which exception-group box the line was in (0 outside any box). */
  box: number;
}

/** Exception lines at any box depth, in order; each closes a traceback (header, frames, exception). */
function exceptionLines(text: string): FoundException[] {
  const found: FoundException[] = [];
  const inTraceback = new Map<number, boolean>();
  let box = 0;
  let boxOpen = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = unbox(raw);
    if (!line) continue;
    const { depth, text: content } = line;
    if (depth > 0 && !boxOpen) box += 1;
    if (depth > 0 || content.trim() !== "") boxOpen = depth > 0;
    if (TRACEBACK_HEADER.test(content) || FRAME_LINE.test(content)) {
      inTraceback.set(depth, true);
      continue;
    }
    // Inside a group box, a sub-exception raised without a traceback is printed bare.
    if (depth === 0 && !inTraceback.get(depth)) continue;
    if (/^\s/.test(content) || content === "") continue;
    const match = EXCEPTION_LINE.exec(content);
    if (match?.[1]) found.push({ name: match[1], message: match[2] ?? "", depth, box: depth > 0 ? box : 0 });
    inTraceback.set(depth, false);
  }
  return found;
}

/**
 * The exception that ended the last traceback in `text`, or undefined if there is none. For an
 * exception group, the group is the final exception and its leaves are listed as members.
 */
export function finalException(text: string): PythonException | undefined {
  const found = exceptionLines(text);
  const last = found.at(-1);
  if (!last) return undefined;
  if (last.depth === 0) return { name: last.name, message: last.message };
  // The last line is inside a group's box: the box's outermost exception is the group.
  const region = found.filter((e) => e.box === last.box);
  const outer = Math.min(...region.map((e) => e.depth));
  const group = region.filter((e) => e.depth === outer).at(-1) ?? last;
  const members = region
    .filter((e) => e.depth > outer && !GROUP_MESSAGE.test(e.message))
    .map(({ name, message }) => ({ name, message }));
  return { name: group.name, message: group.message, members };
}

/** A group is infrastructure only when every leaf is. */
function exceptionIsInfra(exception: PythonException): boolean {
  if (exception.members && exception.members.length > 0) {
    return exception.members.every((member) => isInfraException(member.name, member.message));
  }
  return isInfraException(exception.name, exception.message);
}

function oneLine(text: string, max = 160): string {
  const line = text.trim().split(/\r?\n/, 1)[0] ?? "";
  return line.length > max ? `${line.slice(0, max)}...` : line;
}

function describeException(exception: PythonException): string {
  return exception.message ? `${exception.name}: ${oneLine(exception.message)}` : exception.name;
}

function fromException(exception: PythonException, where: string): Classification {
  const infra = exceptionIsInfra(exception);
  const kind = infra ? "an infrastructure exception" : "an exception";
  return {
    errorType: infra ? "INFRA_ERROR" : "CODE_ERROR",
    reason: `${where} ended with ${kind}: ${describeException(exception)}`,
    exception: exception.name,
    message: exception.message,
  };
}

/** How the run ended decides before anything it printed. */
function fromEndReason(result: SandboxResult, subject: string): Classification | undefined {
  switch (result.endReason) {
    case "timed_out":
      return { errorType: "CODE_ERROR", reason: `${subject} did not finish before the time limit (a hang or an endless loop).` };
    case "out_of_memory":
      return { errorType: "CODE_ERROR", reason: `${subject} ran out of memory and was killed.` };
    case "output_limit":
      return { errorType: "CODE_ERROR", reason: `${subject} printed more output than allowed and was stopped.` };
    default:
      return undefined;
  }
}

/** A failing run with no traceback: keywords are the only evidence left. */
function fromExitWithoutTraceback(result: SandboxResult): Classification {
  const stderr = result.stderr.trim();
  const keyword = INFRA_KEYWORDS.exec(stderr);
  if (keyword) {
    return {
      errorType: "INFRA_ERROR",
      reason: `Exit code ${result.exitCode} with no traceback, and stderr mentions "${keyword[0]}": ${oneLine(stderr)}`,
    };
  }
  const said = stderr ? `: ${oneLine(stderr)}` : " and printed nothing to stderr";
  return { errorType: "CODE_ERROR", reason: `Exit code ${result.exitCode} with no traceback${said}` };
}

function classifyEntry(result: SandboxResult): Classification {
  const ended = fromEndReason(result, "The program");
  if (ended) return ended;
  // A traceback decides even after exit 0: the program swallowed an exception it should not have.
  const inStderr = finalException(result.stderr);
  if (inStderr) return fromException(inStderr, "The program");
  if (result.exitCode === 0) {
    const warnings = result.stderr.trim() ? `; stderr without a traceback ignored: ${oneLine(result.stderr)}` : "";
    return { errorType: "NO_ERROR", reason: `The program exited with code 0${warnings || "."}` };
  }
  const inStdout = finalException(result.stdout);
  if (inStdout) return fromException(inStdout, "The program (traceback on stdout)");
  return fromExitWithoutTraceback(result);
}

const SUMMARY_STATUS: Record<string, PytestOutcome> = {
  PASSED: "passed",
  FAILED: "failed",
  ERROR: "error",
  SKIPPED: "skipped",
  XFAIL: "xfailed",
  XPASS: "xpassed",
};

const SUMMARY_HEADER = /^=+ short test summary info =+\s*$/;
const SUMMARY_LINE = /^(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS) (.+)$/;
const FINAL_LINE = /^=+ (.+) in [\d.]+s(?: \([^)]*\))? =+\s*$/;

interface SummaryEntry {
  id: string;
  outcome: PytestOutcome;
  /** The text after " - ", e.g. "ValueError: bad input". */
  detail: string;
}

/** Lines of pytest's short test summary (the last one printed), up to the closing `===` line. */
function summaryEntries(stdout: string): SummaryEntry[] {
  const lines = stdout.split(/\r?\n/);
  let start = -1;
  lines.forEach((line, i) => {
    if (SUMMARY_HEADER.test(line)) start = i + 1;
  });
  if (start === -1) return [];
  const entries: SummaryEntry[] = [];
  for (const line of lines.slice(start)) {
    if (line.startsWith("=")) break;
    const match = SUMMARY_LINE.exec(line);
    const outcome = match?.[1] ? SUMMARY_STATUS[match[1]] : undefined;
    if (!match?.[2] || !outcome) continue;
    if (outcome === "skipped") {
      // Skips are printed by location, not node id: `SKIPPED [1] tests/test_a.py:22: reason`.
      const skip = /^\[\d+\] (.+?:\d+): ?(.*)$/.exec(match[2]);
      if (skip?.[1]) entries.push({ id: skip[1], outcome, detail: skip[2] ?? "" });
      continue;
    }
    const separator = match[2].indexOf(" - ");
    const id = separator === -1 ? match[2].trim() : match[2].slice(0, separator);
    entries.push({ id, outcome, detail: separator === -1 ? "" : match[2].slice(separator + 3) });
  }
  return entries;
}

/**
 * Outcomes from pytest's `-rA` short test summary, keyed by node id (skips, which pytest reports
 * by location, are keyed by `path:line`). Only the summary section is read, so test output that
 * happens to start with "FAILED" cannot pose as a result.
 */
export function parsePytestOutcomes(stdout: string): Map<string, PytestOutcome> {
  return new Map(summaryEntries(stdout).map((entry) => [entry.id, entry.outcome]));
}

/** The counts line, e.g. "1 failed, 2 passed", from `=== 1 failed, 2 passed in 0.12s ===`. */
function finalCounts(stdout: string): string | undefined {
  const lines = stdout.split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const match = FINAL_LINE.exec(lines[i] ?? "");
    if (match?.[1]) return match[1];
  }
  return undefined;
}

/** `ValueError: message` at the start of a summary detail; pytest may have cut the message with "...". */
function exceptionOfDetail(detail: string): PythonException | undefined {
  const match = /^([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)(?::\s?(.*))?$/.exec(detail.trim());
  // Builtin exceptions are capitalised; others are printed with their module ("socket.gaierror").
  if (!match?.[1] || (!/^[A-Z]/.test(match[1]) && !match[1].includes("."))) return undefined;
  return { name: match[1], message: match[2] ?? "" };
}

/** The first `E   Name: message` line of pytest's failure report, for entries without a detail. */
function firstReportedException(stdout: string): PythonException | undefined {
  for (const line of stdout.split(/\r?\n/)) {
    const reported = /^E\s+(\S.*)$/.exec(line);
    const exception = reported?.[1] ? exceptionOfDetail(reported[1]) : undefined;
    if (exception) return exception;
  }
  return undefined;
}

function fromFailingTests(failing: SummaryEntry[], counts: string | undefined, stdout: string): Classification {
  const ids = failing.map((entry) => entry.id);
  const exceptions = failing.map((entry) => exceptionOfDetail(entry.detail));
  // A collection error has no detail in the summary; its report still names the exception.
  const first = exceptions[0] ?? firstReportedException(stdout);
  const allInfra = exceptions.every((e) => e !== undefined && isInfraException(e.name, e.message));
  const tally = counts ? ` (${counts})` : "";
  const listed = ids.length > 3 ? `${ids.slice(0, 3).join(", ")} and ${ids.length - 3} more` : ids.join(", ");
  const cause = first ? `; first: ${describeException(first)}` : "";
  return {
    errorType: allInfra ? "INFRA_ERROR" : "CODE_ERROR",
    reason: allInfra
      ? `Every failing test hit an infrastructure exception${tally}: ${listed}${cause}`
      : `Failing tests${tally}: ${listed}${cause}`,
    failingTests: ids,
    ...(first ? { exception: first.name, message: first.message } : {}),
  };
}

function classifyPytest(result: SandboxResult): Classification {
  const ended = fromEndReason(result, "The test run");
  if (ended) return ended;
  const output = `${result.stdout}\n${result.stderr}`;
  if (/No module named pytest\b/.test(output)) {
    return { errorType: "INFRA_ERROR", reason: "pytest is not installed in the sandbox image." };
  }
  const counts = finalCounts(result.stdout);
  switch (result.exitCode) {
    case 0:
      return { errorType: "NO_ERROR", reason: `All tests passed${counts ? ` (${counts})` : ""}.` };
    case 5:
      return { errorType: "NO_ERROR", reason: "pytest collected no tests, so there is no failing test to fix." };
    case 3: {
      // The last INTERNALERROR> line holds pytest's own exception.
      const internal = oneLine(result.stdout.split("INTERNALERROR>").at(-1) ?? "");
      return { errorType: "INFRA_ERROR", reason: `pytest crashed with an internal error: ${internal}` };
    }
    case 4: {
      const usage = oneLine(result.stderr || result.stdout);
      return { errorType: "INFRA_ERROR", reason: `pytest was invoked incorrectly (usage error): ${usage}` };
    }
  }
  const failing = summaryEntries(result.stdout).filter((e) => e.outcome === "failed" || e.outcome === "error");
  if (failing.length > 0) return fromFailingTests(failing, counts, result.stdout);
  const exception = finalException(result.stdout) ?? finalException(result.stderr);
  if (exception) return fromException(exception, "The test run");
  if (counts) return { errorType: "CODE_ERROR", reason: `pytest exited with code ${result.exitCode} (${counts}).` };
  return fromExitWithoutTraceback(result);
}

/** What the sandbox lacks decides before the code is blamed. */
function fromEnvironment(input: ClassifyInput): Classification | undefined {
  const { mode, result, environment } = input;
  if (!environment) return undefined;
  const failure = diagnoseEnvironment(mode, result, environment);
  if (!failure) return undefined;
  return { errorType: "INFRA_ERROR", reason: failure.reason, infraCode: failure.code, remedy: failure.remedy };
}

/** Pure and synchronous: the same run always gets the same classification. */
export function classifyFailure(input: ClassifyInput): Classification {
  return fromEnvironment(input) ?? (input.mode === "pytest" ? classifyPytest(input.result) : classifyEntry(input.result));
}
