/** What replaces a secret in any text Rollgate shows. */
export const REDACTED = '[redacted]';

/**
 * Replaces every occurrence of each secret in `text`. Used on anything that came from the
 * server or the HTTP stack (a proxy may echo request headers into an error page) before it goes
 * into an error message or `details`.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    out = out.split(secret).join(REDACTED);
  }
  return out;
}

/** True when `text` contains any of the secrets. */
export function containsSecret(text: string, secrets: readonly string[]): boolean {
  return secrets.some((secret) => secret.length > 0 && text.includes(secret));
}
