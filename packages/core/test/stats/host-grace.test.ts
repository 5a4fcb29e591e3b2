import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BASELINE_PRIOR_EVENTS, BASELINE_SHIFTS } from '../../src/rules/sequential-count';
import {
  type BaselineRateTestState,
  createBaselineRateTest,
  summarizeRateTest,
  updateRateTest,
} from '../../src/stats';
import { clopperPearsonLower } from '../../src/stats/binomial-bounds';
import { binomial, seededRandom } from '../../src/testing/seeded-random';
import { configError } from './config-error';

// Issue 12, classes 3 and 5: the baseline test's `graceEvents` (a handful of events from a busy
// host that are no evidence) and `baselineFractions` (alternatives at fixed fractions of a
// candidate baseline rate). Measured on the scenario families as a replacement of the 3-event
// prior for latency and not wired into the evaluator (docs/statistics.md, "Small baselines").

/** The configuration that was measured: a grace of 5 less the baseline's events, three fractions. */
const GRACE = 5;
const FRACTIONS = [0.5, 0.2, 0.05];
const graceFor = (baselineEvents: number) => Math.max(0, GRACE - baselineEvents);
/** Three quarters of a latency rule's split alpha, as the evaluator gives the first threshold. */
const ALPHA = 1 / 269.4 / 0.99;

function graceTest(events: number, trials: number, alpha: number): BaselineRateTestState {
  return createBaselineRateTest({
    baselineEvents: events,
    baselineTrials: trials,
    alpha,
    kappas: BASELINE_SHIFTS,
    baselineFractions: FRACTIONS,
    graceEvents: graceFor(events),
  });
}

/** Feeds `steps` intervals of `trials` requests; `events(i)` slow requests in step i. Returns the first rejecting step. */
function run(
  start: BaselineRateTestState,
  steps: number,
  trials: number,
  events: (i: number) => number,
): { state: BaselineRateTestState; rejectedAt: number | null } {
  let state = start;
  let rejectedAt: number | null = null;
  for (let i = 0; i < steps; i++) {
    state = updateRateTest(state, { events: events(i), trials }) as BaselineRateTestState;
    if (state.rejected && rejectedAt === null) rejectedAt = i;
  }
  return { state, rejectedAt };
}

/** The test as it was before issue 12's round 7: the 3-event prior, no grace, no fractions. */
function priorTest(events: number, trials: number, alpha: number) {
  return createBaselineRateTest({
    baselineEvents: events + BASELINE_PRIOR_EVENTS,
    baselineTrials: trials,
    alpha,
    kappas: BASELINE_SHIFTS,
  });
}

describe('graceEvents and baselineFractions of the baseline test', () => {
  it('keeps ten slow requests one by one against an empty baseline (the prior alone rejects them)', () => {
    // nearzero-keep: 0 of 4,392 baseline requests above 100 ms, then a busy host slows ten
    // requests, one every 13 steps, in 1,370 requests of the bake.
    const slow = (i: number) => (i % 13 === 5 && i < 130 ? 1 : 0);
    const now = run(graceTest(0, 4392, ALPHA), 137, 10, slow);
    expect(now.rejectedAt).toBeNull();
    expect(summarizeRateTest(now.state).graceEvents).toBe(5);
    const before = run(priorTest(0, 4392, ALPHA), 137, 10, slow);
    expect(before.rejectedAt).not.toBeNull();
  });

  it('catches a late sustained slow tail against an empty baseline that the prior misses', () => {
    // tail-bad: 0 of 3,665 above the threshold, then one slow request in every seventh step of
    // 12 requests (1.2%), from step 76 of 180 (15 slow requests in 1,250). The prior, a rate,
    // costs more the longer the bake; the grace, a count, does not.
    const tail = (i: number) => (i >= 76 && (i - 76) % 7 === 0 ? 1 : 0);
    const now = run(graceTest(0, 3665, ALPHA), 180, 12, tail);
    expect(now.rejectedAt).not.toBeNull();
    const before = run(priorTest(0, 3665, ALPHA), 180, 12, tail);
    expect(before.rejectedAt).toBeNull();
  });

  it('refuses a negative grace, a grace on the bound method and fractions outside (0, 1)', () => {
    const base = { baselineEvents: 0, baselineTrials: 1000, alpha: 0.01 };
    configError(() => createBaselineRateTest({ ...base, graceEvents: -1 }), 'graceEvents');
    configError(() => createBaselineRateTest({ ...base, method: 'bound', graceEvents: 2 }), 'graceEvents');
    configError(() => createBaselineRateTest({ ...base, baselineFractions: [0.5, 1] }), 'baselineFractions');
    configError(() => createBaselineRateTest({ ...base, baselineFractions: [0] }), 'baselineFractions');
  });

  it('property: a grace never raises the e-value, and more events never lower it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 500, max: 20_000 }),
        fc.array(
          fc.record({ events: fc.integer({ min: 0, max: 3 }), trials: fc.integer({ min: 1, max: 40 }) }),
          {
            minLength: 1,
            maxLength: 40,
          },
        ),
        fc.integer({ min: 0, max: 8 }),
        (baselineEvents, baselineTrials, steps, grace) => {
          const options = {
            baselineEvents,
            baselineTrials,
            alpha: 0.01,
            kappas: BASELINE_SHIFTS,
            baselineFractions: FRACTIONS,
          };
          let without = createBaselineRateTest(options);
          let withGrace = createBaselineRateTest({ ...options, graceEvents: grace });
          let more = createBaselineRateTest({ ...options, graceEvents: grace });
          for (const step of steps) {
            without = updateRateTest(without, step);
            withGrace = updateRateTest(withGrace, step);
            more = updateRateTest(more, { ...step, events: Math.min(step.trials, step.events + 1) });
            expect(withGrace.logE).toBeLessThanOrEqual(without.logE + 1e-9);
            expect(more.logE).toBeGreaterThanOrEqual(withGrace.logE - 1e-9);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('property: on a near-empty baseline the false rejections stay at most alpha', () => {
    // Healthy deploys: the version's rate equals the baseline's, 1e-4 to 1e-3 (0 to 4 baseline
    // events in 4,000 requests), 180 steps of 12 requests. alpha is large so that a test that
    // overstates its evidence would show.
    const alpha = 0.05;
    const random = seededRandom(20261206);
    let runs = 0;
    let rejected = 0;
    for (const rate of [1e-4, 3e-4, 1e-3]) {
      for (let r = 0; r < 150; r++) {
        const baselineEvents = binomial(random, 4000, rate);
        let state = createBaselineRateTest({
          baselineEvents,
          baselineTrials: 4000,
          alpha,
          kappas: BASELINE_SHIFTS,
          baselineFractions: FRACTIONS,
          graceEvents: graceFor(baselineEvents),
        });
        // The same without the grace: the fractions alone must keep the test valid.
        let bare = createBaselineRateTest({
          baselineEvents,
          baselineTrials: 4000,
          alpha,
          kappas: BASELINE_SHIFTS,
          baselineFractions: FRACTIONS,
        });
        for (let i = 0; i < 180 && !bare.rejected; i++) {
          const events = binomial(random, 12, rate);
          state = updateRateTest(state, { events, trials: 12 });
          bare = updateRateTest(bare, { events, trials: 12 });
        }
        runs++;
        if (bare.rejected) rejected++;
        expect(state.rejected && !bare.rejected).toBe(false);
      }
    }
    // The observed rate's 95% lower bound must not exceed alpha.
    expect(clopperPearsonLower(rejected, runs, 0.05)).toBeLessThanOrEqual(alpha);
    expect(rejected / runs).toBeLessThanOrEqual(alpha);
  });
});
