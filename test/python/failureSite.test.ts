import { describe, expect, it } from "vitest";
import { findFailureSite } from "../../src/python/failureSite.js";

const TRACEBACK = `Traceback (most recent call last):
  File "app.py", line 84, in <module>
    main()
  File "app.py", line 80, in main
    print(build_report(SAMPLE_FEED))
  File "/workspace/lib/prices.py", line 12, in parse_price
    return float(text)
  File "/usr/lib/python3.11/decimal.py", line 3, in helper
ValueError: could not convert string to float: 'N/A'
`;

const HANG = `Timeout (0:00:28.500000)!
Thread 0x00007f1 (most recent call first):
  File "/usr/lib/python3.11/threading.py", line 320 in wait
Current thread 0x00007f2 (most recent call first):
  File "app.py", line 6 in spin
  File "app.py", line 10 in main
  File "app.py", line 13 in <module>
  File "<frozen runpy>", line 88 in _run_code
  File "/opsguard/opsguard_entry.py", line 90 in main
`;

describe("findFailureSite", () => {
  it("takes the user's frames of the last traceback, outermost first", () => {
    expect(findFailureSite(TRACEBACK, "exited")).toEqual({
      kind: "exception",
      chain: [
        { file: "app.py", function: "<module>", line: 84 },
        { file: "app.py", function: "main", line: 80 },
        { file: "prices.py", path: "lib/prices.py", function: "parse_price", line: 12 },
      ],
    });
  });

  it("takes the current thread's stack from faulthandler's dump for a hang", () => {
    expect(findFailureSite(HANG, "timed_out")).toEqual({
      kind: "hang",
      chain: [
        { file: "app.py", function: "<module>", line: 13 },
        { file: "app.py", function: "main", line: 10 },
        { file: "app.py", function: "spin", line: 6 },
      ],
    });
  });

  it.each([
    ["no traceback", "something went wrong\n", "exited"],
    ["a traceback only in Python's own files", 'Traceback (most recent call last):\n  File "/usr/lib/python3.11/json/__init__.py", line 1, in loads\nValueError: x\n', "exited"],
    ["a hang without a dump", "", "timed_out"],
  ])("finds none with %s", (_name, stderr, endReason) => {
    expect(findFailureSite(stderr, endReason)).toBeUndefined();
  });
});
