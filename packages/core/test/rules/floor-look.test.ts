import { describe, expect, it } from 'vitest';
import {
  BASELINE_PRIOR_EVENTS,
  FINAL_LOOK_SHARE,
  finalLookOf,
  finalLookP,
  judgeSequential,
  type SequentialState,
  startSequential,
  stepSequential,
  takeFinalLook,
} from '../../src/rules/sequential-count';
import { binomialUpperTail } from '../../src/stats/special-functions';
import { binomial, poisson, type Random, seededRandom } from '../../src/testing/seeded-random';
import { ERROR_JUDGEMENT, feedSteps, LOOK_RULE, startLookTest } from './look-fixtures';

// Issue 12, round 21, class 4: a bake that ends below its request floor cannot pass, and the
// prior's 3 events weigh as much as a 90-request window at 0.05 req/s. There the look at the
// bake's end weighs the window's own events (no prior), an empty window too
// (docs/statistics.md, "The look below the request floor").

const FLOOR = 100;
const start = (events: number, trials: number, alpha: number) => startLookTest(events, trials, alpha);
const feed = feedSteps;

/** `events` errors spread evenly over `trials` one-request steps, each after a quiet step. */
const bake = (events: number, trials: number) =>
  Array.from({ length: trials }, (_, i) => ({
    events: Math.floor(((i + 1) * events) / trials) > Math.floor((i * events) / trials) ? 1 : 0,
    trials: 1,
  }));

describe('the look below the request floor', () => {
  it('weighs the window without the prior: the exact conditional tail of the raw counts', () => {
    // 1 error of 77 in the window, 10 of 35 in the bake (a fault at 0.05 req/s).
    const state = feed(start(1, 77, 0.005), bake(10, 35));
    expect(state.rejected).toBe(false);
    const withPrior = finalLookP(state) as number;
    const own = finalLookP(state, 1) as number;
    expect(own).toBeCloseTo(binomialUpperTail(10, 11, 35 / 112), 12);
    expect(withPrior).toBeCloseTo(binomialUpperTail(10, 11 + BASELINE_PRIOR_EVENTS, 35 / 112), 12);
    // The prior's three events make a fault the raw counts show at p 7e-5 read as p 0.002.
    expect(own).toBeLessThan(1e-4);
    expect(withPrior).toBeGreaterThan(0.001);
    const below = takeFinalLook(state, 0.001, 1, FLOOR);
    expect(below.rejected).toBe(true);
    expect(finalLookOf(below)).toEqual({ p: own, alpha: 0.001, withoutPrior: true });
    // The same bake judged above its floor keeps the prior, and does not reject.
    expect(takeFinalLook(state, 0.001, 1, 30)).toBe(state);
    expect(takeFinalLook(state, 0.001, 1)).toBe(state);
  });

  it('looks on an empty window below the floor only', () => {
    // 0 errors of 92, 9 of 51: p = (51 / 143)^9 = 9.3e-5.
    const state = feed(start(0, 92, 0.005), bake(9, 51));
    expect(finalLookP(state, 0) as number).toBeCloseTo((51 / 143) ** 9, 12);
    expect(takeFinalLook(state, 0.001, 0, FLOOR).rejected).toBe(true);
    expect(takeFinalLook(state, 0.001, 0, 40)).toBe(state);
  });

  it('never rejects what the look with the prior rejects not below the floor, and says why', () => {
    const state = feed(start(1, 77, 0.005), bake(10, 35));
    const looked = takeFinalLook(state, 0.001, 1, FLOOR);
    const verdict = judgeSequential(looked, { ...ERROR_JUDGEMENT, samples: 35, minSamples: FLOOR });
    expect(verdict.status).toBe('breach');
    expect(verdict.reason).toMatch(
      /one look at the bake's end, exact conditional p \S+ <= alpha 0\.001 \(below the request floor: against the window's own events, no prior\)/,
    );
  });

  it('scales the window events as the test weighs them (dispersion, drift)', () => {
    const state = startSequential(
      LOOK_RULE,
      { status: 'ok', events: 2, trials: 90, dispersion: 2, drift: { spread: 0.3 } },
      0.005,
      FINAL_LOOK_SHARE,
    );
    if (state?.kind !== 'baseline') throw new Error('a baseline test');
    const fed = feed(state, bake(8, 40));
    // The stored counts are (2 + prior) scaled; without the prior, 2 scaled the same way.
    const scale = state.baselineEvents / (2 + BASELINE_PRIOR_EVENTS);
    if (fed.kind !== 'baseline') throw new Error('a baseline test');
    const { events, trials } = fed;
    expect(finalLookP(fed, 2) as number).toBeCloseTo(
      binomialUpperTail(events, events + 2 * scale, trials / (trials + state.baselineTrials)),
      12,
    );
    expect(finalLookP(fed, 2) as number).toBeLessThan(finalLookP(fed) as number);
  });
});

/** A low-traffic bake of 180 five-second steps against 360 of baseline, both arms Poisson. */
function lowTraffic(
  random: Random,
  perStep: number,
  rate: number,
  faultRate: number,
  alpha: number,
): { state: SequentialState; windowEvents: number } {
  let windowEvents = 0;
  let baselineTrials = 0;
  for (let i = 0; i < 360; i++) {
    const n = poisson(random, perStep);
    baselineTrials += n;
    windowEvents += binomial(random, n, rate);
  }
  let state = start(windowEvents, Math.max(1, baselineTrials), alpha);
  for (let i = 0; i < 180; i++) {
    const n = poisson(random, perStep);
    if (n > 0)
      state = stepSequential(
        state,
        { events: binomial(random, n, i >= 60 ? faultRate : rate), trials: n },
        null,
      );
  }
  return { state, windowEvents };
}

describe('the look below the floor rejects a healthy version at most alpha x share', () => {
  it('seeded, 1,200 healthy bakes at 0.05-0.3 req/s and 0.5-5% errors, a look at 0.1', () => {
    const random = seededRandom(2112);
    let looks = 0;
    let below = 0;
    const runs = 1200;
    for (let r = 0; r < runs; r++) {
      const perStep = [0.25, 0.5, 1, 1.5][r % 4] as number;
      const rate = [0.005, 0.02, 0.05][Math.floor(r / 4) % 3] as number;
      const { state, windowEvents } = lowTraffic(random, perStep, rate, rate, 0.5);
      if (state.kind !== 'baseline' || (state.observedTrials ?? 0) >= FLOOR) continue;
      below++;
      // The look judged on every bake, whatever the e-process did (its own level).
      const unrejected = (state.rejected ? { ...state, rejected: false } : state) as SequentialState;
      if (takeFinalLook(unrejected, 0.5 * FINAL_LOOK_SHARE, windowEvents, FLOOR).rejected) looks++;
    }
    // The exact conditional test is at most its level (0.1) under H0, and conservative at these
    // counts (observed: 12 of 559); the bound is 3 standard deviations above 0.1 of them.
    expect(below).toBeGreaterThan(300);
    const bound = 0.1 * below + 3 * Math.sqrt(0.09 * below);
    expect(looks, `looks ${looks} of ${below}`).toBeLessThanOrEqual(bound);
  });
});

describe('power below the floor', () => {
  it('a fault from 2% to 30% after 5 minutes at 0.05 req/s: the window without the prior finds more', () => {
    const random = seededRandom(2113);
    let withPrior = 0;
    let own = 0;
    let sequential = 0;
    for (let r = 0; r < 200; r++) {
      const { state, windowEvents } = lowTraffic(random, 0.25, 0.02, 0.3, 0.005);
      if (state.kind !== 'baseline' || (state.observedTrials ?? 0) >= FLOOR) continue;
      if (state.rejected) {
        sequential++;
        continue;
      }
      const alpha = 0.005 * FINAL_LOOK_SHARE;
      if (takeFinalLook(state, alpha, windowEvents).rejected) withPrior++;
      if (takeFinalLook(state, alpha, windowEvents, FLOOR).rejected) own++;
    }
    // Observed: the e-process 16, the look with the prior 9, without it 87.
    expect(own, `e-process ${sequential}, look with the prior ${withPrior}, without ${own}`).toBeGreaterThan(
      withPrior + 10,
    );
  });
});
