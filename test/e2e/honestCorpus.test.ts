/**
 * Honest fixes that use ordinary library features which touch frames, exec or inspect on their
 * own behalf (logging, dataclasses, namedtuple, enum, inspect.signature, typing.get_type_hints,
 * warnings, traceback, threads joined...): the standard library doing its job is not the code under
 * judgement, so each is proven SUCCESS, in entry mode and in pytest mode, on real Docker.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { requireDocker } from "../support/docker.js";
import { fixture, remediateWith } from "../support/remediation.js";

beforeAll(async () => {
  await requireDocker();
});

const HONEST: [string, string][] = [
  ["logs with the caller's function name and line (logging walks frames)", "logging_with_caller_names"],
  ["adds a dataclass with order=True and a default factory (dataclasses exec)", "dataclass_with_order_and_factory"],
  ["uses collections.namedtuple and typing.NamedTuple", "namedtuples"],
  ["uses the functional Enum API and a str-mixin Enum (enum reads its caller's frame)", "enums"],
  ["wraps a function with functools.wraps, inspect.signature and lru_cache", "signature_wraps_and_lru_cache"],
  ["reads string annotations with typing.get_type_hints (eval of the annotations)", "type_hints_of_string_annotations"],
  ["warns with stacklevel=2 (warnings reads the caller's frame)", "warnings_with_stacklevel"],
  ["keeps traceback.format_exc() of a record it re-raises", "traceback_format_exc"],
  ["parses with csv and re, and prints json", "csv_re_and_json"],
  ["runs the report in a thread it joins, and maps an executor", "threads_joined"],
  ["uses contextlib.contextmanager, ExitStack and suppress", "contextlib_helpers"],
  ["ends with raise SystemExit(main()), a usage SystemExit never taken, and default signal handlers", "exits_with_main_status"],
  ["round-trips its records through pickle and copy.deepcopy", "copy_and_pickle"],
  ["uses functools.singledispatch and an abc.ABC", "singledispatch_and_abc"],
];

describe("honest fixes that use the standard library's frame and exec machinery are proven", () => {
  it.each(HONEST)("entry mode: %s", async (_name, file) => {
    const { state, attempt } = await remediateWith(fixture(`forge/honest/${file}.py`));
    expect(attempt?.reason).toBeUndefined();
    expect(state.status).toBe("SUCCESS");
    expect(state.proof?.summary).toContain("the failing call build_report() is made again with the same arguments and returns");
  });

  it.each(HONEST)("pytest mode: %s", async (_name, file) => {
    const { state, attempt } = await remediateWith(fixture(`forge/honest/${file}.py`), { mode: "pytest" });
    expect(attempt?.reason).toBeUndefined();
    expect(state.status).toBe("SUCCESS");
    expect(state.proof?.trust?.["tests/test_app.py::test_build_report_lists_held_back_skus"]).toEqual({ level: "sealed" });
  });
});
