import { int, logUniform, MIN, round, service } from './draws';
import type { Family } from './families';
import type { Prng } from './prng';
import type { ServiceProfile } from './scenario-spec';

/**
 * Leak families: the memory leaks a rule bound to a short window misses or confirms late, and
 * the healthy releases that a longer memory or a shorter watch must not roll back. A slow leak on
 * a wide GC sawtooth adds less over a few minutes than the process oscillates by on its own, but
 * keeps growing for the whole bake; a fast leak reaches the limit within minutes and should not
 * wait for a fixed watch time; a healthy release on the same wide sawtooth, half of them with a
 * young process sizing its heap right after the deploy, must stay. Run by id
 * (`families.ts <set> <n> mem-slow-leak,mem-fast-leak,mem-wide-keep`).
 */

/** A wide GC sawtooth of a heap of `base` bytes: 30-300 s cycles, 5-12% of the heap, some jitter. */
function wideGc(rng: Prng, base: number) {
  return {
    periodSeconds: Math.round(logUniform(rng, 30, 300)),
    amplitudeBytes: Math.round(base * rng.between(0.05, 0.12)),
    jitter: round(rng.between(0, 0.3), 2),
  };
}

/** A service of 50 MB-1 GB on a wide sawtooth (`gc`), else a flat heap with noise. */
function heap(rng: Prng, gc: boolean): { base: number; svc: ServiceProfile } {
  const base = logUniform(rng, 5e7, 1e9);
  const svc = service(rng, {
    rps: round(logUniform(rng, 1, 100), 1),
    memoryBytes: Math.round(base),
    memoryNoiseBytes: Math.round(base * rng.between(0.0005, 0.003)),
    ...(gc ? { gc: wideGc(rng, base) } : {}),
  });
  return { base, svc };
}

/**
 * A leak that doubles the heap in `minLo`-`minHi` minutes, starting 0-4 min into the bake, on a
 * heap drawn by {@link heap} (`gc`: on a wide GC sawtooth).
 */
function leak(
  rng: Prng,
  gc: boolean,
  minLo: number,
  minHi: number,
  description: string,
): ReturnType<Family['draw']> {
  const { base, svc } = heap(rng, gc);
  const minutesToLimit = rng.between(minLo, minHi);
  return {
    description,
    service: svc,
    fault: {
      kind: 'leak',
      bytesPerSecond: Math.round(base / (minutesToLimit * 60)),
      limitBytes: Math.round(2 * base),
      at: int(rng, 0, 4 * MIN),
    },
  };
}

/** The leak families, in the order the tables list them. */
export const LEAK_FAMILIES: readonly Family[] = [
  {
    id: 'mem-slow-leak',
    failureClass: 'gc-sawtooth',
    truth: 'rollback',
    description:
      'a slow leak (twice the level in 25-55 min) on a wide GC sawtooth (30-300 s cycles, 5-12% of the heap), starting 0-4 min in',
    draw: (rng) => leak(rng, true, 25, 55, 'slow memory leak on a wide GC sawtooth'),
  },
  {
    id: 'mem-fast-leak',
    failureClass: 'gc-sawtooth',
    truth: 'rollback',
    description: 'a fast leak (twice the level in 4-10 min), half on a wide GC sawtooth, starting 0-4 min in',
    draw: (rng) => leak(rng, rng.uniform() < 0.5, 4, 10, 'fast memory leak'),
  },
  {
    id: 'mem-wide-keep',
    failureClass: 'gc-sawtooth',
    truth: 'keep',
    description:
      'healthy release on a wide GC sawtooth (30-300 s cycles, 5-12%); half with a young process growing its heap 3-15% over 20-90 s after the deploy',
    draw: (rng) => {
      const { base, svc } = heap(rng, true);
      const warmup = rng.uniform() < 0.5;
      return {
        description: 'healthy release on a wide GC sawtooth',
        service: svc,
        fault: null,
        ...(warmup
          ? {
              memoryShift: {
                atStep: int(rng, 0, 2),
                bytes: Math.round(base * rng.between(0.03, 0.15)),
                rampSeconds: Math.round(rng.between(20, 90)),
              },
            }
          : {}),
      };
    },
  },
];
