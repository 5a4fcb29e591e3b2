/** What replaces a secret in any text the source keeps. */
export const REDACTED = '[redacted]';

// User keys look like NRAK- followed by 27 upper-case letters and digits; match generously.
const USER_KEY_PATTERN = /NRAK-[A-Za-z0-9]+/g;
// An echoed `API-Key: value` / `"API-Key":"value"` header, whatever the key looks like.
const API_KEY_HEADER_PATTERN = /(api[-_]?key\\?["']?\s*[:=]\s*\\?["']?)[^\s"'\\,;}\]]+/gi;

/**
 * Removes anything that looks like a New Relic user key, or an echoed `API-Key` header, from
 * text taken from a reply. Pure: it knows no particular key (see {@link redactSecret}).
 */
export function redactKeyPatterns(text: string): string {
  return text.replace(USER_KEY_PATTERN, `NRAK-${REDACTED}`).replace(API_KEY_HEADER_PATTERN, `$1${REDACTED}`);
}

/**
 * Removes every occurrence of `secret` from `text`, also in its JSON-escaped and URL-encoded
 * forms, so a reply that echoes the request (headers included) cannot carry the key onward.
 */
export function redactSecret(text: string, secret: string): string {
  if (secret.length === 0) return text;
  const forms = new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]);
  let out = text;
  for (const form of forms) out = out.split(form).join(REDACTED);
  return out;
}
