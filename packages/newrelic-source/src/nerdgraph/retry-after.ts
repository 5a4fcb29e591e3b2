/** Longest wait taken from a `Retry-After` header; anything longer is capped (a day). */
const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

/**
 * Reads a `Retry-After` header value as milliseconds to wait: delta-seconds (`"7"`, `"1.5"`) or
 * an HTTP-date measured against `now` (epoch ms). Returns `undefined` when the header is absent,
 * malformed, or a date given without `now`, so a missing header never invents a wait.
 */
export function parseRetryAfter(value: string | undefined, now?: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text.length === 0) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) {
    return Math.min(Math.round(Number(text) * 1000), MAX_RETRY_AFTER_MS);
  }
  if (now === undefined || !/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, at - now), MAX_RETRY_AFTER_MS);
}
