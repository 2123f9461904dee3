import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./support/built.js";

describe("docs/architecture.md", () => {
  it("shows the graph exactly as LangGraph draws it today", () => {
    const check = spawnSync(process.execPath, [join(ROOT, "scripts/draw-graph.mjs"), "--check"], { encoding: "utf8" });
    expect(check.stderr).toBe("");
    expect(check.status).toBe(0);
  });
});
