/** The compiled default graph that langgraph.json names for LangGraph Studio and the LangGraph server. */
import { buildGraph, type OpsGuardGraph } from "./buildGraph.js";
import { defaultDeps } from "./defaultDeps.js";

export const graph: OpsGuardGraph = buildGraph(defaultDeps());
