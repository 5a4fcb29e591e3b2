/**
 * Milliseconds a `Retry-After` value asks for: delta-seconds (`"3"`) or an HTTP-date, which needs
 * `nowMs` to turn into a delay. Undefined when absent or unparseable.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (nowMs === undefined) return undefined;
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined;
}
