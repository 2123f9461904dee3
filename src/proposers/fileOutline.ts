/**
 * How a large file is shown to a model: the definitions the failure points at in full (the
 * functions holding a traceback frame's line, the functions the failing tests call), and an outline
 * of the rest: the other definitions' headers with `...` for their bodies, short module-level
 * statements as they are. A model can then quote what it saw in SEARCH/REPLACE edits, and it never
 * sends back a whole file it has not seen. Cut along the syntax tree, never mid-definition.
 */
import { parsePython, statementSpans, type StatementSpan } from "../python/pythonSyntax.js";

/** More lines than this and a file is shown as an outline, whatever the budget. */
const LARGE_FILE_LINES = 400;
/** A file costing more than this share of --context-tokens is shown as an outline too... */
const LARGE_FILE_BUDGET_SHARE = 0.5;
/** ...unless it is this short: its outline would save next to nothing. */
const SMALL_FILE_LINES = 60;
/** Module-level statements up to this many lines are shown as they are, longer ones by their first line. */
const SHORT_STATEMENT_LINES = 3;

export function isLargeFile(text: string, budgetChars: number): boolean {
  const lines = text.split("\n").length;
  return lines > LARGE_FILE_LINES || (lines > SMALL_FILE_LINES && text.length > budgetChars * LARGE_FILE_BUDGET_SHARE);
}

/** What the failure points at in one file. */
export interface Focus {
  /** 1-based lines (traceback frames, pytest's failure lines). */
  lines: readonly number[];
  /** Names of functions and classes (what the failing tests call). */
  names: readonly string[];
}

const ELLIPSIS = "...";

function indentOf(line: string): string {
  return /^[ \t]*/.exec(line)![0];
}

function pointedAt(span: StatementSpan, focus: Focus): boolean {
  return focus.lines.some((line) => line >= span.start && line <= span.end) || (span.definition !== undefined && focus.names.includes(span.definition.name));
}

/** Renders `spans` into `out`: in full, as a header with `...`, or (a class) member by member. */
function render(spans: StatementSpan[], lines: string[], focus: Focus, out: string[], nested: boolean): void {
  let previousEnd: number | undefined;
  for (const span of spans) {
    if (previousEnd !== undefined && lines.slice(previousEnd, span.start - 1).some((line) => line.trim() === "")) out.push("");
    previousEnd = span.end;
    const whole = lines.slice(span.start - 1, span.end);
    const definition = span.definition;
    if (!definition) {
      out.push(...(whole.length <= SHORT_STATEMENT_LINES || pointedAt(span, focus) ? whole : [`${whole[0]!} ${ELLIPSIS}`]));
      continue;
    }
    const members = definition.body;
    const inClass = members.some((member) => pointedAt(member, focus));
    if ((pointedAt(span, focus) && !inClass) || definition.bodyStart <= definition.headerEnd) {
      out.push(...whole);
      continue;
    }
    out.push(...lines.slice(span.start - 1, definition.headerEnd));
    if (definition.kind === "class" && (inClass || !nested)) {
      render(members, lines, focus, out, true);
    } else {
      out.push(`${indentOf(lines[definition.bodyStart - 1]!)}${ELLIPSIS}`);
    }
  }
}

/** The outline of `source` with the definitions `focus` points at in full. */
export function outlineFile(source: string, focus: Focus): Promise<string> {
  return parsePython(source, (root) => {
    const lines = source.split("\n");
    const out: string[] = [];
    render(statementSpans(root), lines, focus, out, false);
    return `${out.join("\n")}\n`;
  });
}
