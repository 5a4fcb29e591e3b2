import { UsageError } from '../cli/usage-error';

const ISO = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;
/** Epoch values below this are seconds, above it milliseconds (10^11 s is the year 5138). */
const SECONDS_LIMIT = 1e11;

/**
 * Parses `--deployed-at`: ISO 8601 (`2025-05-01T12:00:00Z`, with an offset or `Z`; a time
 * without one is refused rather than read in the machine's time zone) or epoch seconds or
 * milliseconds (`1746100800`, `1746100800000`, fractions allowed). Returns epoch ms.
 */
export function parseDeployTime(text: string, now: number): number {
  const value = text.trim();
  if (/^\d+(\.\d+)?$/.test(value)) {
    const n = Number(value);
    const ms = n < SECONDS_LIMIT ? n * 1000 : n;
    return checkPlausible(Math.round(ms), text, now);
  }
  if (ISO.test(value)) {
    if (/[T ]\d{2}:\d{2}/.test(value) && !/(Z|[+-]\d{2}:?\d{2})$/i.test(value)) {
      throw new UsageError(
        `--deployed-at ${JSON.stringify(text)} has no time zone; add Z (UTC) or an offset, e.g. ${value}Z.`,
        'watch',
      );
    }
    const ms = Date.parse(value.replace(' ', 'T'));
    if (Number.isFinite(ms)) return checkPlausible(ms, text, now);
  }
  throw new UsageError(
    `--deployed-at ${JSON.stringify(text)} is not a time; give ISO 8601 (2025-05-01T12:00:00Z) or epoch seconds or milliseconds.`,
    'watch',
  );
}

function checkPlausible(ms: number, text: string, now: number): number {
  if (ms > now + 5 * 60_000) {
    throw new UsageError(
      `--deployed-at ${JSON.stringify(text)} is in the future (${new Date(ms).toISOString()}); check the clock or the unit.`,
      'watch',
    );
  }
  if (ms < Date.UTC(2000, 0, 1)) {
    throw new UsageError(
      `--deployed-at ${JSON.stringify(text)} is before 2000 (${new Date(ms).toISOString()}); check the unit.`,
      'watch',
    );
  }
  return ms;
}
