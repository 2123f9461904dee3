/** Decides what the reproduction showed: a code error to fix, infrastructure, or nothing at all. */
import type { NodeContext, NodeFn } from "./deps.js";
import type { OpsGuardState } from "../state/state.js";
import { classifyFailure } from "../judge/classifier.js";
import { errorMismatch } from "../judge/errorMismatch.js";
import { readDependencyFiles } from "../environment/dependencyFiles.js";
import type { EnvironmentFacts } from "../environment/environmentFailure.js";
import { findNewerSyntax } from "../environment/newerPython.js";
import { repoModuleNames } from "../python/repoModules.js";
import { DEFAULT_IMAGE } from "../sandbox/docker.js";

/** What the classifier needs to know about the repository to tell a missing environment from a bug. */
async function environmentFacts(state: OpsGuardState, context: NodeContext): Promise<EnvironmentFacts> {
  const run = state.reproduction!;
  const [repoModules, dependencies, syntax] = await Promise.all([
    repoModuleNames(state.workspace!),
    readDependencyFiles(state.workspace!),
    findNewerSyntax({
      output: `${run.stdout}\n${run.stderr}`,
      workspace: state.workspace!,
      baseImage: state.baseImage ?? state.image ?? process.env.OPSGUARD_IMAGE ?? DEFAULT_IMAGE,
      sandbox: context.deps.sandbox,
      ...(context.signal ? { signal: context.signal } : {}),
    }),
  ]);
  return {
    repoModules,
    declared: dependencies.declared,
    install: state.install === false ? "skipped" : state.environment ? "installed" : "none",
    ...(syntax ? { newerSyntax: syntax } : {}),
    timeoutMs: state.timeoutSeconds * 1000,
    testTimeoutMs: state.testTimeoutSeconds * 1000,
  };
}

export const classify: NodeFn = async (state, context) => {
  const environment = await environmentFacts(state, context);
  const classification = classifyFailure({ mode: state.mode, result: state.reproduction!, environment });
  const { errorType, reason } = classification;
  const update = { classification, errorType };
  if (errorType === "INFRA_ERROR") {
    const remedy = classification.remedy ? ` ${classification.remedy}` : "";
    const stopped = classification.infraCode ? "The sandbox's environment lacks something, no fix attempted" : "Infrastructure error, no fix attempted";
    return {
      update: {
        ...update,
        status: "INFRA_STOP" as const,
        reason: `${stopped}: ${reason}${remedy}`,
        ...(classification.infraCode ? { infraCode: classification.infraCode } : {}),
      },
      summary: `${errorType}${classification.infraCode ? ` (${classification.infraCode})` : ""}: ${reason}`,
    };
  }
  if (errorType === "NO_ERROR" && (state.reproAttempts ?? 0) >= state.maxReproAttempts) {
    return {
      update: {
        ...update,
        status: "NOT_REPRODUCIBLE" as const,
        reason: `The failure did not reproduce in ${state.reproAttempts} tries: ${reason}`,
      },
      summary: `${errorType}: not reproduced, giving up`,
    };
  }
  const mismatch = errorType === "CODE_ERROR" ? errorMismatch(state.error, classification.exception) : undefined;
  if (mismatch && !(state.warnings ?? []).includes(mismatch)) {
    return { update: { ...update, warnings: [...(state.warnings ?? []), mismatch] }, summary: `${errorType}: ${reason} (warning: ${mismatch})` };
  }
  return { update, summary: `${errorType}: ${reason}` };
};
