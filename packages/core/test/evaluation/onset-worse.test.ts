import { describe, expect, it } from 'vitest';
import { worseSinceDeploy } from '../../src/evaluation/onset';
import { binomial, seededRandom } from '../../src/testing/seeded-random';

const STEP = 5_000;
const DEPLOY = 360 * STEP;

/** 30 min before the deploy and `after` steps after it: `rate(i)` events per step of `n` requests. */
function points(n: number, rate: (i: number) => number, after = 60) {
  return Array.from({ length: 360 + after }, (_, i) => ({ t: (i + 1) * STEP, trials: n, events: rate(i) }));
}

describe('worseSinceDeploy: a second change at the deploy on top of an ongoing episode', () => {
  const episodeStartT = 300 * STEP; // the episode runs the last 5 minutes before the deploy

  it('finds a fault on top of an incident still going at the deploy', () => {
    // 3% before the deploy (the incident), 25% from 4 min after it (a fault on top).
    const data = points(100, (i) => (i >= 300 ? (i >= 408 ? 25 : 3) : 0));
    const reason = worseSinceDeploy(data, episodeStartT, DEPLOY);
    expect(reason).toMatch(/the rate since 240 s after the deploy \(25% of 1200\) is more than 2x/);
    expect(reason).toMatch(/the deploy made it worse/);
  });

  it('leaves an incident that persists, or recovers, to the incident route', () => {
    expect(
      worseSinceDeploy(
        points(100, (i) => (i >= 300 ? 3 : 0)),
        episodeStartT,
        DEPLOY,
      ),
    ).toBeNull();
    expect(
      worseSinceDeploy(
        points(100, (i) => (i >= 300 && i < 380 ? 3 : 0)),
        episodeStartT,
        DEPLOY,
      ),
    ).toBeNull();
  });

  it('does not count a rise within twice the episode rate', () => {
    // 1.8x the episode rate for the whole bake: a worse incident, not evidence of a second change.
    const data = points(200, (i) => (i >= 360 ? 9 : i >= 300 ? 5 : 0), 120);
    expect(worseSinceDeploy(data, episodeStartT, DEPLOY)).toBeNull();
  });

  it('needs an episode and traffic after the deploy', () => {
    expect(
      worseSinceDeploy(
        points(100, () => 1, 0),
        episodeStartT,
        DEPLOY,
      ),
    ).toBeNull();
    expect(
      worseSinceDeploy(
        points(0, () => 0),
        episodeStartT,
        DEPLOY,
      ),
    ).toBeNull();
  });

  it('calls a persisting incident worse at most at its level (0.001), at any traffic', () => {
    // 400 seeded incidents at 2-200 requests a step and 1-30% errors, the same rate before and
    // after the deploy: with the scan over every stretch, at most ~0.4 are expected to reject.
    const u = seededRandom(12);
    let rejected = 0;
    for (let k = 0; k < 400; k++) {
      const n = Math.round(2 + u() * 198);
      const p = 0.01 + u() * 0.29;
      const data = Array.from({ length: 60 + 120 }, (_, i) => ({
        t: (300 + i + 1) * STEP,
        trials: n,
        events: binomial(u, n, p),
      }));
      if (worseSinceDeploy(data, episodeStartT, DEPLOY) !== null) rejected++;
    }
    expect(rejected).toBeLessThanOrEqual(2);
  });
});
