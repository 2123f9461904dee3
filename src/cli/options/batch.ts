/** The `batch` command's flags and their parsed type, shared by its declaration and its work. */
import type { Argv } from "yargs";
import { BATCH_KEYS } from "../../state/inputTable.js";

export function batchOptions(y: Argv) {
  return y
    .positional("jobs", {
      type: "string",
      demandOption: true,
      describe:
        `Jobs file: one JSON object per line, keyed by the run command's long flag names (${BATCH_KEYS.join(", ")}; a repeatable flag takes a list) and an optional name. Blank lines and lines starting with # are skipped. Relative paths in it are resolved against the jobs file's own directory.`,
    })
    .option("concurrency", { type: "number", default: 2, describe: "Jobs running at once on each engine" })
    .option("docker-host", {
      type: "string",
      default: [] as string[],
      defaultDescription: "$DOCKER_HOST or unix:///var/run/docker.sock",
      // Not `array: true`: an array flag swallows the words after it, so `--docker-host X jobs.jsonl`
      // would take the jobs file for a second engine. Repeating the flag still collects every value.
      coerce: (value: string | string[] | undefined): string[] => (value === undefined ? [] : [value].flat()),
      describe: "Docker engine to run jobs on, unix:///path/docker.sock or tcp://host:port (repeatable)",
    })
    .option("artifacts", { type: "string", default: "artifacts/batch", describe: "Root directory: batch_report.json, and one <NN>-<name> directory per job" })
    .option("json", { type: "boolean", default: false, describe: "Print batch_report.json on stdout, and nothing else there (the summary goes to stderr)" });
}

/** The parsed flags, spelled out: yargs' inference loses them through `positional` plus `coerce`. */
export interface BatchArgs {
  jobs: string;
  concurrency: number;
  "docker-host": string[];
  artifacts: string;
  json: boolean;
}
