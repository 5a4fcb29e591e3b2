/**
 * A PromQL duration for `ms` milliseconds: the largest unit that divides it exactly (`5m`, `30s`,
 * `1500ms`), so the query reads naturally in audit records. Fractions of a millisecond are rounded.
 */
export function promqlDuration(ms: number): string {
  const whole = Math.max(1, Math.round(ms));
  if (whole % 3_600_000 === 0) return `${whole / 3_600_000}h`;
  if (whole % 60_000 === 0) return `${whole / 60_000}m`;
  if (whole % 1000 === 0) return `${whole / 1000}s`;
  return `${whole}ms`;
}

/** Epoch ms as the float Unix seconds the HTTP API takes, without binary-fraction noise. */
export function apiTime(ms: number): string {
  const whole = Math.round(ms);
  const sign = whole < 0 ? '-' : '';
  const abs = Math.abs(whole);
  const frac = abs % 1000;
  return frac === 0
    ? `${sign}${Math.floor(abs / 1000)}`
    : `${sign}${Math.floor(abs / 1000)}.${String(frac).padStart(3, '0')}`;
}
