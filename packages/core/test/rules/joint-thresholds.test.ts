import { describe, expect, it } from 'vitest';
import {
  BASELINE_PRIOR_EVENTS,
  BASELINE_SHIFTS,
  jointCrossing,
  judgeSequential,
  type SequentialState,
} from '../../src/rules/sequential-count';
import {
  type BaselineRateTestState,
  createBaselineRateTest,
  TAIL_CAP_KAPPA,
  updateRateTest,
} from '../../src/stats';
import { binomial, type Random, seededRandom } from '../../src/testing/seeded-random';

// Issue 12, round 12: a latency rule's two thresholds (the first at the baseline p99's bucket, the
// tail at twice it) judged jointly, `a1' E1 + a2' E2 >= 1`, instead of each test at its alpha
// share alone (docs/statistics.md, "Latency: the tail threshold").

const ALPHA = 0.05;
const TAIL_SHARE = 0.25;
/** Large, so that with the baseline known the e-processes cross often enough to compare rules. */
const KNOWN_ALPHA = 0.3;
const BASELINE_TRIALS = 4000;
const STEPS = 120;
const TRIALS_PER_STEP = 10;

/** The evaluator's shifts and exact-tail cap, without the prior (which only makes a test stricter). */
function build(baselineEvents: number, alpha: number): BaselineRateTestState {
  return createBaselineRateTest({
    baselineEvents,
    baselineTrials: BASELINE_TRIALS,
    alpha,
    kappas: BASELINE_SHIFTS,
    tailCap: { kappa: TAIL_CAP_KAPPA, maxEvents: BASELINE_PRIOR_EVENTS },
  });
}

/**
 * The same e-process against a baseline rate known all but exactly (a window 10,000 times
 * larger): no baseline uncertainty left to absorb an overstatement, so a combination that
 * spends more than alpha shows.
 */
function buildKnown(rate: number, alpha: number): BaselineRateTestState {
  return createBaselineRateTest({
    baselineEvents: rate * BASELINE_TRIALS * 1e4,
    baselineTrials: BASELINE_TRIALS * 1e4,
    alpha,
    kappas: BASELINE_SHIFTS,
  });
}

interface Rates {
  /** Share of requests above the first threshold, and above the tail threshold (nested). */
  readonly first: number;
  readonly tail: number;
}

type Rule = 'split' | 'joint' | 'whole';

/**
 * One deploy: baseline and bake requests drawn with the given rates, the two tests stepped as
 * the evaluator steps them; the step at which `rule` rejects, or -1. `split`: each test alone
 * at its share (Bonferroni); `joint`: the joint crossing too; `whole`: each test alone at the
 * whole alpha (not valid for the rule: the teeth).
 */
function rejectionStep(
  random: Random,
  baseline: Rates,
  bake: Rates,
  rules: readonly Rule[],
  known: boolean,
  alpha: number,
): number[] {
  const b1 = binomial(random, BASELINE_TRIALS, baseline.first);
  const b2 = binomial(random, b1, baseline.tail / baseline.first);
  const make = (events: number, rate: number, alpha: number) =>
    known ? buildKnown(rate, alpha) : build(events, alpha);
  let first = make(b1, baseline.first, alpha * (1 - TAIL_SHARE));
  let tail = make(b2, baseline.tail, alpha * TAIL_SHARE);
  let firstWhole = make(b1, baseline.first, alpha);
  let tailWhole = make(b2, baseline.tail, alpha);
  const at = rules.map(() => -1);
  for (let step = 0; step < STEPS && at.some((s) => s < 0); step++) {
    const x1 = binomial(random, TRIALS_PER_STEP, bake.first);
    const x2 = binomial(random, x1, bake.tail / bake.first);
    first = updateRateTest(first, { events: x1, trials: TRIALS_PER_STEP });
    tail = updateRateTest(tail, { events: x2, trials: TRIALS_PER_STEP });
    firstWhole = updateRateTest(firstWhole, { events: x1, trials: TRIALS_PER_STEP });
    tailWhole = updateRateTest(tailWhole, { events: x2, trials: TRIALS_PER_STEP });
    rules.forEach((rule, k) => {
      if (at[k] !== -1) return;
      const alone = first.rejected || tail.rejected;
      const crossed =
        rule === 'whole'
          ? firstWhole.rejected || tailWhole.rejected
          : rule === 'split'
            ? alone
            : alone ||
              jointCrossing(first, { state: tail, leads: false }) !== null ||
              jointCrossing(tail, { state: first, leads: true }) !== null;
      if (crossed) at[k] = step;
    });
  }
  return at;
}

function run(
  seed: number,
  runs: number,
  baseline: Rates,
  bake: Rates,
  rules: readonly Rule[],
  known = false,
  alpha = ALPHA,
) {
  const random = seededRandom(seed);
  const rejected = rules.map(() => 0);
  const steps: number[][] = rules.map(() => []);
  for (let r = 0; r < runs; r++) {
    const at = rejectionStep(random, baseline, bake, rules, known, alpha);
    at.forEach((s, k) => {
      if (s >= 0) {
        rejected[k] = (rejected[k] as number) + 1;
        (steps[k] as number[]).push(s);
      }
    });
  }
  return { rejected, steps };
}

describe('a latency rule judged jointly at its two thresholds', () => {
  it('rejects healthy deploys at most alpha of the time (seeded; near-empty thresholds)', () => {
    // About 2 and 0.5 baseline events at the two thresholds: the regime of the tail faults.
    const healthy = { first: 0.0005, tail: 0.000125 };
    const runs = 500;
    const { rejected } = run(20261212, runs, healthy, healthy, ['split', 'joint', 'whole']);
    const [split, joint, whole] = rejected as [number, number, number];
    // Seeded: 0 of 500 for all three (the baseline's uncertainty at 0-3 events keeps both tests
    // far inside alpha); the known-rate case below is the one with teeth.
    expect(joint / runs).toBeLessThanOrEqual(ALPHA);
    // The joint rule rejects whenever the split does, and never more than each test at the whole alpha.
    expect(joint).toBeGreaterThanOrEqual(split);
    expect(whole).toBeGreaterThanOrEqual(joint);
  });

  it('rejects healthy deploys at most alpha of the time (seeded; baseline rates known)', () => {
    const healthy = { first: 0.05, tail: 0.02 };
    const runs = 400;
    const { rejected } = run(
      20261213,
      runs,
      healthy,
      healthy,
      ['split', 'joint', 'whole'],
      true,
      KNOWN_ALPHA,
    );
    const [split, joint, whole] = rejected as [number, number, number];
    // Seeded: 2, 2 and 6 of 400 (the joint rule spends alpha once; each test at the whole
    // alpha spends it twice).
    expect(joint / runs).toBeLessThanOrEqual(KNOWN_ALPHA);
    expect(joint).toBeGreaterThanOrEqual(split);
    expect(whole).toBeGreaterThan(joint);
  });

  it('detects a tail fault at least as often and sooner when both thresholds carry evidence', () => {
    // 1% of requests slow against 0.05% and 0.0125%: both thresholds see the fault.
    const baseline = { first: 0.0005, tail: 0.000125 };
    const fault = { first: 0.006, tail: 0.004 };
    const runs = 200;
    const { rejected, steps } = run(20261214, runs, baseline, fault, ['split', 'joint']);
    const [split, joint] = rejected as [number, number];
    expect(joint).toBeGreaterThanOrEqual(split);
    const mean = (a: readonly number[]) => a.reduce((s, x) => s + x, 0) / a.length;
    const [splitSteps, jointSteps] = steps as [number[], number[]];
    // Per run the joint rule is never later (it rejects whenever the split does), and on
    // average it is sooner.
    expect(mean(jointSteps)).toBeLessThan(mean(splitSteps));
  });
});

describe('jointCrossing', () => {
  const test = (logE: number, alpha: number): SequentialState => {
    // A test that has seen requests (so its verdict is judged), with a chosen e-value.
    const s = updateRateTest(build(2, alpha), { events: 0, trials: 2_000 });
    return { ...s, logE };
  };
  const t1 = Math.log(1 / (0.99 * 0.0075));
  const t2 = Math.log(1 / (0.99 * 0.0025));

  it('is null while the two shares sum to less than 1', () => {
    const a = test(t1 + Math.log(0.5), 0.0075);
    const b = test(t2 + Math.log(0.4), 0.0025);
    expect(a.logThreshold).toBeCloseTo(t1, 9);
    expect(b.logThreshold).toBeCloseTo(t2, 9);
    expect(jointCrossing(a, { state: b, leads: true })).toBeNull();
    expect(jointCrossing(b, { state: a, leads: false })).toBeNull();
  });

  it('lets the test with the larger share report, at its 1/alpha less the partner share', () => {
    const a = test(t1 + Math.log(0.3), 0.0075);
    const b = test(t2 + Math.log(0.75), 0.0025);
    expect(jointCrossing(a, { state: b, leads: true })).toBeNull();
    expect(jointCrossing(b, { state: a, leads: false })).toBeCloseTo(Math.exp(t2) * 0.7, 6);
  });

  it('breaks a tie for the leading test, and leaves a partner that rejected alone to its own verdict', () => {
    // Two tests at the same alpha with the same e-value: exactly equal shares.
    const a = test(t1 + Math.log(0.6), 0.0075);
    const b = test(t1 + Math.log(0.6), 0.0075);
    expect(jointCrossing(a, { state: b, leads: true })).not.toBeNull();
    expect(jointCrossing(b, { state: a, leads: false })).toBeNull();
    expect(jointCrossing(a, { state: { ...b, rejected: true } as SequentialState, leads: true })).toBeNull();
    expect(jointCrossing(a, undefined)).toBeNull();
    expect(jointCrossing(a, { state: null, leads: true })).toBeNull();
  });

  it('makes a breach verdict whose statistic reached its threshold', () => {
    const a = test(t1 + Math.log(0.6), 0.0075);
    const b = test(t2 + Math.log(0.45), 0.0025);
    const verdict = judgeSequential(a, {
      signal: 'latency-p99',
      window: { start: 0, end: 5_000 },
      samples: 2_000,
      newestT: 5_000,
      now: 5_000,
      maxLagMs: 60_000,
      minSamples: 1,
      what: 'share slower than 250 ms',
      unavailable: null,
      partner: { state: b, leads: true },
    });
    expect(verdict.status).toBe('breach');
    const statistic = verdict.statistic as { value: number; threshold: number };
    expect(statistic.value).toBeGreaterThanOrEqual(statistic.threshold);
    expect(statistic.threshold).toBeCloseTo(Math.log(Math.exp(t1) * 0.55), 6);
    expect(verdict.reason).toContain("less the other threshold's share");
    // Judged alone, the same test passes.
    const alone = judgeSequential(a, {
      signal: 'latency-p99',
      window: { start: 0, end: 5_000 },
      samples: 2_000,
      newestT: 5_000,
      now: 5_000,
      maxLagMs: 60_000,
      minSamples: 1,
      what: 'share slower than 250 ms',
      unavailable: null,
    });
    expect(alone.status).toBe('pass');
  });
});
