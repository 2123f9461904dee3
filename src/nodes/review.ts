/**
 * With --review: pauses after the fix is proven and before anything is written, and waits for a
 * person. The CLI, Studio (a Command with `resume`) or any caller answers "approve" or "reject".
 */
import { interrupt } from "@langchain/langgraph";
import type { NodeFn } from "./deps.js";

export interface ReviewRequest {
  question: string;
  diff: string;
  evidence: string;
}

export type ReviewAnswer = "approve" | "reject";

export const review: NodeFn = async (state) => {
  const accepted = state.attempts!.find((a) => a.outcome === "accepted")!;
  const answer = interrupt<ReviewRequest, ReviewAnswer | { approve: boolean }>({
    question: state.applyFix ? "Write this proven fix into the repository?" : "Accept this proven fix?",
    diff: accepted.diff ?? "",
    evidence: state.proof?.summary ?? "",
  });
  const approved = answer === "approve" || (typeof answer === "object" && answer?.approve === true);
  if (approved) return { update: {}, summary: "approved by a reviewer" };
  return {
    update: { status: "FAILED", reason: "A reviewer rejected the proven fix; the repository was left untouched." },
    summary: "rejected by a reviewer",
  };
};
