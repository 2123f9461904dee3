import { describe, expect, it } from "vitest";
import { judgeEntryEvidence, watchList, type EntryEvidence } from "../../src/evidence/entry.js";
import type { FailureSite } from "../../src/python/failureSite.js";

const site: FailureSite = {
  kind: "exception",
  chain: [
    { file: "app.py", function: "<module>", line: 84 },
    { file: "app.py", function: "main", line: 80 },
    { file: "app.py", function: "parse_price", line: 45 },
  ],
};
const stats = (calls: number, returns: number, raised: number) => ({ calls, returns, raised });
const evidence = (main: ReturnType<typeof stats>, parse: ReturnType<typeof stats>, ended = "completed"): EntryEvidence => ({
  watched: { "app.py:<module>": stats(1, 1, 0), "app.py:main": main, "app.py:parse_price": parse },
  ended,
});

describe("judgeEntryEvidence", () => {
  it("watches every function of the failing path once", () => {
    expect(watchList(site)).toEqual([["app.py", "<module>"], ["app.py", "main"], ["app.py", "parse_price"]]);
  });

  it.each([
    ["the path completes", evidence(stats(1, 1, 0), stats(5, 5, 0)), true, "reached 5 time(s)"],
    ["the site raises but its caller handles it", evidence(stats(1, 1, 0), stats(5, 4, 1)), true, "4 normal return(s)"],
    ["the site is never reached", evidence(stats(1, 1, 0), stats(0, 0, 0)), false, "is never reached"],
    ["the exception is silenced above the path", evidence(stats(1, 0, 1), stats(3, 2, 1)), false, "silenced above it"],
    ["the program exits with an error code", evidence(stats(1, 1, 0), stats(1, 1, 0), "exit:1"), false, "did not complete (exit:1)"],
    ["a clean sys.exit(0) after the work", evidence(stats(1, 1, 0), stats(1, 1, 0), "exit:0"), true, "completes"],
    ["no evidence at all (os._exit)", undefined, false, "without OpsGuard's evidence"],
  ] as const)("%s", (_name, given, ok, text) => {
    const verdict = judgeEntryEvidence(site, given);
    expect(verdict.ok).toBe(ok);
    expect(verdict.ok ? verdict.summary : verdict.reason).toContain(text);
  });
});
