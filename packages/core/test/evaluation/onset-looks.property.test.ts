import { describe, expect, it } from 'vitest';
import { STEP_LEVEL, stepOverClimb, stepOverFittedClimb, trendLookLevel } from '../../src/evaluation/onset';
import { binomial, poisson, seededRandom } from '../../src/testing/seeded-random';

// docs/statistics.md, "Climbs routed as incidents": while the trend explains a breach, the gate
// looks again at every confirmed breach until the bake ends; its repeated looks spend alpha.

const STEP = 5_000;
const MINUTE = 60_000;
const DEPLOY = 360 * STEP;

/**
 * A climb through the 30-minute window and `bake` steps of the bake, `n` requests a step: half
 * one log-linear climb of 0-3% a minute, half with a knee 3-13 minutes before the deploy after
 * which it climbs up to 6% a minute faster (a rise the change point finds, steeper than the
 * window); `fault` times the rate from `faultStep` steps after the deploy.
 */
function draw(u: () => number, k: number, bake: number, fault = 1, least = 5) {
  const n = Math.round(least + u() * (1000 - least));
  const p = 0.002 + u() * 0.02;
  const g1 = (u() * Math.log(1.03)) / MINUTE;
  const g2 = k % 2 === 0 ? g1 : g1 + (u() * Math.log(1.06)) / MINUTE;
  const knee = (360 - 40 - Math.floor(u() * 120)) * STEP;
  const faultStep = 12 + Math.floor(u() * 48);
  const data = Array.from({ length: 360 + bake }, (_, i) => {
    const t = (i + 1) * STEP;
    const log = t <= knee ? g1 * (t - knee) : g2 * (t - knee);
    const f = i >= 360 + faultStep ? fault : 1;
    const trials = poisson(u, n);
    return { t, trials, events: binomial(u, trials, Math.min(1, f * p * Math.exp(log))) };
  });
  return { data, fromT: knee, faultStep, firstLook: 1 + Math.floor(u() * 10) };
}

/** The step after the deploy at which the gate's looks first find a step (look 1, then one a step), or null. */
function firstStep(d: ReturnType<typeof draw>, bake: number): number | null {
  if (stepOverClimb(d.data.slice(0, 360 + d.firstLook), d.fromT, 0, DEPLOY) !== null) return d.firstLook;
  for (let s = d.firstLook + 1, look = 2; s <= bake; s++, look++) {
    const found = stepOverFittedClimb(d.data.slice(0, 360 + s), d.fromT, 0, DEPLOY, 1, trendLookLevel(look));
    if (found !== null) return s;
  }
  return null;
}

describe('the repeated looks at a breach the trend explains', () => {
  it('spend at most STEP_LEVEL over any number of looks after the first', () => {
    let spent = 0;
    for (let look = 2; look <= 10_000; look++) spent += trendLookLevel(look);
    expect(trendLookLevel(1)).toBe(STEP_LEVEL);
    expect(spent).toBeLessThanOrEqual(STEP_LEVEL);
    expect(spent).toBeGreaterThan(0.999 * STEP_LEVEL);
  });

  it('call a healthy climb (with or without a knee) looked at every step for 10 minutes a step at most about their level (seeded)', () => {
    const u = seededRandom(1501);
    let repeated = 0;
    for (let k = 0; k < 150; k++) {
      const d = draw(u, k, 120);
      const at = firstStep(d, 120);
      if (at !== null && at > d.firstLook) repeated++;
    }
    // The repeated looks spend STEP_LEVEL (0.01) in all: 1.5 of 150 expected at most.
    expect(repeated).toBeLessThanOrEqual(4);
  });

  it('find a 3x fault at 100-1,000 requests a step that begins 1-5 minutes into the bake, after the first look, within a minute mostly (seeded)', () => {
    const u = seededRandom(1502);
    let found = 0;
    let quick = 0;
    for (let k = 0; k < 60; k++) {
      const d = draw(u, k, 120, 3, 100);
      const at = firstStep(d, 120);
      if (at !== null && at >= d.faultStep) {
        found++;
        if (at - d.faultStep <= 12) quick++;
      }
    }
    expect(found).toBeGreaterThanOrEqual(52);
    expect(quick).toBeGreaterThanOrEqual(48);
  });
});
