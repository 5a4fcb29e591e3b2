import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createBaselineRateTest,
  createConcurrentRateTest,
  createSprt,
  type RateObservation,
  type RateTestState,
  summarizeRateTest,
  updateRateTest,
} from '../../src/stats';
import { binomial, seededRandom } from '../../src/testing/seeded-random';

// Counts as backends report them: zero, tiny, non-integer (extrapolated), huge.
const arbTrials = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 1, max: 500 }),
  fc.double({ min: 1e-3, max: 1e4, noNaN: true }),
  fc.double({ min: 1e6, max: 1e13, noNaN: true }),
);
const arbShare = fc.oneof(
  fc.constant(0),
  fc.constant(1),
  fc.double({ min: 0, max: 1, noNaN: true }),
  fc.double({ min: 0, max: 0.02, noNaN: true }),
);
const arbObservation: fc.Arbitrary<RateObservation & { baselineEvents: number; baselineTrials: number }> = fc
  .record({ trials: arbTrials, share: arbShare, baselineTrials: arbTrials, baselineShare: arbShare })
  .map(({ trials, share, baselineTrials, baselineShare }) => ({
    events: trials * share,
    trials,
    baselineEvents: baselineTrials * baselineShare,
    baselineTrials,
  }));

const arbBaselineCounts = fc
  .record({
    trials: fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.double({ min: 1, max: 1e10, noNaN: true })),
    share: fc.oneof(
      fc.constant(0),
      fc.constant(1),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.double({ min: 0, max: 0.01, noNaN: true }),
    ),
  })
  .map(({ trials, share }) => ({ baselineTrials: trials, baselineEvents: trials * share }));

const arbState: fc.Arbitrary<RateTestState> = fc.oneof(
  fc
    .record({
      counts: arbBaselineCounts,
      method: fc.constantFrom('joint' as const, 'bound' as const),
      tolerance: fc.double({ min: 1, max: 3, noNaN: true }),
      alpha: fc.constantFrom(0.01, 0.0025, 0.2),
      restartShare: fc.constantFrom(0, 0.1, 0.5),
    })
    .map(({ counts, ...rest }) => createBaselineRateTest({ ...counts, ...rest })),
  fc
    .record({
      alpha: fc.constantFrom(0.01, 0.2),
      tolerance: fc.double({ min: 1, max: 3, noNaN: true }),
      restartShare: fc.constantFrom(0, 0.1),
    })
    .map((o) => createConcurrentRateTest({ ...o, restartEvery: 1 })),
  fc
    .record({
      p0: fc.double({ min: 1e-6, max: 0.5, noNaN: true }),
      factor: fc.double({ min: 1.01, max: 50, noNaN: true }),
    })
    .map(({ p0, factor }) => createSprt({ p0, p1: Math.min(p0 * factor, 0.999), alpha: 0.01, beta: 0.05 })),
);

function run(state: RateTestState, observations: readonly RateObservation[]): RateTestState[] {
  const out: RateTestState[] = [];
  let s = state;
  for (const o of observations) {
    s = updateRateTest(s, o);
    out.push(s);
  }
  return out;
}

function expectSane(state: RateTestState): void {
  const summary = summarizeRateTest(state);
  expect(Number.isNaN(summary.logE)).toBe(false);
  expect(Number.isFinite(summary.logE)).toBe(true);
  for (const v of [
    summary.rate,
    summary.baselineRate,
    summary.events,
    summary.trials,
    summary.logThreshold,
  ]) {
    expect(Number.isFinite(v)).toBe(true);
  }
  if (summary.nullRate !== null) expect(Number.isNaN(summary.nullRate)).toBe(false);
  if (summary.ratioEstimate !== null) expect(Number.isNaN(summary.ratioEstimate)).toBe(false);
  if (summary.ratioInterval !== null) {
    expect(Number.isNaN(summary.ratioInterval.lower)).toBe(false);
    expect(Number.isNaN(summary.ratioInterval.upper)).toBe(false);
    expect(summary.ratioInterval.lower).toBeLessThanOrEqual(summary.ratioInterval.upper);
  }
}

describe('rate tests: properties', () => {
  it('never produce NaN, whatever the counts (zero, huge, non-integer, rates of 0 and 1)', () => {
    fc.assert(
      fc.property(arbState, fc.array(arbObservation, { maxLength: 25 }), (state, observations) => {
        expectSane(state);
        for (const s of run(state, observations)) expectSane(s);
      }),
      { numRuns: 300 },
    );
  });

  it('more events never lower the e-value (fixed trials, and for a concurrent test fixed stable counts)', () => {
    fc.assert(
      fc.property(
        arbState,
        fc.array(arbObservation, { minLength: 1, maxLength: 20 }),
        fc.nat(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (state, observations, pick, fraction) => {
          const i = pick % observations.length;
          const o = observations[i] as (typeof observations)[number];
          const more: RateObservation[] = [...observations];
          more[i] = { ...o, events: o.events + fraction * (o.trials - o.events) };
          // Float rounding: totals of ~1e13 trials cannot move by less than their last bit.
          const volume = observations.reduce((sum, x) => sum + x.trials + (x.baselineTrials ?? 0), 0);
          const base = run(state, observations);
          const raised = run(state, more);
          for (let k = 0; k < base.length; k++) {
            const a = summarizeRateTest(base[k] as RateTestState);
            const b = summarizeRateTest(raised[k] as RateTestState);
            expect(b.logE).toBeGreaterThanOrEqual(
              a.logE - 1e-9 * Math.max(1, Math.abs(a.logE)) - 1e-16 * volume,
            );
            if (a.rejected) expect(b.rejected).toBe(true);
          }
        },
      ),
      { numRuns: 250 },
    );
  });

  it('more events never lower the joint e-value near the threshold either (where cells get refined)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200 }),
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 12 }),
        fc.nat(),
        fc.constantFrom(0, 0.1),
        (baselineEvents, events, pick, restartShare) => {
          const state = createBaselineRateTest({
            baselineEvents,
            baselineTrials: 18000,
            alpha: 0.01,
            restartShare,
          });
          const observations = events.map((e) => ({ events: e, trials: 50 }));
          const i = pick % observations.length;
          const raised = observations.map((o, k) => (k === i ? { ...o, events: o.events + 1 } : o));
          const a = run(state, observations);
          const b = run(state, raised);
          for (let k = 0; k < a.length; k++) {
            const x = summarizeRateTest(a[k] as RateTestState).logE;
            expect(summarizeRateTest(b[k] as RateTestState).logE).toBeGreaterThanOrEqual(
              x - 1e-9 * Math.max(1, Math.abs(x)),
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('splitting an interval into two with the same totals leaves the e-value unchanged where it is a function of the totals', () => {
    const arbSplitState = fc.oneof(
      arbBaselineCounts.chain((counts) =>
        fc
          .constantFrom('joint' as const, 'bound' as const)
          .map((method) => createBaselineRateTest({ ...counts, alpha: 0.01, method, restartShare: 0 })),
      ),
      fc.constant(createConcurrentRateTest({ alpha: 0.01, restartShare: 0 })),
      fc.constant(createSprt({ p0: 0.01, p1: 0.03, alpha: 0.01, beta: 0.01 })),
    );
    fc.assert(
      fc.property(
        arbSplitState,
        fc.array(arbObservation, { minLength: 1, maxLength: 10 }),
        fc.nat(),
        fc.double({ min: 0.01, max: 0.99, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (state, observations, pick, part, canaryEventsPart, stableEventsPart) => {
          const i = pick % observations.length;
          const o = observations[i] as Required<RateObservation>;
          // Both halves keep the interval's traffic split (rho), which is when the
          // conditional-binomial factors add up; events may split any way.
          const first = {
            events: Math.min(o.events * canaryEventsPart, o.trials * part),
            trials: o.trials * part,
            baselineEvents: Math.min(o.baselineEvents * stableEventsPart, o.baselineTrials * part),
            baselineTrials: o.baselineTrials * part,
          };
          const second = {
            events: o.events - first.events,
            trials: o.trials - first.trials,
            baselineEvents: o.baselineEvents - first.baselineEvents,
            baselineTrials: o.baselineTrials - first.baselineTrials,
          };
          fc.pre(second.events <= second.trials && second.baselineEvents <= second.baselineTrials);
          fc.pre(
            first.trials > 0 && second.trials > 0 && first.baselineTrials > 0 && second.baselineTrials > 0,
          );
          const whole = run(state, observations).at(-1) as RateTestState;
          const halves = run(state, [
            ...observations.slice(0, i),
            first,
            second,
            ...observations.slice(i + 1),
          ]).at(-1) as RateTestState;
          const a = summarizeRateTest(whole).logE;
          const b = summarizeRateTest(halves).logE;
          // Float cancellation: a log-likelihood ratio sums terms of size ~ events.
          const events = observations.reduce((sum, x) => sum + x.events + (x.baselineEvents ?? 0), 0);
          expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-7 * Math.max(1, Math.abs(a)) + 1e-14 * events);
        },
      ),
      { numRuns: 250 },
    );
  });

  it('a rejection is sticky', () => {
    fc.assert(
      fc.property(arbState, fc.array(arbObservation, { maxLength: 15 }), (state, later) => {
        let s = state;
        for (let i = 0; i < 200 && !s.rejected; i++) {
          s = updateRateTest(s, { events: 1000, trials: 1000, baselineEvents: 0, baselineTrials: 1e6 });
        }
        fc.pre(s.rejected);
        const at = summarizeRateTest(s).rejectedAtUpdate;
        for (const next of run(s, later)) {
          expect(summarizeRateTest(next).rejected).toBe(true);
          expect(summarizeRateTest(next).rejectedAtUpdate).toBe(at);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('states survive a JSON round trip exactly, and continue identically', () => {
    fc.assert(
      fc.property(
        arbState,
        fc.array(arbObservation, { maxLength: 20 }),
        arbObservation,
        (state, observations, next) => {
          const s = run(state, observations).at(-1) ?? state;
          const revived = JSON.parse(JSON.stringify(s)) as RateTestState;
          expect(revived).toEqual(s);
          expect(updateRateTest(revived, next)).toEqual(updateRateTest(s, next));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('stay O(1) in size over 30k updates', () => {
    // 30x the 1k mark shows the size bounded; 100k updates took over 30 s at load 40.
    const random = seededRandom(1);
    const states: RateTestState[] = [
      createBaselineRateTest({ baselineEvents: 90, baselineTrials: 18000, alpha: 0.01 }),
      createBaselineRateTest({ baselineEvents: 90, baselineTrials: 18000, alpha: 0.01, method: 'bound' }),
      createConcurrentRateTest({ alpha: 0.01 }),
      createSprt({ p0: 0.005, p1: 0.03, alpha: 0.01, beta: 0.01 }),
    ];
    for (const initial of states) {
      let s = initial;
      let sizeAt1k = 0;
      for (let i = 1; i <= 30_000; i++) {
        s = updateRateTest(s, {
          events: binomial(random, 50, 0.005),
          trials: 50,
          baselineEvents: binomial(random, 50, 0.005),
          baselineTrials: 50,
        });
        if (i === 1000) sizeAt1k = JSON.stringify(s).length;
      }
      const size = JSON.stringify(s).length;
      expect(size).toBeLessThan(3000);
      expect(size).toBeLessThan(sizeAt1k + 200);
      expect(summarizeRateTest(s).trials).toBe(1_500_000);
    }
  }, 120_000);
});
