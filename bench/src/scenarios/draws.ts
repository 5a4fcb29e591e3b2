import type { Prng } from './prng';
import type { ServiceProfile } from './scenario-spec';
import { DEFAULT_PRE_STEPS } from './synthesize';

/**
 * The draws every scenario family is built from (families.ts, wide-families.ts): the deploy
 * step, a minute in steps, the distributions, and a service profile with its nuisance
 * parameters drawn. One place, so two families that draw "a service" draw the same thing.
 */

/** The step the deploy happens at. */
export const DEPLOY = DEFAULT_PRE_STEPS;
/** Steps per minute (5 s steps). */
export const MIN = 12;

/** A draw uniform on a log scale between `lo` and `hi`. */
export const logUniform = (rng: Prng, lo: number, hi: number) =>
  Math.exp(rng.between(Math.log(lo), Math.log(hi)));
/** An integer drawn uniformly from `lo` to `hi`, both included. */
export const int = (rng: Prng, lo: number, hi: number) => Math.floor(rng.between(lo, hi + 1));
/** `x` rounded to `digits` decimals (scenario files stay readable). */
export const round = (x: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};
/** One of `items`, uniformly. */
export const pick = <T>(rng: Prng, items: readonly T[]): T =>
  items[Math.floor(rng.uniform() * items.length)] as T;

/** A service profile with the nuisance parameters drawn; `over` sets (or replaces) any of them. */
export function service(
  rng: Prng,
  over: Partial<ServiceProfile> & Pick<ServiceProfile, 'rps'>,
): ServiceProfile {
  const rps = over.rps;
  return {
    p0: round(logUniform(rng, 0.001, 0.01), 5),
    medianMs: Math.round(logUniform(rng, 20, 150)),
    sigma: round(rng.between(0.3, 0.7), 3),
    drift: {
      amplitude: round(rng.between(0.05, 0.2), 3),
      periodSeconds: Math.round(rng.between(3600, 7200)),
    },
    cpuCores: round(Math.max(0.2, 0.35 * (Math.max(rps, 1) / 20) ** 0.7) * rng.between(0.8, 1.2), 3),
    memoryBytes: Math.round(rng.between(2.5e8, 6.5e8)),
    pods: int(rng, 2, 5),
    ...over,
  };
}

/**
 * A GC sawtooth of a heap of `base` bytes: cycles of `minPeriodSeconds`-300 s (log-uniform), an
 * amplitude of `share(rng)` of the heap (each family draws its own range), some jitter.
 */
export function gcSawtooth(rng: Prng, base: number, share: (rng: Prng) => number, minPeriodSeconds = 15) {
  return {
    periodSeconds: Math.round(logUniform(rng, minPeriodSeconds, 300)),
    amplitudeBytes: Math.round(base * share(rng)),
    jitter: round(rng.between(0, 0.3), 2),
  };
}
