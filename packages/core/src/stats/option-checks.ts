import { RollgateError } from '../errors/rollgate-error';

/**
 * Checks of the options the test factories take. A bad option is a programming or contract
 * error, so it throws `CONFIG_INVALID` naming the option and the fix; observations, which come
 * from backends, are never checked this way (see `cleanCounts`).
 */

function invalid(path: string, message: string): RollgateError {
  return new RollgateError('CONFIG_INVALID', `${path}: ${message}`, {
    component: 'stats',
    details: { path },
  });
}

/** A probability strictly between 0 and 1 (alpha, beta, p0, p1). */
export function checkOpenUnit(path: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0 && value < 1)) {
    throw invalid(path, `must be a number strictly between 0 and 1, got ${String(value)}`);
  }
  return value;
}

/** A finite number >= min (counts). */
export function checkAtLeast(path: string, value: number, min: number): number {
  if (!(Number.isFinite(value) && value >= min)) {
    throw invalid(path, `must be a finite number >= ${min}, got ${String(value)}`);
  }
  return value;
}

/** A finite number > 0 (trials, tolerance). */
export function checkPositive(path: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0)) {
    throw invalid(path, `must be a finite number > 0, got ${String(value)}`);
  }
  return value;
}

/** At most this many alternatives: the state and the per-step cost are proportional to it. */
export const MAX_RATIOS = 32;

/** A grid of rate ratios, each > 1, deduplicated and sorted. */
export function checkRatios(path: string, ratios: readonly number[]): number[] {
  if (!Array.isArray(ratios) || ratios.length === 0 || ratios.length > MAX_RATIOS) {
    throw invalid(path, `must list between 1 and ${MAX_RATIOS} rate ratios, e.g. [1.5, 2, 3, 4, 6, 8, 12]`);
  }
  for (const [i, r] of ratios.entries()) {
    if (!(Number.isFinite(r) && r > 1)) {
      throw invalid(`${path}[${i}]`, `every ratio must be a finite number > 1, got ${String(r)}`);
    }
  }
  return [...new Set(ratios)].sort((a, b) => a - b);
}

/** Fails with a message naming the option when `condition` is false. */
export function checkThat(condition: boolean, path: string, message: string): void {
  if (!condition) throw invalid(path, message);
}

/**
 * Sanitises one interval's counts from a backend: null when the interval cannot be used
 * (non-finite or negative numbers, no trials), events clamped to trials (two extrapolated
 * counters can disagree slightly).
 */
export function cleanCounts(events: number, trials: number): { events: number; trials: number } | null {
  if (!(Number.isFinite(events) && Number.isFinite(trials)) || events < 0 || trials <= 0) return null;
  return { events: Math.min(events, trials), trials };
}
