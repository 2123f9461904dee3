/** With --apply: writes the proven fix into the repository, only if the file there is unchanged. */
import type { NodeFn } from "../graph/deps.js";
import { sourceBytes } from "../tools/sourceText.js";
import { writeBack } from "../tools/writeBack.js";

export const applyToRepo: NodeFn = async (state) => {
  const accepted = state.attempts!.find((a) => a.outcome === "accepted")!;
  const file = accepted.files[0]!;
  const result = await writeBack(state.repo, file.path, state.original!.sha256, sourceBytes(file.content));
  if (!result.ok) {
    return { update: { status: "FAILED", reason: `The fix was proven but not applied: ${result.reason}.` }, summary: result.reason };
  }
  return { update: { applied: { path: result.path, sha256: result.sha256 } }, summary: `wrote ${file.path} into the repository` };
};
