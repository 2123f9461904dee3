/**
 * Removes API keys from text that leaves this module. Servers echo keys back in error bodies
 * ("Incorrect API key provided: sk-..."), so every client message passes through here.
 */
export const REDACTED = "[redacted]";

export function redactSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  // Longest first, so a key that contains another key is removed whole.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret) result = result.split(secret).join(REDACTED);
  }
  return result;
}

/** The values of every key variable in `env`: all of them, not only the providers in use. */
export function secretsIn(env: Record<string, string | undefined>, keyVars: readonly string[]): string[] {
  return keyVars.map((name) => env[name]?.trim() ?? "").filter((value) => value.length > 0);
}
