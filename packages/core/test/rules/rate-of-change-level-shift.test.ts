import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateRateOfChange, partFloors } from '../../src/rules/rate-of-change';

const rule = { type: 'rate-of-change' as const, limitFromBaseline: 2, horizonSeconds: 3600, maxPValue: 1e-4 };
const base = 56.5e6;
const envelope = { low: 56.3e6, high: 56.7e6 };

/** RSS every 5 s over 120 s: flat, stepping up by `height` over `ramp` s from `at` s, then flat. */
function levelShift(o: { height: number; at: number; ramp: number; noise?: number; seed?: number }) {
  const points: { t: number; v: number }[] = [];
  let x = o.seed ?? 1;
  for (let s = 0; s <= 120; s += 5) {
    x = (x * 16807) % 2147483647;
    const jitter = ((x / 2147483647) * 2 - 1) * (o.noise ?? 50e3);
    const done = Math.max(0, Math.min(1, (s - o.at) / Math.max(1, o.ramp)));
    points.push({ t: s * 1000, v: 56.5e6 + o.height * done + jitter });
  }
  return points;
}

function judge(points: { t: number; v: number }[]) {
  return evaluateRateOfChange(rule, {
    signal: 'memory',
    points,
    window: { start: 0, end: 120_000 },
    baseline: base,
    envelope,
    windowSeconds: 120,
    unit: ' B',
  });
}

describe('memory trend: a level shift is not a leak', () => {
  it('keeps a release whose RSS settled 4 MB above the pre-deploy high, and says why', () => {
    // The live case: a healthy release settled ~4 MB above the pre-deploy high. The slope over
    // the window is significant and the recent floor is above the high: only the shape tells.
    const v = judge(levelShift({ height: 4.2e6, at: 30, ramp: 10 }));
    expect(v.status).toBe('pass');
    expect(v.reason).toContain('a level shift that settles');
  });

  it('still catches a leak, which lifts the floor of every span', () => {
    const points = levelShift({ height: 0, at: 0, ramp: 1 }).map((p) => ({
      ...p,
      v: p.v + 150e3 * (p.t / 1000),
    }));
    const v = judge(points);
    expect(v.status).toBe('breach');
    expect(v.reason).toContain('each higher');
  });

  it('property: a step of any height settling within 30 s, anywhere in the window, is never a breach', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e6, max: 40e6, noNaN: true }),
        fc.integer({ min: -20, max: 120 }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 1, max: 1e6 }),
        (height, at, ramp, seed) => {
          expect(judge(levelShift({ height, at, ramp, seed })).status).not.toBe('breach');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('partFloors: the lowest point of each group of equal point count, gaps in time included', () => {
    const points = [0, 10, 20, 30, 40, 50, 60, 70].map((s) => ({ t: s * 1000, v: 100 - s + (s % 20) }));
    expect(partFloors(points, 4)).toEqual([100, 80, 60, 40]);
    // A gap (samples held out under a load surge) leaves no part empty.
    expect(
      partFloors(
        [
          { t: 0, v: 1 },
          { t: 1000, v: 2 },
          { t: 100_000, v: 3 },
          { t: 101_000, v: 4 },
        ],
        4,
      ),
    ).toEqual([1, 2, 3, 4]);
    expect(partFloors([{ t: 0, v: 1 }], 2)).toBeNull();
  });
});
