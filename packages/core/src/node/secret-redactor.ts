/** Secrets shorter than this are not searched for: redacting "a" would mangle every message. */
const MIN_SECRET_LENGTH = 4;

/**
 * Replaces every occurrence of known secret strings with `[redacted]`. Used on anything that
 * could echo a secret back (a server's error body), as a second line of defence behind never
 * putting secrets into messages in the first place.
 */
export function createSecretRedactor(secrets: readonly string[]): (text: string) => string {
  const list = [...new Set(secrets.filter((s) => s.length >= MIN_SECRET_LENGTH))].sort(
    (a, b) => b.length - a.length,
  );
  return (text) => list.reduce((out, secret) => out.split(secret).join('[redacted]'), text);
}

/**
 * The parts of a URL that may be credentials: user info, the path (a Slack webhook URL is a
 * secret in full), each path segment, the query string and each query value, in raw and
 * decoded forms.
 */
export function urlSecrets(url: URL): string[] {
  const out = [url.username, url.password, url.search, url.search.slice(1)];
  if (url.pathname.length > 1) out.push(url.pathname, `${url.pathname}${url.search}`);
  for (const segment of url.pathname.split('/')) out.push(segment, safeDecode(segment));
  for (const [, value] of url.searchParams) out.push(value, encodeURIComponent(value));
  out.push(safeDecode(url.username), safeDecode(url.password));
  return out.filter((s) => s.length > 0);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
