import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BASELINE_STEPS, bakeWarm, slowStep } from './run-watch';

/**
 * A recognised cold start ends where its latency shows it over (signal-evaluation.ts
 * `coldStartOver`): the count tests are judged from one step after it, on the data held since the warm-up,
 * not from the end of the whole cold-start window. A 30 s warm-up, 1,000 requests a step, 0.5%
 * of them slower than 50 ms before the deploy; a cold start puts 10% there.
 */

const baseline = (i: number) => slowStep(i, 1000, 5, i % 4 === 0 ? 1 : 0);
/** The k-th step after the deploy: slow for `coldSteps` steps (with `coldErrors`), then `errors`. */
const after = (coldSteps: number, coldErrors: number, errors: number) => (k: number) =>
  slowStep(BASELINE_STEPS + k, 1000, k < coldSteps ? 100 : 5, k < coldSteps ? coldErrors : errors);

describe('the end of a recognised cold start', () => {
  it('judges a fault from where a cold start longer than the warm-up ended, not from the window end', async () => {
    // A 40 s cold start (8 steps) and 5% errors that go on after it.
    const { evaluation, state, seconds } = await bakeWarm(baseline, after(8, 50, 50));
    expect(state.coldStart).toBe(true);
    expect(state.coldStartReason).toMatch(
      /^cold start: .*; over: latency-p99 0\.5% of \d+ requests slower than 50 ms since 40 s \(baseline 0\.5%\); judged from 45 s$/,
    );
    expect(evaluation.decision.type).toBe('breach');
    expect(seconds).toBeGreaterThan(45);
    expect(seconds).toBeLessThan(60);
  });

  it('keeps a healthy cold start longer than the warm-up, its errors included', async () => {
    const { evaluation, state } = await bakeWarm(baseline, after(9, 30, 0));
    expect(state.coldStart).toBe(true);
    expect(state.coldStartReason).toMatch(/; over: .* since 45 s .*; judged from 50 s$/);
    expect(evaluation.decision.type).toBe('promote');
  });

  it('holds to the end of the window a cold start whose latency is not over by then', async () => {
    // 60 s slow: never over inside the 60 s window; the errors after it are judged from 60 s.
    const { evaluation, state, seconds } = await bakeWarm(baseline, after(12, 30, 50));
    expect(state.coldStart).toBe(true);
    expect(state.coldStartReason).not.toMatch(/; over: /);
    expect(evaluation.decision.type).toBe('breach');
    expect(evaluation.signals.find((s) => s.signal === 'error-rate')?.status).toBe('breach');
    expect(seconds).toBeGreaterThan(60);
  });

  it('never judges from inside the cold start: whatever its length and errors, the healthy release is kept', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 11 }),
        fc.integer({ min: 0, max: 50 }),
        async (cold, errors) => {
          const { evaluation, state } = await bakeWarm(baseline, after(cold, errors, 0));
          expect(evaluation.decision.type).toBe('promote');
          const over = /judged from (\d+) s$/.exec(state.coldStartReason ?? '');
          if (over) expect(Number(over[1])).toBeGreaterThan(Math.max(30, cold * 5));
        },
      ),
      { numRuns: 8 },
    );
  });
});
