/** Gate 4: the fixed file must compile with the sandbox's own Python. */
import type { NodeFn } from "../graph/deps.js";
import { currentAttempt, refuseCurrent } from "../graph/attempts.js";
import { sandboxOptions } from "./sandboxOptions.js";

export const compileCheck: NodeFn = async (state, { deps, signal }) => {
  const paths = currentAttempt(state).files.map((f) => f.path);
  const result = await deps.sandbox.run(state.workspace!, ["python3", "-m", "py_compile", ...paths], sandboxOptions(state, signal));
  if (result.exitCode === 0 && result.endReason === "exited") return { update: {}, summary: "compiles" };
  const lastLine = result.stderr.trim().split("\n").at(-1) ?? `exit ${result.exitCode}`;
  const reason = `does not compile: ${lastLine}`;
  return { update: refuseCurrent(state, "compile", reason), summary: `refused, ${reason}` };
};
