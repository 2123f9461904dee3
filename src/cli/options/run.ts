/**
 * The `run` command's flags and their parsed type, shared by its declaration and its work. The run
 * inputs' flags are derived from the input table (state/inputTable.ts); --checkpoint and --json
 * are the CLI's own: they say how this process runs, not what the run is.
 */
import type { Argv, Options } from "yargs";
import { z } from "zod";
import { RUN_INPUT_SPECS, type RunInputSpec } from "../../state/inputTable.js";

/** A run input's yargs option: its type from the schema, its default unless the graph owns it. */
export function inputOption(spec: RunInputSpec): Options {
  const value = spec.value;
  const option: Options = { describe: spec.describe };
  if (value instanceof z.ZodArray) Object.assign(option, { type: "string", array: true });
  else if (value instanceof z.ZodEnum) option.choices = value.options;
  else if (value instanceof z.ZodNumber) option.type = "number";
  else if (value instanceof z.ZodBoolean) option.type = "boolean";
  else option.type = "string";
  if (spec.required) option.demandOption = true;
  if (spec.shownDefault !== undefined) option.defaultDescription = spec.shownDefault;
  if (spec.default !== undefined) {
    if (spec.graphDefault) option.defaultDescription ??= String(spec.default);
    else option.default = spec.default;
  }
  return option;
}

export function runOptions(y: Argv) {
  for (const spec of RUN_INPUT_SPECS) y.option(spec.flag, inputOption(spec));
  return y
    .option("checkpoint", { type: "string", describe: "Checkpoint store: a SQLite file, or postgres://... [default: ARTIFACTS/checkpoints.sqlite]" })
    .option("json", { type: "boolean", default: false, describe: "Print the final report as JSON on stdout, and nothing else there" });
}

/** The parsed flags: the run inputs by flag name (toRunInput checks them), and the CLI's own. */
export type RunArgs = Readonly<Record<string, unknown>> & { artifacts: string; checkpoint?: string; json: boolean };
