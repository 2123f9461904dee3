/** Whether what the user said goes wrong (`--error`) names a different exception than the one reproduced. */
const EXCEPTION_NAME = /\b([A-Z]\w*(?:Error|Exception|Exit|Interrupt|Warning|Iteration))\b/g;

/** A plain sentence when `--error` names exceptions and the reproduced one is none of them, else undefined. */
export function errorMismatch(description: string, reproduced: string | undefined): string | undefined {
  if (!reproduced) return undefined;
  const named = [...new Set([...description.matchAll(EXCEPTION_NAME)].map((match) => match[1]!))];
  const actual = reproduced.split(".").at(-1) ?? reproduced;
  if (named.length === 0 || named.includes(actual)) return undefined;
  return `--error names ${named.join(", ")}, but the sandbox reproduced ${reproduced}: OpsGuard fixes the failure it reproduced.`;
}
