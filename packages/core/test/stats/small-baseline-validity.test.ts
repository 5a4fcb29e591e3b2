import { describe, expect, it } from 'vitest';
import { BASELINE_PRIOR_EVENTS, BASELINE_SHIFTS } from '../../src/rules/sequential-count';
import {
  type BaselineRateTestState,
  createBaselineRateTest,
  TAIL_CAP_KAPPA,
  updateRateTest,
} from '../../src/stats';
import { clopperPearsonLower } from '../../src/stats/binomial-bounds';
import { binomial, type Random, seededRandom } from '../../src/testing/seeded-random';

// Issue 12, round 11: the joint test's validity where the baseline holds 0 to 5 events, the
// regime of the near-zero false rollbacks (docs/statistics.md, "Small baselines"). alpha is
// large so that a test that overstates its evidence shows within a few hundred runs; the
// evaluator's shifts without the 3-event prior (the prior only raises the baseline estimate,
// so a test without it is the stricter check).
const ALPHA = 0.05;
const BASELINE_TRIALS = 2000;
const STEPS = 180;
const TRIALS_PER_STEP = 20;
/** Baseline rates whose expected baseline counts are 0.5, 1, 2, 3 and 5 events. */
const RATES = [0.5, 1, 2, 3, 5].map((events) => events / BASELINE_TRIALS);
const RUNS_PER_RATE = 120;

type Build = (baselineEvents: number) => BaselineRateTestState;

/** A healthy deploy (the version's rate is the baseline's): whether the test rejects it. */
function rejectsHealthy(random: Random, rate: number, build: Build): boolean {
  let state = build(binomial(random, BASELINE_TRIALS, rate));
  for (let i = 0; i < STEPS && !state.rejected; i++) {
    state = updateRateTest(state, {
      events: binomial(random, TRIALS_PER_STEP, rate),
      trials: TRIALS_PER_STEP,
    });
  }
  return state.rejected;
}

function falseRejections(seed: number, build: Build): { rejected: number; runs: number } {
  const random = seededRandom(seed);
  let rejected = 0;
  let runs = 0;
  for (const rate of RATES) {
    for (let r = 0; r < RUNS_PER_RATE; r++, runs++) if (rejectsHealthy(random, rate, build)) rejected++;
  }
  return { rejected, runs };
}

/** The evaluator's shifts and its exact-tail cap on a window of at most 3 events (without the prior: see above). */
const joint: Build = (baselineEvents) =>
  createBaselineRateTest({
    baselineEvents,
    baselineTrials: BASELINE_TRIALS,
    alpha: ALPHA,
    kappas: BASELINE_SHIFTS,
    tailCap: { kappa: TAIL_CAP_KAPPA, maxEvents: BASELINE_PRIOR_EVENTS },
  });

/**
 * The teeth: the same e-process against the baseline's observed rate taken as known (a
 * plug-in, as a baseline 10,000 times larger with the same share of events would give), which
 * ignores what 0-5 events leave open about the rate. On these draws it rejects 87 of 600 healthy
 * deploys; the joint test rejects 1 (4 without the cap).
 */
const plugIn: Build = (baselineEvents) =>
  createBaselineRateTest({
    baselineEvents: baselineEvents * 1e4,
    baselineTrials: BASELINE_TRIALS * 1e4,
    alpha: ALPHA,
    kappas: BASELINE_SHIFTS,
  });

describe('the joint baseline test on baselines of 0 to 5 events', () => {
  it('rejects healthy deploys at most alpha of the time (seeded)', () => {
    const { rejected, runs } = falseRejections(20261206, joint);
    expect(runs).toBe(RATES.length * RUNS_PER_RATE);
    expect(rejected / runs).toBeLessThanOrEqual(ALPHA);
  });

  it('has teeth: a plug-in of the baseline estimate rejects far more than alpha on the same draws', () => {
    const { rejected, runs } = falseRejections(20261206, plugIn);
    // Its 95% lower bound is above alpha: the simulation sees a test that ignores the
    // baseline's uncertainty, so the check above would see one too.
    expect(clopperPearsonLower(rejected, runs, 0.05)).toBeGreaterThan(ALPHA);
  });
});
