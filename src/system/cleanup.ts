/**
 * Last-chance cleanup on SIGINT/SIGTERM: containers and temporary workspaces register an async task
 * while they exist. On a signal every task runs (bounded in time), then the signal is re-raised so
 * the process ends exactly as it would have without us. Handlers are installed only while a task
 * is registered, so library users keep their own signal behaviour the rest of the time.
 */
type Task = () => Promise<void>;

const tasks = new Set<Task>();
const SIGNALS = ["SIGINT", "SIGTERM"] as const;
let installed = false;
let running: Promise<void> | undefined;

async function runAll(): Promise<void> {
  const pending = [...tasks].map((task) => task().catch(() => undefined));
  tasks.clear();
  await Promise.race([Promise.all(pending), new Promise((resolve) => setTimeout(resolve, 15_000).unref())]);
}

function handle(signal: NodeJS.Signals): void {
  running ??= runAll().finally(() => {
    uninstall();
    process.kill(process.pid, signal);
  });
}

function install(): void {
  if (installed) return;
  installed = true;
  for (const signal of SIGNALS) process.on(signal, handle);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  for (const signal of SIGNALS) process.off(signal, handle);
}

/** Registers a cleanup task; call the returned function once the resource is gone. */
export function registerCleanup(task: Task): () => void {
  tasks.add(task);
  install();
  return () => {
    tasks.delete(task);
    if (tasks.size === 0 && !running) uninstall();
  };
}
