import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gridRatio } from '../../src/sections/families';

describe('delay / SPRT on the step grid (issue 12, session 18)', () => {
  it('counts the seconds of fault data against the first step boundary at or after the SPRT time', () => {
    // The SPRT expects 0.7 s; Rollgate confirms on the fault's second step (delay 5 s): 2 steps of 1.
    expect(gridRatio(5, 0.7, 5)).toBe(2);
    // On its first step (delay 0): the SPRT on the grid itself.
    expect(gridRatio(0, 0.7, 5)).toBe(1);
    // 41.3 s needs 9 steps; 160 s of delay is 33 steps of data.
    expect(gridRatio(160, 41.3, 5)).toBeCloseTo(33 / 9, 12);
    // A reference on a boundary needs that boundary, not the next.
    expect(gridRatio(5, 10, 5)).toBe(1);
  });

  it('is at least 1 for a decision on the grid at or after the reference, and rises with the delay', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200 }),
        fc.double({ min: 0.01, max: 1e3, noNaN: true }),
        (k, t) => {
          const steps = Math.max(1, Math.ceil(t / 5 - 1e-9));
          const r = gridRatio(5 * k, t, 5);
          expect(r).toBeCloseTo((k + 1) / steps, 12);
          if (k + 1 >= steps) expect(r).toBeGreaterThanOrEqual(1);
          expect(gridRatio(5 * (k + 1), t, 5)).toBeGreaterThan(r);
        },
      ),
    );
  });
});
