/** With --apply: writes the proven fix into the repository, only if every file there is unchanged. */
import type { NodeFn } from "./deps.js";
import { sourceBytes } from "../python/sourceText.js";
import { writeBack } from "../workspace/writeBack.js";
import { writeBackSet } from "../workspace/writeBackSet.js";

export const applyToRepo: NodeFn = async (state) => {
  const accepted = state.attempts!.find((a) => a.outcome === "accepted")!;
  const only = accepted.files.length === 1 ? accepted.files[0]! : undefined;
  if (only && only.path === state.original!.path) {
    const result = await writeBack(state.repo, only.path, state.original!.sha256, sourceBytes(only.content));
    if (!result.ok) {
      return { update: { status: "FAILED", reason: `The fix was proven but not applied: ${result.reason}.` }, summary: result.reason };
    }
    return { update: { applied: { path: result.path, sha256: result.sha256 } }, summary: `wrote ${only.path} into the repository` };
  }
  const files = accepted.files.map((f) => {
    const before = state.baseline?.find((b) => b.path === f.path);
    return { path: f.path, bytes: sourceBytes(f.content), expectedSha256: before ? before.sha256 : state.original!.sha256 };
  });
  const result = await writeBackSet(state.repo, files);
  if (!result.ok) {
    return { update: { status: "FAILED", reason: `The fix was proven but not applied: ${result.reason}.` }, summary: result.reason };
  }
  const first = result.written[0]!;
  return {
    update: { applied: { path: first.path, sha256: first.sha256, files: result.written } },
    summary: `wrote ${accepted.files.map((f) => f.path).join(", ")} into the repository`,
  };
};
