/**
 * `--env` values never leave a run: every output OpsGuard keeps (and so every report, log, prompt
 * and checkpoint built from it) has them replaced. Pure.
 */
import { REDACTED, redactSecrets } from "./redactSecrets.js";

/** Values shorter than this are left alone: masking "1" or "en" would garble all output and hides no secret. */
export const MIN_MASKED_LENGTH = 4;

export function maskedValues(env: Record<string, string>): string[] {
  return Object.values(env).filter((value) => value.length >= MIN_MASKED_LENGTH);
}

export function redactEnvValues(text: string, env: Record<string, string>): string {
  const values = maskedValues(env);
  return values.length ? redactSecrets(text, values) : text;
}

export { REDACTED };
