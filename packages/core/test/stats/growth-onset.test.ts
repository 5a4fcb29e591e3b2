import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { locateGrowthOnset } from '../../src/stats/growth-onset';

/** Points every 5 s for `seconds`: flat at 100 MB, rising `slope` B/s from `onset` s, plus noise. */
function flatThenRise(o: { seconds: number; onset: number; slope: number; noise: number; seed: number }) {
  let x = o.seed;
  const points: { t: number; v: number }[] = [];
  for (let s = 0; s <= o.seconds; s += 5) {
    x = (x * 16807) % 2147483647;
    const jitter = ((x / 2147483647) * 2 - 1) * o.noise;
    points.push({ t: s * 1000, v: 100e6 + o.slope * Math.max(0, s - o.onset) + jitter });
  }
  return points;
}

describe('locateGrowthOnset', () => {
  it('finds where a flat series starts to rise, and the rise after it', () => {
    const onset = locateGrowthOnset(
      flatThenRise({ seconds: 300, onset: 180, slope: 100e3, noise: 0, seed: 1 }),
      8,
    );
    expect(onset?.t).toBe(180_000);
    expect(onset?.slope).toBeCloseTo(100e3, -1);
  });

  it('takes the oldest point for a straight rise (a plain line fits it as well)', () => {
    const onset = locateGrowthOnset(
      flatThenRise({ seconds: 300, onset: 0, slope: 50e3, noise: 1e3, seed: 7 }),
      8,
    );
    expect(onset?.index).toBe(0);
  });

  it('is null for a falling series and with too few points', () => {
    const falling = flatThenRise({ seconds: 300, onset: 0, slope: -50e3, noise: 0, seed: 1 });
    expect(locateGrowthOnset(falling, 8)).toBeNull();
    expect(locateGrowthOnset(falling.slice(0, 5), 8)).toBeNull();
  });

  it('property: with noise small against the rise, the onset is placed within three steps of the truth', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.double({ min: 20e3, max: 2e6, noNaN: true }),
        fc.integer({ min: 1, max: 1e6 }),
        (onsetStep, slope, seed) => {
          const onset = onsetStep * 5;
          // Noise of at most one step's rise: a change that stands out within a few steps.
          const located = locateGrowthOnset(
            flatThenRise({ seconds: 300, onset, slope, noise: slope * 5, seed }),
            8,
          );
          expect(located).not.toBeNull();
          expect(Math.abs((located?.t ?? 0) / 1000 - onset)).toBeLessThanOrEqual(15);
        },
      ),
      { numRuns: 200 },
    );
  });
});
