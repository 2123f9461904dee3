/** The labels every container OpsGuard creates carries: what it is, and which process on which host owns it. */
import { hostname } from "node:os";

export const LABEL = "dev.opsguard.sandbox";
export const LABEL_PID = "dev.opsguard.pid";
export const LABEL_HOST = "dev.opsguard.host";

/** Labels for a container this process owns; `kind` is "1" for a sandbox run. */
export function ownLabels(kind = "1"): Record<string, string> {
  return { [LABEL]: kind, [LABEL_PID]: String(process.pid), [LABEL_HOST]: hostname() };
}
