/** Header values as undici and node:http hand them over. */
export type ReplyHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/** The first value of a header, looked up case-insensitively. */
export function headerValue(headers: ReplyHeaders, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() !== wanted) continue;
    const value = headers[key];
    if (typeof value === 'string') return value;
    if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  }
  return undefined;
}

/** Longest wait honoured from a Retry-After header (a day); anything longer is treated as bogus. */
const MAX_RETRY_AFTER_MS = 86_400_000;

/**
 * Milliseconds to wait from a `Retry-After` value: delay-seconds (`120`, and leniently `1.5`) or
 * an HTTP-date, which needs `now` (epoch ms) to become a delay; a date in the past means 0.
 * Returns `undefined` for a missing or unparseable value, or a date without `now`.
 */
export function parseRetryAfter(value: string | undefined, now?: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(?:\.\d+)?$/.test(text)) {
    const ms = Math.round(Number(text) * 1000);
    return ms <= MAX_RETRY_AFTER_MS ? ms : undefined;
  }
  if (now === undefined || !/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  const ms = Math.max(0, at - now);
  return ms <= MAX_RETRY_AFTER_MS ? ms : undefined;
}
