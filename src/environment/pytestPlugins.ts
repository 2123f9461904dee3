/**
 * pytest plugins whose absence makes tests skip or error: what pytest prints when one is missing,
 * and which plugin to install. Only well-known plugins are named; an unknown custom mark or a
 * fixture the repository forgot to define stays a code problem.
 */

/** Marks that decide whether a test can run at all. */
const MARKS: Record<string, string> = {
  asyncio: "pytest-asyncio",
  trio: "pytest-trio",
  anyio: "anyio",
  django_db: "pytest-django",
  tornado: "pytest-tornado",
};

const FIXTURES: Record<string, string> = {
  mocker: "pytest-mock",
  class_mocker: "pytest-mock",
  module_mocker: "pytest-mock",
  session_mocker: "pytest-mock",
  event_loop: "pytest-asyncio",
  benchmark: "pytest-benchmark",
  httpx_mock: "pytest-httpx",
  requests_mock: "requests-mock",
  respx_mock: "respx",
  freezer: "pytest-freezer",
  time_machine: "time-machine",
  snapshot: "syrupy",
  faker: "Faker",
  httpserver: "pytest-httpserver",
  aiohttp_client: "pytest-aiohttp",
  django_db_setup: "pytest-django",
  rf: "pytest-django",
  admin_client: "pytest-django",
  django_user_model: "pytest-django",
  nursery: "pytest-trio",
  anyio_backend: "anyio",
  xprocess: "pytest-xprocess",
  fs: "pyfakefs",
  celery_app: "celery",
  qtbot: "pytest-qt",
  datadir: "pytest-datadir",
  subtests: "pytest-subtests",
};

/** Command-line options (usually from `addopts`) that only a plugin defines. */
const OPTIONS: [RegExp, string][] = [
  [/^--cov\b|^--no-cov\b/, "pytest-cov"],
  [/^-n\b|^--numprocesses\b|^--dist\b/, "pytest-xdist"],
  [/^--timeout\b/, "pytest-timeout"],
  [/^--reruns\b/, "pytest-rerunfailures"],
  [/^--benchmark/, "pytest-benchmark"],
  [/^--ds\b/, "pytest-django"],
  [/^--asyncio-mode\b/, "pytest-asyncio"],
  [/^--mypy\b/, "pytest-mypy"],
  [/^--randomly/, "pytest-randomly"],
  [/^--html\b/, "pytest-html"],
];

export interface MissingPlugin {
  plugin: string;
  /** What pytest printed that shows it, in a few words. */
  evidence: string;
}

const ASYNC_UNSUPPORTED = /async def functions are not natively supported/;

/** The missing plugins the output shows, each named once, in the order found. */
export function missingPytestPlugins(output: string): MissingPlugin[] {
  const found = new Map<string, MissingPlugin>();
  const add = (plugin: string, evidence: string) => {
    if (!found.has(plugin)) found.set(plugin, { plugin, evidence });
  };
  const marks = [...output.matchAll(/Unknown pytest\.mark\.(\w+)/g)].map((m) => m[1] ?? "");
  for (const mark of marks) {
    const plugin = MARKS[mark];
    if (plugin) add(plugin, `unknown mark @pytest.mark.${mark}`);
  }
  if (ASYNC_UNSUPPORTED.test(output)) {
    const framework = marks.map((mark) => MARKS[mark]).find((plugin) => plugin && plugin !== "pytest-django");
    add(framework ?? "pytest-asyncio", "async def tests skipped: \"async def functions are not natively supported\"");
  }
  for (const match of output.matchAll(/fixture '(\w+)' not found/g)) {
    const plugin = FIXTURES[match[1] ?? ""];
    if (plugin) add(plugin, `fixture '${match[1]}' not found`);
  }
  for (const match of output.matchAll(/unrecognized arguments: ([^\n]+)/g)) {
    for (const argument of (match[1] ?? "").trim().split(/\s+/)) {
      const plugin = OPTIONS.find(([pattern]) => pattern.test(argument))?.[1];
      if (plugin) add(plugin, `unrecognized argument ${argument}`);
    }
  }
  return [...found.values()];
}
