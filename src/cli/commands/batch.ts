/** `opsguard batch JOBS.jsonl`: many remediations from a jobs file. Declares its flags; the work is loaded on use. */
import type { Argv, CommandModule } from "yargs";

export function batchOptions(y: Argv) {
  return y
    .positional("jobs", {
      type: "string",
      demandOption: true,
      describe:
        "Jobs file: one JSON object per line, keyed by the run command's long flag names (repo, error, entry, mode, candidate as a list, timeout, image, max-fix-attempts, max-repro-attempts, provider, model, base-url, fallback) and an optional name. Blank lines and lines starting with # are skipped. Relative paths in it are resolved against the jobs file's own directory.",
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

export const batchCommand: CommandModule<object, BatchArgs> = {
  command: "batch <jobs>",
  describe: "Run the remediations of a jobs file (JSON lines) in a bounded pool over one or more Docker engines",
  builder: (y) =>
    batchOptions(y)
      .usage("$0 batch JOBS.jsonl [--concurrency N] [--docker-host HOST]... [--artifacts DIR] [--json]")
      .example('$0 batch jobs.jsonl --concurrency 2', 'with jobs.jsonl lines like {"repo": "demo_repo", "error": "ValueError", "candidate": ["demo_repo/fixes/app.py"]}')
      .epilogue(
        "Each job goes to the engine with the most free slots; an engine that stops answering is marked dead and its jobs move to another one.\n" +
          "Exit codes: 0 every job SUCCESS, 1 some job not, 2 no engine usable, 64 usage error (a bad jobs line names its line number), 130 interrupted (Ctrl-C), 143 terminated (SIGTERM).",
      ) as unknown as Argv<BatchArgs>,
  handler: async (args) => {
    const { runBatchCli } = await import("../../batch/cli.js");
    process.exitCode = await runBatchCli(args);
  },
};
