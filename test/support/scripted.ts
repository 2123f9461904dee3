import type { GraphDeps } from "../../src/nodes/deps.js";
import { defaultDeps } from "../../src/graph/defaultDeps.js";
import type { Proposer, ProposalRequest } from "../../src/proposers/proposer.js";
import type { Sandbox } from "../../src/sandbox/docker.js";
import { SANDBOX_IMAGE } from "./docker.js";
import { createDockerSandbox } from "../../src/sandbox/docker.js";

/** A proposer that answers with the given file contents in order, and remembers what it was asked. */
export function scriptedProposer(answers: string[]): Proposer & { requests: ProposalRequest[] } {
  const requests: ProposalRequest[] = [];
  return {
    requests,
    async propose(request) {
      requests.push(request);
      const content = answers[requests.length - 1];
      return content === undefined ? null : { content, provider: "scripted", model: "script", latencyMs: 1 };
    },
  };
}

/** The real Docker sandbox, counting the containers it runs. */
export function countingSandbox(inner: Sandbox = createDockerSandbox({ image: SANDBOX_IMAGE })): Sandbox & { runs: string[][] } {
  const runs: string[][] = [];
  return {
    runs,
    run: (workspace, command, options) => {
      runs.push(command);
      return inner.run(workspace, command, options);
    },
    executePython: inner.executePython,
    executePytest: inner.executePytest,
  };
}

export function scriptedDeps(answers: string[], sandbox = countingSandbox()) {
  const proposer = scriptedProposer(answers);
  const deps: GraphDeps = defaultDeps({ sandbox, proposerFor: () => proposer });
  return { deps, proposer, sandbox };
}
