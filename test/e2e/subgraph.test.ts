/**
 * OpsGuard as one step of someone else's agent: the compiled graph added as a node of an outer
 * StateGraph whose state shares OpsGuard's input keys, followed by an outer node that acts on the
 * status. Real Docker, demo_repo, the shipped fix.
 */
import { END, START, StateGraph } from "@langchain/langgraph";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildGraph } from "../../src/graph/buildGraph.js";
import { defaultDeps } from "../../src/graph/defaultDeps.js";
import { OpsGuardInput, Status } from "../../src/state/state.js";
import { ROOT } from "../support/built.js";
import { requireDocker } from "../support/docker.js";
import { hashTree } from "../support/hashTree.js";

beforeAll(async () => {
  await requireDocker();
});

const scratch = mkdtempSync(join(tmpdir(), "opsguard-subgraph-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("OpsGuard composed as a subgraph", () => {
  it("hands SUCCESS to the outer graph's next node", async () => {
    // The outer state carries OpsGuard's inputs, the one result it reads back, and its own field.
    const OuterState = OpsGuardInput.extend({
      status: Status.optional(),
      notes: z.array(z.string()).default([]),
    });
    const seen: (string | undefined)[] = [];
    const outer = new StateGraph(OuterState)
      .addNode("opsguard", buildGraph(defaultDeps()))
      .addNode("triage", (state: z.infer<typeof OuterState>) => {
        seen.push(state.status);
        return { notes: [...state.notes, state.status === "SUCCESS" ? "fix verified, open a PR" : `escalate: ${state.status}`] };
      })
      .addEdge(START, "opsguard")
      .addEdge("opsguard", "triage")
      .addEdge("triage", END)
      .compile();

    const repo = join(ROOT, "demo_repo");
    const before = hashTree(repo);
    const artifacts = join(scratch, "artifacts");
    const result = await outer.invoke({
      repo,
      error: "ValueError",
      candidates: [join(repo, "fixes", "app.py")],
      artifacts,
      notes: ["from the outer agent"],
    });

    expect(seen).toEqual(["SUCCESS"]);
    expect(result.status).toBe("SUCCESS");
    expect(result.notes).toEqual(["from the outer agent", "fix verified, open a PR"]);
    // Keys the outer state does not declare stay inside OpsGuard.
    expect(Object.keys(result)).not.toContain("attempts");
    expect(JSON.parse(readFileSync(join(artifacts, "final_report.json"), "utf8")).status).toBe("SUCCESS");
    expect(existsSync(join(artifacts, "internal", "patch.diff"))).toBe(true);
    expect(hashTree(repo)).toBe(before);
  }, 120_000);
});
