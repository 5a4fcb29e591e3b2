import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RollgateError } from '../../src/errors/rollgate-error';
import {
  BASELINE_FRACTIONS,
  BASELINE_PRIOR_EVENTS,
  BASELINE_SHIFTS,
  HOST_GRACE_EVENTS,
  hostGraceEvents,
  judgeSequential,
  type SequentialState,
  startSequential,
  stepSequential,
} from '../../src/rules/sequential-count';
import { createBaselineRateTest, summarizeRateTest, updateRateTest } from '../../src/stats';
import { clopperPearsonLower } from '../../src/stats/binomial-bounds';
import { binomial, seededRandom } from '../../src/testing/seeded-random';

// Issue 12, classes 3 and 5: a handful of slow requests from a busy host against a near-empty
// baseline is not decisive, a sustained slow tail is (docs/statistics.md, "Small baselines").

const rule = { type: 'sequential' as const, test: 'baseline' as const, tolerance: 1 };
/** Three quarters of a latency rule's split alpha, as the evaluator gives the first threshold. */
const ALPHA = 1 / 269.4 / 0.99;

function configError(fn: () => unknown, path: string): void {
  try {
    fn();
  } catch (error) {
    expect(RollgateError.is(error)).toBe(true);
    expect((error as RollgateError).code).toBe('CONFIG_INVALID');
    expect((error as RollgateError).details.path).toBe(path);
    return;
  }
  throw new Error(`expected CONFIG_INVALID for ${path}`);
}

/** Feeds `steps` intervals of `trials` requests; `events(i)` slow requests in step i. Returns the first rejecting step. */
function run(
  start: SequentialState,
  steps: number,
  trials: number,
  events: (i: number) => number,
): { state: SequentialState; rejectedAt: number | null } {
  let state = start;
  let rejectedAt: number | null = null;
  for (let i = 0; i < steps; i++) {
    state = stepSequential(state, { events: events(i), trials }, null);
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

const judge = (state: SequentialState) =>
  judgeSequential(state, {
    signal: 'latency-p99',
    window: { start: 0, end: 60_000 },
    samples: 0,
    newestT: 59_000,
    now: 60_000,
    maxLagMs: 30_000,
    minSamples: 0,
    what: 'share slower than 100 ms',
    unavailable: null,
  });

describe('the host grace of a latency exceedance test', () => {
  it('is five events less the baseline own, never below zero', () => {
    expect(HOST_GRACE_EVENTS).toBe(5);
    expect(hostGraceEvents(0)).toBe(5);
    expect(hostGraceEvents(2)).toBe(3);
    expect(hostGraceEvents(7)).toBe(0);
    expect(hostGraceEvents(-1)).toBe(5);
  });

  it('keeps ten slow requests one by one against an empty baseline (the prior alone rolled it back)', () => {
    // nearzero-keep: 0 of 4,392 baseline requests above 100 ms, then a busy host slows ten
    // requests, one every 13 steps, in 1,370 requests of the bake.
    const slow = (i: number) => (i % 13 === 5 && i < 130 ? 1 : 0);
    const start = startSequential(
      rule,
      { status: 'ok', events: 0, trials: 4392 },
      ALPHA,
      'latency-exceedances',
    );
    if (!start) throw new Error('the test did not start');
    const now = run(start, 137, 10, slow);
    expect(now.rejectedAt).toBeNull();
    const before = run(priorTest(0, 4392, ALPHA), 137, 10, slow);
    expect(before.rejectedAt).not.toBeNull();
    const verdict = judge(now.state);
    expect(verdict.status).toBe('pass');
    expect(verdict.reason).toContain('of which up to 5 allowed to host load');
    expect(verdict.statistic?.graceEvents).toBe(5);
  });

  it('catches a sustained slow tail against a near-empty baseline the prior kept', () => {
    // tail-bad: 0 of 3,665 above the threshold, then one slow request in every seventh step of
    // 12 requests (1.2%), from step 76 of 180 (15 slow requests in 1,250). The prior, a rate,
    // costs more the longer the bake; the grace, a count, does not.
    const tail = (i: number) => (i >= 76 && (i - 76) % 7 === 0 ? 1 : 0);
    const start = startSequential(
      rule,
      { status: 'ok', events: 0, trials: 3665 },
      ALPHA,
      'latency-exceedances',
    );
    if (!start) throw new Error('the test did not start');
    const now = run(start, 180, 12, tail);
    expect(now.rejectedAt).not.toBeNull();
    expect(judge(now.state).status).toBe('breach');
    const before = run(priorTest(0, 3665, ALPHA), 180, 12, tail);
    expect(before.rejectedAt).toBeNull();
  });

  it('leaves error-rate tests as they were: the prior, no grace', () => {
    const start = startSequential(rule, { status: 'ok', events: 0, trials: 4392 }, ALPHA, 'errors');
    if (!start || start.kind !== 'baseline') throw new Error('the test did not start');
    expect(start.baselineEvents).toBe(BASELINE_PRIOR_EVENTS);
    expect(summarizeRateTest(start).graceEvents).toBeUndefined();
    const unknown = startSequential(rule, { status: 'ok', events: 0, trials: 4392 }, ALPHA);
    expect(unknown).toEqual(start);
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
        fc.array(fc.record({ events: fc.integer({ min: 0, max: 3 }), trials: fc.integer({ min: 1, max: 40 }) }), {
          minLength: 1,
          maxLength: 40,
        }),
        fc.integer({ min: 0, max: 8 }),
        (baselineEvents, baselineTrials, steps, grace) => {
          const options = {
            baselineEvents,
            baselineTrials,
            alpha: 0.01,
            kappas: BASELINE_SHIFTS,
            baselineFractions: BASELINE_FRACTIONS,
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
          baselineFractions: BASELINE_FRACTIONS,
          graceEvents: hostGraceEvents(baselineEvents),
        });
        // The same without the grace: the fractions alone must keep the test valid.
        let bare = createBaselineRateTest({
          baselineEvents,
          baselineTrials: 4000,
          alpha,
          kappas: BASELINE_SHIFTS,
          baselineFractions: BASELINE_FRACTIONS,
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
