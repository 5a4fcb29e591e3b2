/**
 * The longest wait taken from a `Retry-After` header: one day. A longer value is clamped to it
 * rather than ignored, so a server that asks for a long pause never gets an immediate retry;
 * callers bound the wait further by their own deadline and backoff limit.
 */
export const MAX_RETRY_AFTER_MS = 86_400_000;

/**
 * Milliseconds to wait from a `Retry-After` header value: delay-seconds (`"120"`, and leniently
 * `"1.5"`) or an HTTP-date measured against `now` (epoch ms; a date in the past means 0). Capped
 * at {@link MAX_RETRY_AFTER_MS}. Undefined for a missing, empty or malformed value (`"soon"`,
 * `"-5"`, `"1e3"`) and for a date when `now` is not given, so a missing header never invents a
 * wait.
 */
export function parseRetryAfter(value: string | null | undefined, now?: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  const text = value.trim();
  if (/^\d+(?:\.\d+)?$/.test(text)) return Math.min(Math.round(Number(text) * 1000), MAX_RETRY_AFTER_MS);
  if (now === undefined || !/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, at - now), MAX_RETRY_AFTER_MS);
}
