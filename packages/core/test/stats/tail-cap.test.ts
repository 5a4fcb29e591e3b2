import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BASELINE_PRIOR_EVENTS, BASELINE_SHIFTS } from '../../src/rules/sequential-count';
import {
  type BaselineRateTestState,
  createBaselineRateTest,
  TAIL_CAP_KAPPA,
  type TailCap,
  updateRateTest,
} from '../../src/stats';
import { logBaselineEvidence, logCalibratedTail } from '../../src/stats/baseline-rate-test';
import { configError } from './config-error';

// Issue 12, round 11: the joint test's baseline e-value capped by the calibrated exact tail
// where the baseline window saw nothing beyond the prior (docs/statistics.md, "Small baselines").
const CAP: TailCap = { kappa: TAIL_CAP_KAPPA, maxEvents: BASELINE_PRIOR_EVENTS };
/** Three quarters of a latency rule's split alpha, as the evaluator gives the first threshold. */
const ALPHA = 1 / 269.4 / 0.99;

function start(baselineEvents: number, baselineTrials: number, tailCap?: TailCap): BaselineRateTestState {
  return createBaselineRateTest({
    baselineEvents,
    baselineTrials,
    alpha: ALPHA,
    kappas: BASELINE_SHIFTS,
    ...(tailCap ? { tailCap } : {}),
  });
}

/** Feeds `steps` intervals of `trials` requests, `events(i)` in step i; the first rejecting step. */
function run(state: BaselineRateTestState, steps: number, trials: number, events: (i: number) => number) {
  let rejectedAt: number | null = null;
  for (let i = 0; i < steps; i++) {
    state = updateRateTest(state, { events: events(i), trials }) as BaselineRateTestState;
    if (state.rejected && rejectedAt === null) rejectedAt = i;
  }
  return { state, rejectedAt };
}

describe('the exact-tail cap of the baseline e-value', () => {
  it('keeps six slow requests one by one against a window with none (the uncapped test rejects)', () => {
    // wide-nearzero-keep-dev-n11-1: 0 of 8,850 baseline requests above the threshold (3 with the
    // prior), then a busy host slows 6 of the first 1,185, one request every 7th step.
    const slow = (i: number) => (i % 7 === 3 && i < 42 ? 1 : 0);
    const capped = run(start(BASELINE_PRIOR_EVENTS, 8850, CAP), 40, 29.6, slow);
    const uncapped = run(start(BASELINE_PRIOR_EVENTS, 8850), 40, 29.6, slow);
    expect(uncapped.rejectedAt).not.toBeNull();
    expect(capped.rejectedAt).toBeNull();
    expect(capped.state.logE).toBeLessThan(uncapped.state.logE);
  });

  it('still rolls back a 5% error fault at 1 req/s against an empty window', () => {
    // wide-nearzero-bad: a fault of one failed request in every fourth step of 5 requests.
    const failing = (i: number) => (i % 4 === 1 ? 1 : 0);
    const capped = run(start(BASELINE_PRIOR_EVENTS, 1800, CAP), 180, 5, failing);
    const uncapped = run(start(BASELINE_PRIOR_EVENTS, 1800), 180, 5, failing);
    expect(uncapped.rejectedAt).not.toBeNull();
    expect(capped.rejectedAt).not.toBeNull();
    // The cap only ever delays a rejection.
    expect(capped.rejectedAt as number).toBeGreaterThanOrEqual(uncapped.rejectedAt as number);
  });

  it('leaves a baseline with more events than maxEvents exactly as it was', () => {
    const slow = (i: number) => (i % 3 === 0 ? 2 : 0);
    const capped = run(start(40, 10_000, CAP), 60, 50, slow);
    const uncapped = run(start(40, 10_000), 60, 50, slow);
    expect(capped.state.logE).toBe(uncapped.state.logE);
    expect(capped.rejectedAt).toBe(uncapped.rejectedAt);
  });

  it('is a calibrated p-value: kappa at a tail of 1, rising as the candidate rate rises', () => {
    expect(logCalibratedTail(0, 3, 1000, 0.3)).toBeCloseTo(Math.log(0.3), 12);
    // P(Binomial(1000, 0.01) <= 3) = 0.0100727 (summed exactly): 0.3 x 0.0100727^-0.7 = 7.49757.
    expect(Math.exp(logCalibratedTail(0.01, 3, 1000, 0.3))).toBeCloseTo(7.49757, 4);
    expect(logCalibratedTail(0.02, 3, 1000, 0.3)).toBeGreaterThan(logCalibratedTail(0.01, 3, 1000, 0.3));
  });

  it('property: the capped baseline e-value is at most the uncapped one and rises with the rate', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 1, max: 50_000 }), fc.double({ min: 1, max: 1e8, noNaN: true })),
        fc.double({ min: 0, max: 3, noNaN: true }),
        fc.constantFrom(0.2, 0.3, 0.5, 0.8),
        (trials, events, kappa) => {
          const baseline = { baselineEvents: Math.min(events, trials), baselineTrials: trials, kappa: 0.5 };
          const plain = { ...baseline, kappas: BASELINE_SHIFTS };
          const capped = { ...plain, tailCap: { kappa, maxEvents: 3 } };
          let previous = logBaselineEvidence(0, capped);
          for (let i = 0; i <= 300; i++) {
            const p = Math.exp(Math.log(1e-9) + (Math.log(0.999) - Math.log(1e-9)) * (i / 300));
            const value = logBaselineEvidence(p, capped);
            expect(value).toBeLessThanOrEqual(logBaselineEvidence(p, plain) + 1e-12);
            expect(value).toBeGreaterThanOrEqual(previous - 1e-9 * Math.max(1, Math.abs(previous)));
            previous = value;
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses a cap on the bound method and a kappa outside (0, 1)', () => {
    const base = { baselineEvents: 0, baselineTrials: 1000, alpha: 0.01 };
    configError(() => createBaselineRateTest({ ...base, method: 'bound', tailCap: CAP }), 'tailCap');
    configError(() => createBaselineRateTest({ ...base, tailCap: { kappa: 1, maxEvents: 3 } }), 'tailCap');
    configError(() => createBaselineRateTest({ ...base, tailCap: { kappa: 0.3, maxEvents: -1 } }), 'tailCap');
  });
});
