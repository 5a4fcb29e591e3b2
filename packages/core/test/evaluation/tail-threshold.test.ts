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
  it('is the next step up on a fine layout, not the bound twice as high', () => {
    expect(tailThreshold(OTEL, 750)).toBe(1000);
    expect(tailThreshold(OTEL, 500)).toBe(750);
    expect(tailThreshold(OTEL, 75)).toBe(100);
    expect(tailThreshold(SERIES_1235, 300)).toBe(500);
    expect(tailThreshold(SERIES_1235, 200)).toBe(300);
    // No bound between 500 and 1000.
    expect(tailThreshold(SERIES_1235, 500)).toBe(1000);
  });

  it('is the smallest bound at least twice on 2-2.5x layouts, as before', () => {
    for (const first of PROMETHEUS)
      expect(tailThreshold(PROMETHEUS, first)).toBe(atLeastTwice(PROMETHEUS, first));
    const powers = [10, 20, 40, 80, 160, 320, 640, 1280];
    for (const first of powers) expect(tailThreshold(powers, first)).toBe(atLeastTwice(powers, first));
    expect(tailThreshold([10, 100, 1000, 10000], 10)).toBe(100);
  });

  it('skips a bound less than 4/3 of the first', () => {
    expect(tailThreshold([100, 133, 134, 300], 100)).toBe(134);
    expect(tailThreshold([100, 120, 250], 100)).toBe(250);
  });

  it('is null where no bound is twice the first, even with a bound above it', () => {
    expect(tailThreshold(OTEL, 7500)).toBeNull();
    expect(tailThreshold(PROMETHEUS, 10000)).toBeNull();
  });

  it('is the smallest bound at least 4/3 of the first, never above the old bound', () => {
    const layout = fc
      .uniqueArray(fc.integer({ min: 1, max: 20_000 }), { minLength: 1, maxLength: 20 })
      .map((a) => a.sort((x, y) => x - y));
    fc.assert(
      fc.property(layout, fc.integer({ min: 0, max: 19 }), fc.boolean(), (bounds, pick, reverse) => {
        const first = bounds[pick % bounds.length] as number;
        const tail = tailThreshold(reverse ? [...bounds].reverse() : bounds, first);
        const old = atLeastTwice(bounds, first);
        if (old === null) return tail === null;
        if (tail === null || 3 * tail < 4 * first || tail > old) return false;
        return bounds.every((b) => 3 * b < 4 * first || b >= tail);
      }),
      { numRuns: 2000, seed: 22 },
    );
  });
});
