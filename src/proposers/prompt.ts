/**
 * Builds the messages that ask a model for a fix. The wording lives in prompts/system.md and
 * prompts/fix.md so it can be reviewed and changed without touching code; this module only fills
 * in the request.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { answersInBlocks, type FileToFix, type PreviousAttempt, type ProposalRequest } from "./proposer.js";
import { packageRoot } from "../system/packageRoot.js";
export { findPackageRoot } from "../system/packageRoot.js";

/** Earlier answers longer than this are shown as head and tail: the refusal matters more than the bulk. */
const ATTEMPT_EXCERPT_LIMIT = 4000;
const EXCERPT_HEAD = 2500;
const EXCERPT_TAIL = 1000;

interface Templates {
  system: string;
  fix: string;
  /** For requests with context files: the block answer format. */
  systemFiles: string;
  fixFiles: string;
}

let templates: Templates | undefined;

export function buildFixPrompt(request: ProposalRequest): { system: string; user: string } {
  if (answersInBlocks(request)) return buildFilesPrompt(request);
  const { system, fix } = loadTemplates();
  const user = fillTemplate(
    fix,
    { retry: request.previousAttempts.length > 0 },
    {
      filePath: request.file.path,
      mode: request.mode,
      errorDescription: request.errorDescription.trim(),
      reproductionOutput: request.reproductionOutput.trimEnd(),
      fileContent: endWithNewline(request.file.content),
      previousAttempts: request.previousAttempts.map(renderAttempt).join("\n\n"),
    },
  );
  return { system, user };
}

/** A shown file: whole, or (a large one) as its outline, marked so the prompt can say how to answer it. */
function renderFile(file: FileToFix): string {
  if (file.view === undefined) return `<file path="${file.path}">\n${endWithNewline(file.content)}</file>`;
  return `<file path="${file.path}" shown="outline" lines="${lineCount(file.content)}">\n${endWithNewline(file.view)}</file>`;
}

/** The prompt for several files (or a large one): the shown files, and the block answer format (prompts/*-files.md). */
function buildFilesPrompt(request: ProposalRequest): { system: string; user: string } {
  const { systemFiles, fixFiles } = loadTemplates();
  const shown = [request.file, ...(request.context ?? [])];
  const user = fillTemplate(
    fixFiles,
    { retry: request.previousAttempts.length > 0, outlined: shown.some((f) => f.view !== undefined) },
    {
      filePath: request.file.path,
      outlinedPaths: shown.filter((f) => f.view !== undefined).map((f) => f.path).join(", "),
      filePaths: shown.map((f) => f.path).join(", "),
      mode: request.mode,
      errorDescription: request.errorDescription.trim(),
      reproductionOutput: request.reproductionOutput.trimEnd(),
      files: shown.map(renderFile).join("\n"),
      previousAttempts: request.previousAttempts.map(renderAttempt).join("\n\n"),
    },
  );
  return { system: systemFiles, user };
}

/**
 * The directory of the opsguard package.json above `fromDir`. Works from src/ under a TS loader,
 * from dist/, and from node_modules/opsguard when installed.
 */

/** Read once: the files ship with the package and do not change while it runs. */
function loadTemplates(): Templates {
  if (!templates) {
    const dir = join(packageRoot(), "prompts");
    templates = {
      system: readTemplate(join(dir, "system.md")).trimEnd(),
      fix: readTemplate(join(dir, "fix.md")),
      systemFiles: readTemplate(join(dir, "system-files.md")).trimEnd(),
      fixFiles: readTemplate(join(dir, "fix-files.md")),
    };
  }
  return templates;
}

function readTemplate(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new Error(`Cannot read the prompt template ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)}); reinstall opsguard.`);
  }
}


/**
 * `{{#flag}}...{{/flag}}` keeps its text only when the flag is set; `{{name}}` takes a value.
 * Values are inserted in one pass, so braces inside a user's file are never expanded again.
 */
function fillTemplate(template: string, flags: Record<string, boolean>, values: Record<string, string>): string {
  const sections = template.replace(/\{\{#(\w+)\}\}\n?([\s\S]*?)\{\{\/\1\}\}\n?/g, (_match, flag: string, body: string) => {
    if (!(flag in flags)) throw new Error(`The prompt template uses an unknown section {{#${flag}}}.`);
    return flags[flag] ? body : "";
  });
  return sections
    .replace(/\{\{(\w+)\}\}/g, (_match, name: string) => {
      const value = values[name];
      if (value === undefined) throw new Error(`The prompt template uses an unknown field {{${name}}}.`);
      return value;
    })
    .trimEnd();
}

function renderAttempt(attempt: PreviousAttempt): string {
  const parts = [`<attempt number="${attempt.number}">`, "<refusal>", attempt.refusal.trim(), "</refusal>"];
  if (attempt.content !== undefined) parts.push("<proposed_content>", `${endWithNewline(excerpt(attempt.content))}</proposed_content>`);
  parts.push("</attempt>");
  return parts.join("\n");
}

function excerpt(content: string): string {
  if (content.length <= ATTEMPT_EXCERPT_LIMIT) return content;
  const omitted = content.length - EXCERPT_HEAD - EXCERPT_TAIL;
  return `${content.slice(0, EXCERPT_HEAD)}\n[... ${omitted} characters omitted ...]\n${content.slice(-EXCERPT_TAIL)}`;
}

function lineCount(text: string): number {
  return text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}

/** Closing tags go on their own line without adding a blank line to files that already end with one. */
function endWithNewline(text: string): string {
  return text.endsWith("\n") ? text : `${text}\n`;
}
