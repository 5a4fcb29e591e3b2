import { createSecretRedactor, REDACTED, type Redact } from '@rollgate/core/node';

export { REDACTED };

/**
 * New Relic credential shapes: user keys (`NRAK-` and 27 upper-case letters and digits; matched
 * generously) and an echoed `API-Key: value` / `"API-Key":"value"` header, whatever the key
 * looks like. The first group is kept.
 */
const KEY_PATTERNS = [/(NRAK-)[A-Za-z0-9]+/g, /(api[-_]?key\\?["']?\s*[:=]\s*\\?["']?)[^\s"'\\,;}\]]+/gi];

/**
 * Removes anything that looks like a New Relic user key, or an echoed `API-Key` header, from
 * text taken from a reply. It knows no particular key (see {@link redactSecret}).
 */
export const redactKeyPatterns: Redact = createSecretRedactor([], { patterns: KEY_PATTERNS });

const bySecret = new Map<string, Redact>();

/**
 * Removes every occurrence of `secret` (the API key) from `text` through core's redactor, also
 * in its JSON-escaped, URL-encoded and base64 forms, so a reply that echoes the request
 * (headers included) cannot carry the key onward.
 */
export function redactSecret(text: string, secret: string): string {
  let redactor = bySecret.get(secret);
  if (redactor === undefined) {
    redactor = createSecretRedactor([secret], { everywhere: true });
    bySecret.set(secret, redactor);
  }
  return redactor(text);
}
