import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isBatchTraffic,
  isDraining,
  isSurge,
  loadProfile,
  withoutSurges,
} from '../../src/evaluation/load-surge';
import { poisson, seededRandom } from '../../src/testing/seeded-random';

/**
 * Batch traffic (docs/statistics.md, "Batch traffic"): requests arriving in bursts every
 * 15-60 s leave most 5 s steps empty; a burst holds the requests since the last one, so it is no
 * load surge, while a real surge of that traffic still is, on one-minute sums.
 */
const steps = (trials: readonly number[]) =>
  trials.map((n, i) => ({ t: (i + 1) * 5000, events: 0, trials: n }));

/** `count` steps of Poisson(`rate`) requests per step, gathered into a burst every `period` steps. */
function batches(seed: number, count: number, rate: number, period: number, factor = 1): number[] {
  const random = seededRandom(seed);
  const out: number[] = [];
  let held = 0;
  for (let i = 0; i < count; i++) {
    held += poisson(random, rate * factor);
    if ((i + 1) % period === 0) {
      out.push(held);
      held = 0;
    } else out.push(0);
  }
  return out;
}

describe('batch traffic', () => {
  it('is most steps empty, far more than Poisson arrivals at the mean leave', () => {
    expect(isBatchTraffic(batches(1, 360, 5, 6), 5)).toBe(true);
    expect(isBatchTraffic(batches(1, 360, 1.5, 12), 1.5)).toBe(true);
    // Poisson at 0.5 per step leaves 61% of the steps empty: not batch traffic.
    const random = seededRandom(2);
    const poissonSteps = Array.from({ length: 360 }, () => poisson(random, 0.5));
    expect(isBatchTraffic(poissonSteps, 0.5)).toBe(false);
    expect(isBatchTraffic([], 1)).toBe(false);
  });

  it('marks the profile, and a burst of the minute is then no surge nor drain', () => {
    const baseline = batches(3, 360, 5, 8);
    const profile = loadProfile(steps(baseline), 5);
    expect(profile?.batchSteps).toBe(12);
    const bake = batches(4, 180, 5, 8);
    expect(withoutSurges(steps(bake), profile, 12).length).toBe(bake.length);
    const previous = bake.slice(0, 100);
    // A burst of 8 steps' requests (5 a step) after 100 steps of the same: no surge.
    expect(isSurge(profile, previous, 40)).toBe(false);
    expect(isDraining(profile, previous, 12)).toBe(false);
  });

  it('still marks a 3x surge of batch traffic, on its one-minute sums', () => {
    const profile = loadProfile(steps(batches(5, 360, 5, 6)), 5);
    const surge = [...batches(6, 60, 5, 6), ...batches(7, 60, 5, 6, 3)];
    const held = surge.length - withoutSurges(steps(surge), profile, 12).length;
    expect(held).toBeGreaterThan(40);
  });

  it('property: Poisson traffic at any rate is never batch traffic; batches every 3-12 steps always are', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.double({ min: 0.05, max: 200, noNaN: true }),
        fc.integer({ min: 3, max: 12 }),
        (seed, rate, period) => {
          const random = seededRandom(seed);
          const poissonSteps = Array.from({ length: 360 }, () => poisson(random, rate));
          const mean = poissonSteps.reduce((a, b) => a + b, 0) / 360;
          expect(isBatchTraffic(poissonSteps, mean)).toBe(false);
          // Batches of at least 1.5 requests a step on average (0.3 req/s): the empty share is
          // at least 1 - 1/period, above 0.5 and twice exp(-mean). Below about 1 a step the
          // Poisson share of empty steps is too high to tell, and no burst exceeds the noise bound.
          const batchRate = Math.max(1.5, Math.min(rate, 50));
          const b = batches(seed, 360, batchRate, period);
          const bMean = b.reduce((x, y) => x + y, 0) / 360;
          expect(isBatchTraffic(b, bMean)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
