import { describe, expect, it } from 'vitest';
import { type CountPoint, compareRampOnsets } from '../../src/stats/onset';
import { binomial, seededRandom } from '../../src/testing/seeded-random';

const STEP = 5_000;
/** The deploy: the last interval before it ends here (interval 0), the first after it is 1. */
const DEPLOY = 360 * STEP;
const LOG_CLIMB_RATIO = Math.log(100);

/** 360 intervals before the deploy and `after` after it, `n` trials each, the rate `rate(k)` at interval k (0: the last before the deploy). */
function series(seed: number, rate: (k: number) => number, n = 100, after = 60): CountPoint[] {
  const u = seededRandom(seed);
  const points: CountPoint[] = [];
  for (let k = -359; k <= after; k++) {
    points.push({ t: DEPLOY + k * STEP, events: binomial(u, n, Math.min(1, rate(k))), trials: n });
  }
  return points;
}

/** A climb from `base` to `top` over `steps` intervals, beginning after interval `start`. */
const climb =
  (base: number, top: number, start: number, steps: number) =>
  (k: number): number =>
    base + (top - base) * Math.min(1, Math.max(0, (k - start) / steps));

describe('compareRampOnsets: did the climb begin before the deploy?', () => {
  it('places a climb under way at the deploy before it, and fits its start and rates', () => {
    // 10% -> 70% over 80 intervals (400 s), from 30 intervals (150 s) before the deploy.
    const found = compareRampOnsets(series(1, climb(0.1, 0.7, -30, 80), 200), {
      stepMs: STEP,
      referenceT: DEPLOY,
    });
    expect(found.logLikelihoodRatio).toBeGreaterThan(LOG_CLIMB_RATIO);
    expect(found.before?.startT).toBeGreaterThanOrEqual(DEPLOY - 45 * STEP);
    expect(found.before?.startT).toBeLessThanOrEqual(DEPLOY - 15 * STEP);
    expect(found.before?.rateBefore).toBeCloseTo(0.1, 1);
    expect(found.before?.rateAfter).toBeGreaterThan(0.6);
    expect(found.logLikelihoodRatio).toBeCloseTo(found.beforeLogLikelihood - found.afterLogLikelihood, 9);
  });

  it('places a step at the deploy, and a climb from the deploy, at or after it', () => {
    const step = compareRampOnsets(
      series(2, (k) => (k >= 1 ? 0.4 : 0.1)),
      { stepMs: STEP, referenceT: DEPLOY },
    );
    expect(step.logLikelihoodRatio).toBeLessThan(LOG_CLIMB_RATIO / 2);
    expect(step.after?.startT).toBe(DEPLOY);
    expect(step.after?.steps).toBe(1);
    const ramp = compareRampOnsets(series(3, climb(0.1, 0.7, 0, 40), 200), {
      stepMs: STEP,
      referenceT: DEPLOY,
    });
    expect(ramp.logLikelihoodRatio).toBeLessThan(LOG_CLIMB_RATIO);
    expect(ramp.after?.startT).toBeGreaterThanOrEqual(DEPLOY);
  });

  it('divides the log-likelihoods by the dispersion', () => {
    const points = series(4, climb(0.1, 0.7, -30, 80), 200);
    const one = compareRampOnsets(points, { stepMs: STEP, referenceT: DEPLOY });
    const three = compareRampOnsets(points, { stepMs: STEP, referenceT: DEPLOY, dispersion: 3 });
    expect(three.logLikelihoodRatio).toBeCloseTo(one.logLikelihoodRatio / 3, 9);
  });

  it('answers nothing on too few points, and drops intervals without trials', () => {
    const none = compareRampOnsets([{ t: DEPLOY, events: 1, trials: 10 }], {
      stepMs: STEP,
      referenceT: DEPLOY,
    });
    expect(none).toMatchObject({ logLikelihoodRatio: 0, before: null, after: null });
    const points = series(5, climb(0.1, 0.7, -30, 80), 200).map((p, i) =>
      i % 7 === 0 ? { ...p, events: 0, trials: 0 } : p,
    );
    const found = compareRampOnsets(points, { stepMs: STEP, referenceT: DEPLOY });
    expect(found.logLikelihoodRatio).toBeGreaterThan(LOG_CLIMB_RATIO);
  });
});

describe('compareRampOnsets on faults that arrive with the deploy (seeded)', () => {
  it('rarely finds a climb before the deploy 100x likelier (steps and climbs from the deploy, 5-200 trials)', () => {
    const u = seededRandom(22);
    let placed = 0;
    const runs = 60;
    for (let r = 0; r < runs; r++) {
      const n = [5, 20, 50, 200][r % 4] as number;
      const base = [0.05, 0.1, 0.2][r % 3] as number;
      const top = Math.min(0.95, base * (1.5 + 3 * u()));
      const steps = r % 2 === 0 ? 1 : 1 + Math.floor(60 * u());
      const found = compareRampOnsets(
        series(1000 + r, climb(base, top, 0, steps), n, 12 + Math.floor(36 * u())),
        {
          stepMs: STEP,
          referenceT: DEPLOY,
        },
      );
      if (found.logLikelihoodRatio >= LOG_CLIMB_RATIO) placed++;
    }
    // A likelihood ratio of 100 against every onset at or after the deploy: a few at most.
    expect(placed).toBeLessThanOrEqual(2);
  });
});
