/** `opsguard batch JOBS.jsonl`: many remediations from a jobs file. Declares its flags; the work is loaded on use. */
import type { Argv, CommandModule } from "yargs";
import { batchOptions, type BatchArgs } from "../options/batch.js";

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
    const { runBatchCli } = await import("../batch.js");
    process.exitCode = await runBatchCli(args);
  },
};
