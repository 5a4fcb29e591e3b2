import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BaselineRateTestState,
  createBaselineRateTest,
  type JointBaselineRateTestState,
  updateRateTest,
} from '../../src/stats';
import { logBaselineEvidence } from '../../src/stats/baseline-rate-test';
import { fillLogFactors } from '../../src/stats/rate-mixture';
import { unstartedLogWeight } from '../../src/stats/restart-schedule';
import { arbBaselineOptions, arbObservations, observationOf, startBaselineTest } from './baseline-test-draws';

/**
 * The `joint` e-value of a step computes the exps of the coarse grid only where a cell can bind
 * (stats/baseline-rate-test.ts, `boundCellsCheaply`; docs/statistics.md "Joint baseline test").
 * The reference is the arithmetic before that (main at 21f3599), frozen here: every grid point's
 * mixture in full, then the cells, refined near the threshold. Random count streams go through
 * the real update; at every step the reference recomputes the state's e-value from its counts
 * and copies. They must agree to the last bit (the audit records the e-value: the decisions
 * fixture hashes it), which is stronger than the 1e-9 relative the issue allows; the rejection
 * must be the same at every step.
 */

const COARSE_CELLS = 12;
const REFINE_CELLS = 8;
const REFINE_DEPTH = 2;
const REFINE_MARGIN = 1;
const ZERO_FLOOR_FRACTION = 1e-3;
const LOG_FLOOR = -1e300;

/** The log mixture of the live copies (plus the unstarted weight) against null rate c: in full. */
function referenceNew(state: JointBaselineRateTestState, c: number, unstarted: number): number {
  if (c >= 1) return unstarted;
  const k = state.ratios.length;
  const perEvent = new Float64Array(k);
  const perNonEvent = new Float64Array(k);
  fillLogFactors(c, state.ratios, perEvent, perNonEvent);
  const terms: number[] = [];
  let max = unstarted;
  for (const copy of state.copies) {
    const x = Math.max(0, state.events - copy.events - (state.graceEvents ?? 0));
    const y = state.trials - copy.trials - x;
    const w = copy.logWeight - Math.log(k);
    for (let i = 0; i < k; i++) {
      const v =
        w + (x === 0 ? 0 : x * (perEvent[i] as number)) + (y === 0 ? 0 : y * (perNonEvent[i] as number));
      terms.push(v);
      if (v > max) max = v;
    }
  }
  if (max === Number.NEGATIVE_INFINITY) return max;
  let sum = unstarted === Number.NEGATIVE_INFINITY ? 0 : Math.exp(unstarted - max);
  for (const v of terms) sum += Math.exp(v - max);
  return max + Math.log(sum);
}

/** The frozen `jointLogE`: the coarse grid in full, then the refinement of the cells that may bind. */
function referenceLogE(state: JointBaselineRateTestState): number {
  if (state.trials === 0) return 0;
  const [lo, hi] = state.nullRange;
  const unstarted = unstartedLogWeight(state.restarts, state.restartShare);
  const logHi = Math.log(hi);
  const logLo = lo > 0 ? Math.log(lo) : logHi + Math.log(ZERO_FLOOR_FRACTION);
  const rate: number[] = [];
  for (let i = 0; i <= COARSE_CELLS; i++) {
    const p =
      lo > 0 || i > 0
        ? Math.exp(
            logLo + ((logHi - logLo) * (lo > 0 ? i : i - 1)) / (lo > 0 ? COARSE_CELLS : COARSE_CELLS - 1),
          )
        : 0;
    rate.push(i === COARSE_CELLS ? hi : p);
  }
  const baseline = rate.map((p) => logBaselineEvidence(p, state));
  const fresh = rate.map((p) => referenceNew(state, state.tolerance * p, unstarted));
  let minPoint = Number.POSITIVE_INFINITY;
  for (let i = 0; i <= COARSE_CELLS; i++)
    minPoint = Math.min(minPoint, (baseline[i] as number) + (fresh[i] as number));
  const refine = minPoint >= state.logThreshold - REFINE_MARGIN;
  let found = Number.POSITIVE_INFINITY;
  const cell = (a: number, b: number, atA: number, atB: number, depth: number): void => {
    const bound = atA + atB;
    if (!(refine && bound < minPoint && a > 0)) {
      if (bound < found) found = bound;
      return;
    }
    const at = (j: number) =>
      j === REFINE_CELLS ? b : Math.exp(Math.log(a) + ((Math.log(b) - Math.log(a)) * j) / REFINE_CELLS);
    const eB = [atA];
    const m: number[] = [];
    for (let j = 1; j < REFINE_CELLS; j++) {
      eB.push(logBaselineEvidence(at(j), state));
      m[j] = referenceNew(state, state.tolerance * at(j), unstarted);
    }
    m[REFINE_CELLS] = atB;
    for (let j = 0; j < REFINE_CELLS; j++) {
      const sub = (eB[j] as number) + (m[j + 1] as number);
      if (sub < minPoint && depth + 1 < REFINE_DEPTH)
        cell(at(j), at(j + 1), eB[j] as number, m[j + 1] as number, depth + 1);
      else if (sub < found) found = sub;
    }
  };
  for (let i = 0; i < COARSE_CELLS; i++) {
    cell(rate[i] as number, rate[i + 1] as number, baseline[i] as number, fresh[i + 1] as number, 0);
  }
  return Math.max(Number.isNaN(found) ? LOG_FLOOR : found, LOG_FLOOR);
}

/** Steps the state through the stream; checks every step's e-value and rejection against the reference. */
function checkStream(
  start: BaselineRateTestState,
  observations: { events: number; trials: number }[],
): number {
  let state = start;
  let rejected = false;
  let crossings = 0;
  for (const observation of observations) {
    state = updateRateTest(state, observation);
    if (state.method !== 'joint') throw new Error('a joint test was drawn');
    const reference = referenceLogE(state);
    expect(Math.abs(state.logE - reference)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(reference)));
    expect(Object.is(state.logE, reference)).toBe(true);
    rejected = rejected || reference >= state.logThreshold;
    expect(state.rejected).toBe(rejected);
    if (reference >= state.logThreshold - REFINE_MARGIN) crossings++;
  }
  return crossings;
}

describe('baseline test: the joint e-value against a frozen reference of its arithmetic', () => {
  it('is the same to the last bit, and so is the rejection, at every step of random streams', () => {
    fc.assert(
      fc.property(arbBaselineOptions(true), arbObservations(true), (options, steps) => {
        checkStream(startBaselineTest(options), steps.map(observationOf));
      }),
      { numRuns: 200 },
    );
  });

  it('is the same through healthy steps, a fault and the refined cells near the threshold', () => {
    let nearThreshold = 0;
    fc.assert(
      fc.property(
        fc.record({
          baselineEvents: fc.integer({ min: 0, max: 80 }),
          rate: fc.double({ min: 0.001, max: 0.02, noNaN: true }),
          factor: fc.double({ min: 1, max: 6, noNaN: true }),
          faultAt: fc.integer({ min: 0, max: 60 }),
          seed: fc.integer(),
        }),
        ({ baselineEvents, rate, factor, faultAt, seed }) => {
          const test = createBaselineRateTest({
            baselineEvents,
            baselineTrials: 12_001,
            alpha: 0.005,
            kappas: [0.5, 1.5, 3],
            ...(baselineEvents <= 3 ? { tailCap: { kappa: 0.3, maxEvents: 3 } } : {}),
          });
          // A deterministic stream from the seed: about 100 trials a step, events spread around the mean.
          let s = seed >>> 0;
          const next = () => {
            s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
            return s / 2 ** 32;
          };
          const steps = Array.from({ length: 90 }, (_, i) => {
            const trials = 90 + Math.floor(next() * 20);
            const mean = trials * rate * (i >= faultAt ? factor : 1);
            const events = Math.max(0, Math.round(mean + (2 * next() - 1) * 2 * Math.sqrt(mean)));
            return { events, trials };
          });
          nearThreshold += checkStream(test, steps);
        },
      ),
      { numRuns: 60 },
    );
    // The draws reach the refined cells (a step within the margin of the threshold or above it).
    expect(nearThreshold).toBeGreaterThan(0);
  });
});
