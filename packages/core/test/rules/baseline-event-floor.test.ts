import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BASELINE_EVENT_FLOOR,
  flooredBaselineEvents,
  judgeSequential,
  startSequential,
  stepSequential,
} from '../../src/rules/sequential-count';
import { summarizeRateTest } from '../../src/stats';

const rule = { type: 'sequential' as const, test: 'baseline' as const, tolerance: 1 };

describe('the baseline event floor (small baselines)', () => {
  it('takes a baseline of fewer than 3 events as 3, and any larger one as it is', () => {
    expect(flooredBaselineEvents(0)).toBe(BASELINE_EVENT_FLOOR);
    expect(flooredBaselineEvents(1.5)).toBe(3);
    expect(flooredBaselineEvents(3)).toBe(3);
    expect(flooredBaselineEvents(90)).toBe(90);
  });

  it('property: the floor is monotone, never below the count, and adds nothing from 3 events up', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        (a, b) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          expect(flooredBaselineEvents(lo)).toBeLessThanOrEqual(flooredBaselineEvents(hi));
          expect(flooredBaselineEvents(a)).toBeGreaterThanOrEqual(a);
          expect(flooredBaselineEvents(a)).toBeGreaterThanOrEqual(BASELINE_EVENT_FLOOR);
          if (a >= BASELINE_EVENT_FLOOR) expect(flooredBaselineEvents(a)).toBe(a);
        },
      ),
    );
  });

  it('starts the test from the floored count: an empty baseline reads 3 events, a 3-event one 3', () => {
    const empty = startSequential(rule, { status: 'ok', events: 0, trials: 6000 }, 0.01);
    const three = startSequential(rule, { status: 'ok', events: 3, trials: 178 }, 0.01);
    expect(empty && summarizeRateTest(empty).baselineRate).toBeCloseTo(3 / 6000, 12);
    expect(three && summarizeRateTest(three).baselineRate).toBeCloseTo(3 / 178, 12);
  });

  it('rolls back a fault from 1.7% to 21% errors at 0.1 req/s within 75 requests (an added prior of 3 did not)', () => {
    // The baseline: 3 errors in 178 requests (30 min at 0.1 req/s). The bake: 75 requests, 13
    // errors, one request per step (5 s steps at 0.1 req/s see 0 or 1 request).
    let state = startSequential(rule, { status: 'ok', events: 3, trials: 178 }, 0.0075);
    if (!state) throw new Error('the test did not start');
    const errorsAt = new Set([20, 24, 29, 33, 38, 41, 47, 52, 56, 61, 66, 70, 74]);
    for (let i = 0; i < 75; i++)
      state = stepSequential(state, { events: errorsAt.has(i) ? 1 : 0, trials: 1 }, null);
    const verdict = judgeSequential(state, {
      signal: 'error-rate',
      window: { start: 0, end: 1 },
      samples: 75,
      newestT: 1,
      now: 1,
      maxLagMs: 60_000,
      minSamples: 100,
      what: 'error rate',
      unavailable: null,
    });
    expect(verdict.status).toBe('breach');
    // The same counts against 3 + 3 prior events (the old rule) stay short of 1/alpha.
    let prior = startSequential(rule, { status: 'ok', events: 6, trials: 178 }, 0.0075);
    if (!prior) throw new Error('the test did not start');
    for (let i = 0; i < 75; i++)
      prior = stepSequential(prior, { events: errorsAt.has(i) ? 1 : 0, trials: 1 }, null);
    expect(summarizeRateTest(prior).rejected).toBe(false);
  });
});
