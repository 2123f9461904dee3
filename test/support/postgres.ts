import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./freePort.js";

const BIN = "/usr/lib/postgresql/15/bin";


function asPostgres(args: string[]): void {
  const r = spawnSync("runuser", ["-u", "postgres", "--", ...args], { encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
}

/** A throwaway PostgreSQL cluster on a free loopback port; `stop()` removes it. Never skipped. */
export async function startPostgres(): Promise<{ url: string; stop: () => void }> {
  if (!existsSync(join(BIN, "initdb"))) {
    throw new Error(`PostgreSQL 15 is needed at ${BIN}: install it with \`apt-get install -y postgresql\` (bash .ci/run does).`);
  }
  const dir = mkdtempSync(join(tmpdir(), "opsguard-pg-"));
  chmodSync(dir, 0o777);
  const data = join(dir, "data");
  const port = await freePort();
  asPostgres([join(BIN, "initdb"), "-D", data, "-A", "trust", "-U", "postgres"]);
  asPostgres([join(BIN, "pg_ctl"), "-D", data, "-o", `-k ${dir} -p ${port} -c listen_addresses=127.0.0.1`, "-w", "start", "-l", join(dir, "log")]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: () => {
      spawnSync("runuser", ["-u", "postgres", "--", join(BIN, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop"]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
