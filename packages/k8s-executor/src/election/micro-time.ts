/**
 * Formats epoch ms as a Kubernetes `MicroTime`: RFC 3339 in UTC with exactly six fractional
 * digits (`2024-05-01T12:00:00.123000Z`). The API server parses MicroTime with a fixed
 * six-digit layout, so `Date#toISOString()`'s three digits would be rejected.
 */
export function formatMicroTime(epochMs: number): string {
  const micros = Math.floor(epochMs * 1000);
  const seconds = Math.floor(micros / 1_000_000);
  const fraction = String(micros - seconds * 1_000_000).padStart(6, '0');
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}.${fraction}Z`;
}

/** True for a string in the six-digit MicroTime form. */
export function isMicroTime(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/.test(text);
}
