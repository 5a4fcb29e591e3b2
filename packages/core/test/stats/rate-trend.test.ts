import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitRateTrend } from '../../src/stats/drift';
import { binomial, poisson, seededRandom } from '../../src/testing/seeded-random';

const STEP = 5_000;
const MINUTE = 60_000;

/** Expected counts (not random) of a rate `rate(t)` at `n` requests a step, steps 1..`steps`. */
function exact(n: number, steps: number, rate: (t: number) => number) {
  return Array.from({ length: steps }, (_, i) => {
    const t = (i + 1) * STEP;
    return { t, trials: n, events: n * rate(t) };
  });
}

describe('fitRateTrend: the log-linear trend of a count rate', () => {
  it('recovers a rising trend exactly from its expected counts', () => {
    // 0.5% at t = 0, rising 3% a minute, 12 minutes at 200 requests a step.
    const g = Math.log(1.03) / MINUTE;
    const trend = fitRateTrend(
      exact(200, 144, (t) => 0.005 * Math.exp(g * t)),
      144 * STEP,
    );
    expect(trend).not.toBeNull();
    expect(trend?.slope).toBeCloseTo(g, 12);
    expect(Math.exp(trend?.logRate ?? 0)).toBeCloseTo(0.005 * Math.exp(g * 144 * STEP), 8);
    expect(trend?.originT).toBe(144 * STEP);
  });

  it('holds a falling level flat when the slope is bounded at 0, at the pooled rate', () => {
    const data = exact(100, 120, (t) => 0.02 * Math.exp((-0.05 * t) / MINUTE));
    const free = fitRateTrend(data, 0);
    const bounded = fitRateTrend(data, 0, 0);
    expect(free?.slope).toBeLessThan(0);
    expect(bounded?.slope).toBe(0);
    const events = data.reduce((a, q) => a + q.events, 0);
    const trials = data.reduce((a, q) => a + q.trials, 0);
    expect(Math.exp(bounded?.logRate ?? 0)).toBeCloseTo(events / trials, 12);
  });

  it('has no trend without events or without two distinct times', () => {
    expect(
      fitRateTrend(
        exact(100, 60, () => 0),
        0,
      ),
    ).toBeNull();
    expect(fitRateTrend([{ t: STEP, trials: 100, events: 3 }], 0)).toBeNull();
    expect(fitRateTrend([], 0)).toBeNull();
  });

  it('finds a flat level flat on seeded Poisson data, within its noise', () => {
    const u = seededRandom(13);
    let far = 0;
    for (let r = 0; r < 200; r++) {
      const data = Array.from({ length: 120 }, (_, i) => {
        const n = poisson(u, 50);
        return { t: (i + 1) * STEP, trials: n, events: binomial(u, n, 0.01) };
      });
      const trend = fitRateTrend(data, 120 * STEP);
      // ~600 events over 10 min: the slope's standard error is about 0.035 a minute.
      if (Math.abs((trend?.slope ?? 0) * MINUTE) > 0.12) far++;
    }
    expect(far).toBeLessThanOrEqual(2);
  });

  it('has no trend when every event is at the newest time (no maximum)', () => {
    const data = [
      { t: STEP, trials: 200, events: 0 },
      { t: 2 * STEP, trials: 2, events: 1 },
    ];
    expect(fitRateTrend(data, 0, 0)).toBeNull();
  });

  it('finds the maximum where a full Newton step from a flat start overshoots', () => {
    // The event in the middle and few trials at the newest time: the maximum is at a slope of
    // ln(84) / 2 per step (score: 84 e^(a-b) = e^(a+b)), which plain Newton from 0 did not reach
    // in its iterations (a property run found it; the fit then read as "no maximum").
    const data = [
      { t: STEP, trials: 84, events: 0 },
      { t: 2 * STEP, trials: 2, events: 1 },
      { t: 3 * STEP, trials: 1, events: 0 },
    ];
    const trend = fitRateTrend(data, 0, 0);
    expect(trend).not.toBeNull();
    expect(trend?.slope).toBeCloseTo(Math.log(84) / 2 / STEP, 9);
    const fitted = data.reduce(
      (a, q) => a + q.trials * Math.exp((trend?.logRate ?? 0) + (trend?.slope ?? 0) * q.t),
      0,
    );
    expect(fitted).toBeCloseTo(1, 9);
  });

  it('never returns a slope below its bound, and its level is the data (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            trials: fc.integer({ min: 1, max: 500 }),
            share: fc.double({ min: 0, max: 0.5, noNaN: true }),
          }),
          { minLength: 2, maxLength: 80 },
        ),
        (rows) => {
          const data = rows.map((r, i) => ({
            t: (i + 1) * STEP,
            trials: r.trials,
            events: Math.round(r.trials * r.share),
          }));
          const events = data.reduce((a, q) => a + q.events, 0);
          const trend = fitRateTrend(data, 0, 0);
          if (events === 0) {
            expect(trend).toBeNull();
            return;
          }
          const newest = data[data.length - 1] as { events: number };
          // No maximum only when every event is at the newest time (the slope runs off).
          if (trend === null) {
            expect(newest.events).toBe(events);
            return;
          }
          expect(trend.slope).toBeGreaterThanOrEqual(0);
          // The fitted rates account for every event (the Poisson likelihood's score in the level).
          const fitted = data.reduce(
            (a, q) => a + q.trials * Math.exp((trend?.logRate ?? 0) + (trend?.slope ?? 0) * q.t),
            0,
          );
          expect(fitted / events).toBeCloseTo(1, 6);
        },
      ),
      { numRuns: 200 },
    );
  });
});
