/**
 * Where a CLI run's checkpoints live: a local SQLite file under the artifacts directory by default,
 * or a PostgreSQL database (`--checkpoint postgres://...`) for runs that outlive one machine.
 * The savers are loaded only when used.
 */
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { InfraError } from "../errors.js";

export interface OpenCheckpointer {
  saver: BaseCheckpointSaver;
  /** Human-readable location, never with a password. */
  where: string;
  close(): Promise<void>;
}

export const SQLITE_FILE = "checkpoints.sqlite";

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
}

export async function openCheckpointer(spec: string | undefined, artifactsDir: string): Promise<OpenCheckpointer> {
  if (spec && /^postgres(ql)?:\/\//.test(spec)) {
    const { PostgresSaver } = await import("@langchain/langgraph-checkpoint-postgres");
    const saver = PostgresSaver.fromConnString(spec);
    try {
      await saver.setup();
    } catch (err) {
      await saver.end().catch(() => undefined);
      throw new InfraError(
        "CHECKPOINT_UNREACHABLE",
        `Cannot use the PostgreSQL checkpointer at ${redactUrl(spec)}: ${(err as Error).message}. Check that the server runs and the URL is right.`,
      );
    }
    return { saver, where: redactUrl(spec), close: () => saver.end() };
  }
  const file = resolve(spec ?? join(artifactsDir, SQLITE_FILE));
  await mkdir(resolve(file, ".."), { recursive: true });
  const { SqliteSaver } = await import("@langchain/langgraph-checkpoint-sqlite");
  const saver = SqliteSaver.fromConnString(file);
  return { saver, where: file, close: async () => saver.db.close() };
}
