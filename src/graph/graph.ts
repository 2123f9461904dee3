/** The compiled default graph that langgraph.json names for LangGraph Studio and the LangGraph server. */
import { buildGraph, type OpsGuardGraph } from "./buildGraph.js";
import { defaultDeps } from "./defaultDeps.js";
import { recursionLimit } from "./remediate.js";

// The server's default step limit (25) is below what the retry limits allow; leave room for raised limits.
export const graph: OpsGuardGraph = buildGraph(defaultDeps()).withConfig({
  recursionLimit: recursionLimit({ maxReproAttempts: 5, maxFixAttempts: 10 }),
});
