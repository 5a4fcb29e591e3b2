import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  countVerdictOnRead,
  finishCountVerdict,
  isLazyVerdict,
  lazyVerdictJsonSafe,
} from '../../src/evaluation/lazy-verdict';
import { judgeSequential, type SequentialState } from '../../src/rules/sequential-count';
import { jsonSafeVerdict, type Verdict } from '../../src/rules/verdict';
import { createBaselineRateTest } from '../../src/stats/baseline-rate-test';
import { createConcurrentRateTest } from '../../src/stats/concurrent-rate-test';
import { summarizeRateTest, updateRateTest } from '../../src/stats/rate-test';
import { createSprt } from '../../src/stats/sprt';

/**
 * A count verdict built when read (evaluation/lazy-verdict.ts) against the verdict the eager
 * path builds (`judgeSequential`, then `finishCountVerdict`), on random test states and inputs:
 * the same fields, the same keys in the same order, the same JSON text, the same reason.
 */

const NOW = 1_700_000_000_000;

/** A test of a random kind fed random intervals (some of them faulty, so some reject). */
const testState = fc
  .record({
    kind: fc.constantFrom('baseline', 'baseline-bound', 'sprt', 'concurrent'),
    baselineEvents: fc.integer({ min: 0, max: 60 }),
    baselineTrials: fc.integer({ min: 200, max: 20_000 }),
    dispersion: fc.double({ min: 1, max: 3, noNaN: true }),
    alpha: fc.constantFrom(0.01, 0.0025, 0.05),
    intervals: fc.array(
      fc.record({
        trials: fc.integer({ min: 0, max: 400 }),
        share: fc.double({ min: 0, max: 0.2, noNaN: true }),
        stableEvents: fc.integer({ min: 0, max: 5 }),
      }),
      { maxLength: 40 },
    ),
  })
  .map((g): SequentialState => {
    let state: SequentialState =
      g.kind === 'sprt'
        ? createSprt({ p0: 0.01, p1: 0.05, alpha: g.alpha, beta: 0.01 })
        : g.kind === 'concurrent'
          ? createConcurrentRateTest({ alpha: g.alpha })
          : createBaselineRateTest({
              baselineEvents: g.baselineEvents,
              baselineTrials: g.baselineTrials,
              alpha: g.alpha,
              dispersion: g.dispersion,
              ...(g.kind === 'baseline-bound' ? { method: 'bound' as const } : {}),
            });
    for (const i of g.intervals) {
      const events = Math.min(i.trials, Math.round(i.trials * i.share));
      state = updateRateTest(state, {
        events,
        trials: i.trials,
        baselineEvents: i.stableEvents,
        baselineTrials: i.trials,
      });
    }
    return state;
  });

const judgement = fc.record({
  segment: fc.option(fc.constantFrom('route=/a', 'zone=eu'), { nil: undefined }),
  newestLagMs: fc.option(fc.integer({ min: 0, max: 120_000 }), { nil: null }),
  minSamples: fc.integer({ min: 0, max: 2_000 }),
  what: fc.constantFrom('error rate', 'share slower than 250 ms'),
  unavailable: fc.constantFrom(null, {
    status: 'no-data' as const,
    reason: 'the source returned no usable samples',
  }),
});

const extra = fc.record({
  drift: fc.option(
    fc.record({
      spread: fc.double({ min: 0.01, max: 0.5, noNaN: true }),
      lowRate: fc.double({ min: 0, max: 0.01, noNaN: true }),
      highRate: fc.double({ min: 0.01, max: 0.05, noNaN: true }),
      pValue: fc.double({ min: 1e-9, max: 0.05, noNaN: true }),
      blocks: fc.integer({ min: 2, max: 12 }),
    }),
    { nil: undefined },
  ),
  exceedanceThresholdMs: fc.option(fc.constantFrom(250, 1000), { nil: undefined }),
  surgeHeld: fc.integer({ min: 0, max: 6 }),
  stepSeconds: fc.constantFrom(5, 10),
});

describe('count verdicts built when read', () => {
  it('read as the eager verdict: fields, key order, JSON text and reason', () => {
    let lazy = 0;
    let breaches = 0;
    fc.assert(
      fc.property(testState, judgement, extra, fc.boolean(), (state, j, x, verifying) => {
        const input = {
          signal: 'errors',
          ...(j.segment === undefined ? {} : { segment: j.segment }),
          window: { start: NOW - 600_000, end: NOW },
          samples: 0,
          newestT: j.newestLagMs === null ? null : NOW - j.newestLagMs,
          now: NOW,
          maxLagMs: 60_000,
          minSamples: j.minSamples,
          what: j.what,
          unavailable: j.unavailable,
        };
        const drift = x.drift as Parameters<typeof finishCountVerdict>[1]['drift'];
        const extras = { ...x, drift };
        const eager = finishCountVerdict(judgeSequential(state, input), extras);
        const onRead = countVerdictOnRead(state, input, extras, verifying);
        if (onRead === null) {
          // Built at once by the caller: only where the verdict is not a plain pass or breach.
          expect(eager.status === 'pass' || (eager.status === 'breach' && !verifying)).toBe(false);
          return;
        }
        lazy++;
        if (onRead.status === 'breach') breaches++;
        expect(isLazyVerdict(onRead)).toBe(true);
        // The stored form: JSON-safe as `jsonSafeVerdict` makes the eager one.
        const stored = jsonSafeVerdict(eager);
        expect(JSON.stringify(onRead)).toBe(JSON.stringify(eager));
        expect(Object.keys(onRead)).toEqual(Object.keys(stored));
        expect({ ...onRead }).toEqual(stored);
        expect(onRead.reason).toBe(eager.reason);
        expect(structuredClone(onRead)).toEqual(stored);
        // A spread copy keeps the text (own accessors), the statistic keeps its interval.
        const copy: Verdict = { ...onRead };
        expect(copy.reason).toBe(eager.reason);
        expect(onRead.statistic?.ratioInterval).toEqual(stored.statistic?.ratioInterval);
        expect(lazyVerdictJsonSafe(onRead as never)).toBe(true);
      }),
      // About 3% of the draws are lazy breaches: at 400 runs the count below was 5 or fewer in
      // about one run of ten (a clean-clone CI run failed on it); at 1,600 it is near 48.
      { numRuns: 1600 },
    );
    // The generator reaches both lazy statuses.
    expect(lazy).toBeGreaterThan(50);
    expect(breaches).toBeGreaterThan(5);
  });

  it('builds nothing until read: the status and numbers come from the test alone', () => {
    let state: SequentialState = createBaselineRateTest({
      baselineEvents: 20,
      baselineTrials: 4000,
      alpha: 0.01,
    });
    for (let i = 0; i < 20; i++) state = updateRateTest(state, { events: 1, trials: 200 });
    const input = {
      signal: 'errors',
      window: { start: NOW - 600_000, end: NOW },
      samples: 0,
      newestT: NOW,
      now: NOW,
      maxLagMs: 60_000,
      minSamples: 100,
      what: 'error rate',
      unavailable: null,
    };
    const extras = { drift: undefined, exceedanceThresholdMs: undefined, surgeHeld: 0, stepSeconds: 5 };
    const v = countVerdictOnRead(state, input, extras, false) as Verdict;
    const summary = summarizeRateTest(state);
    expect(v.status).toBe('pass');
    expect(v.value).toBe(summary.rate);
    expect(v.statistic?.value).toBe(summary.logE);
    // The descriptor is an accessor: nothing was built to make the verdict.
    const reason = Object.getOwnPropertyDescriptor(v, 'reason');
    expect(reason?.get).toBeTypeOf('function');
    expect(v.reason).toMatch(/^error rate 0\.5% of 4000 vs baseline 0\.5% \(ratio 1x, 99% CS \[/);
  });
});
