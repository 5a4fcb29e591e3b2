import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tailThreshold } from '../../src/evaluation/signal-queries';

/** Round 21's rule: the smallest bound at least twice the exceedance threshold. */
function atLeastTwice(bucketsMs: readonly number[], exceedanceMs: number): number | null {
  return [...bucketsMs].sort((a, b) => a - b).find((b) => b >= 2 * exceedanceMs) ?? null;
}

const PROMETHEUS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];
const OTEL = [5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];
const SERIES_1235 = [50, 100, 200, 300, 500, 1000, 2000, 5000];

describe('the tail threshold (issue 12, class 5, round 22)', () => {
  it('takes the bound between the first threshold and twice it where that is nearer twice', () => {
    // 1000 is 1.33x of 750 and 2500 is 3.33x: 1000 is nearer 1500 on a log scale.
    expect(tailThreshold(OTEL, 750)).toBe(1000);
    expect(tailThreshold(OTEL, 75)).toBe(100);
    expect(tailThreshold(SERIES_1235, 300)).toBe(500);
    // 500 is 2.5x of 200 and 300 1.5x: 500 is nearer 400, as before.
    expect(tailThreshold(SERIES_1235, 200)).toBe(500);
    expect(tailThreshold(SERIES_1235, 500)).toBe(1000);
  });

  it('is the smallest bound at least twice where no bound lies between (2-2.5x layouts)', () => {
    for (const first of PROMETHEUS)
      expect(tailThreshold(PROMETHEUS, first)).toBe(atLeastTwice(PROMETHEUS, first));
    expect(tailThreshold([10, 100, 1000, 10000], 10)).toBe(100);
    expect(tailThreshold(PROMETHEUS, 250)).toBe(500);
  });

  it('is null where no bound is twice the first, even with a bound above it', () => {
    expect(tailThreshold(OTEL, 7500)).toBeNull();
    expect(tailThreshold(PROMETHEUS, 10000)).toBeNull();
  });

  it('breaks an exact tie toward the higher bound', () => {
    // 800 / 600 = 600 / 450 and 500 / 400 = 400 / 320: as far from twice the first on a log scale.
    expect(tailThreshold([100, 300, 450, 800], 300)).toBe(800);
    expect(tailThreshold([100, 200, 320, 500], 200)).toBe(500);
    expect(tailThreshold([100, 200, 321, 500], 200)).toBe(321);
  });

  it('is the old bound or the one just below it, above the first and nearest twice it', () => {
    const layout = fc
      .uniqueArray(fc.integer({ min: 1, max: 20_000 }), { minLength: 1, maxLength: 20 })
      .map((a) => a.sort((x, y) => x - y));
    fc.assert(
      fc.property(layout, fc.integer({ min: 0, max: 19 }), fc.boolean(), (bounds, pick, shuffle) => {
        const first = bounds[pick % bounds.length] as number;
        const given = shuffle ? [...bounds].reverse() : bounds;
        const tail = tailThreshold(given, first);
        const old = atLeastTwice(bounds, first);
        if (old === null) return tail === null;
        if (tail === null || !(tail > first) || tail > old) return false;
        const i = bounds.indexOf(old);
        if (tail !== old && tail !== bounds[i - 1]) return false;
        // No bound above the first is nearer twice it on a log scale.
        const far = (b: number) => Math.abs(Math.log(b / (2 * first)));
        return bounds.every((b) => !(b > first) || b === old || far(tail) <= far(b) + 1e-12);
      }),
      { numRuns: 2000, seed: 22 },
    );
  });
});
