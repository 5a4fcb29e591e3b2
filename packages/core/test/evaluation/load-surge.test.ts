import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  errorLoadTolerance,
  isDraining,
  isSurge,
  LOAD_SMOOTH_STEPS,
  latencyLoadTolerance,
  loadProfile,
  PROFILE_HIGH_SHARE,
  SURGE_FACTOR,
  smoothedLoad,
  surgeAtEnd,
  withoutSurges,
} from '../../src/evaluation/load-surge';

const steps = (trials: readonly number[]) =>
  trials.map((n, i) => ({ t: (i + 1) * 5000, events: 0, trials: n }));

describe('the baseline load profile', () => {
  it('is the mean per step and the one-minute mean a tenth of its minutes reach', () => {
    // 24 steps at 100, then two minutes (24 steps) at 200: 13 of the 37 one-minute means are 200.
    const profile = loadProfile(steps([...Array(24).fill(100), ...Array(24).fill(200)]), 5);
    expect(profile?.meanPerStep).toBeCloseTo((24 * 100 + 24 * 200) / 48, 9);
    expect(profile?.highPerStep).toBe(200);
    // A single busy step is averaged over its minute.
    expect(loadProfile(steps([...Array(12).fill(100), 1300, ...Array(11).fill(100)]), 5)?.highPerStep).toBe(
      200,
    );
  });

  it('takes its high from the minutes the window spent there, not from a surge at its end', () => {
    // 28 minutes at 100 a step, then the first 2 minutes of a 4x surge that runs into the bake:
    // the busiest minute is the surge's, but the window spent under 10% of its time there.
    const profile = loadProfile(steps([...Array(336).fill(100), ...Array(24).fill(400)]), 5);
    expect(profile?.highPerStep).toBe(100);
    // A busier hour that lasted a tenth of the window or more is traffic the baseline knows.
    const busy = Math.ceil(PROFILE_HIGH_SHARE * 360) + 12;
    expect(
      loadProfile(steps([...Array(360 - busy).fill(100), ...Array(busy).fill(400)]), 5)?.highPerStep,
    ).toBe(400);
  });

  it('is null without traffic', () => {
    expect(loadProfile([], 5)).toBeNull();
    expect(loadProfile(steps([0, 0, 0]), 5)).toBeNull();
  });
});

describe('a load surge', () => {
  const profile = { meanPerStep: 250, highPerStep: 300 };

  it('is traffic clearly above the busiest minute the baseline saw, on one step or over three', () => {
    expect(isSurge(profile, [], 1000)).toBe(true);
    expect(isSurge(profile, [], 300)).toBe(false);
    // Three steps a little above the busiest minute each: the smoothed test sees what one does not.
    const near = SURGE_FACTOR * 300 + 55;
    expect(isSurge(profile, [], near)).toBe(false);
    expect(isSurge(profile, [near, near], near)).toBe(true);
  });

  it('is never called at a few requests per step (no queue to fill) or without a profile', () => {
    expect(isSurge({ meanPerStep: 0.5, highPerStep: 1 }, [5, 5], 5)).toBe(false);
    expect(isSurge(null, [], 1e6)).toBe(false);
    expect(isSurge(undefined, [], 1e6)).toBe(false);
    expect(isSurge(profile, [], Number.NaN)).toBe(false);
  });

  it('is monotone in traffic: more requests never turn a surge into none (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 1e4, noNaN: true }),
        fc.array(fc.nat({ max: 50_000 }), { maxLength: 5 }),
        fc.nat({ max: 50_000 }),
        fc.nat({ max: 50_000 }),
        (high, previous, a, extra) => {
          const p = { meanPerStep: high / 2, highPerStep: high };
          if (isSurge(p, previous, a)) expect(isSurge(p, previous, a + extra)).toBe(true);
        },
      ),
    );
  });

  it('is rare on Poisson traffic at the baseline level: the holdout costs a healthy watch nothing (property)', () => {
    // Traffic at the busiest minute's level, Poisson noise: 4 sigma above 1.25x is far away.
    fc.assert(
      fc.property(
        fc.double({ min: 5, max: 2000, noNaN: true }),
        fc.double({ min: -2, max: 2, noNaN: true }),
        (lambda, z) => {
          const n = Math.max(0, Math.round(lambda + z * Math.sqrt(lambda)));
          expect(isSurge({ meanPerStep: lambda, highPerStep: lambda }, [n, n], n)).toBe(false);
        },
      ),
    );
  });
});

describe('the drain after a surge', () => {
  const profile = { meanPerStep: 250, highPerStep: 300 };

  it('marks the steps back in range within the drain of a surge step, and none after', () => {
    // One step at 1000 (index 3): it and the two after it (the three-step sum) are surge steps.
    const surge = [300, 300, 300, 1000, 300, 300];
    expect(isSurge(profile, surge, 300)).toBe(false);
    expect(isDraining(profile, surge, 12)).toBe(true);
    // The last surge step (index 5) is 12 steps back after 11 more quiet ones: within a 12-step
    // drain, not within 11.
    const later = [...surge, ...Array(11).fill(300)];
    expect(isDraining(profile, later, 12)).toBe(true);
    expect(isDraining(profile, later, 11)).toBe(false);
    // A smoothed surge (three steps each a little above the busiest minute) drains as well.
    const near = SURGE_FACTOR * 300 + 55;
    expect(isDraining(profile, [near, near, near, 300], 2)).toBe(true);
  });

  it('is never marked without a surge, without a profile or without a drain', () => {
    expect(isDraining(profile, Array(20).fill(300), 12)).toBe(false);
    expect(isDraining(null, [1e6], 12)).toBe(false);
    expect(isDraining(profile, [1e6], 0)).toBe(false);
  });

  it('marks exactly the steps that follow a step isSurge marks within the drain (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 1200 }), { maxLength: 30 }),
        fc.integer({ min: 0, max: 15 }),
        (xs, d) => {
          let expected = false;
          for (let k = 1; k <= d && k <= xs.length; k++) {
            const i = xs.length - k;
            if (isSurge(profile, xs.slice(0, i), xs[i] as number)) expected = true;
          }
          expect(isDraining(profile, xs, d)).toBe(expected);
        },
      ),
    );
  });
});

describe('points without surges', () => {
  const profile = { meanPerStep: 250, highPerStep: 300 };

  it('leaves out the surge steps and their drain, and keeps the rest in order', () => {
    const points = [300, 300, 1000, 1000, 300, 300, 300, 300].map((trials, k) => ({ t: k, trials }));
    // Steps 2-5 are surges (5: the three-step sum), 6-7 within a 2-step drain.
    expect(withoutSurges(points, profile, 2).map((p) => p.t)).toEqual([0, 1]);
    expect(withoutSurges(points, profile, 0).map((p) => p.t)).toEqual([0, 1, 6, 7]);
    expect(withoutSurges(points, null, 2)).toEqual(points);
  });
});

describe('the surge under way at the end of a window', () => {
  const profile = { meanPerStep: 250, highPerStep: 300 };
  const points = (trials: readonly number[], slow: (k: number) => number) =>
    trials.map((n, k) => ({ t: (k + 1) * 5000, trials: n, events: slow(k) }));

  it('counts the trailing steps the tests hold, when the last is a surge step', () => {
    // Two normal steps, then four surge steps running to the end, 20 slow requests each.
    const window = points([300, 300, 1000, 1000, 1000, 1000], (k) => (k >= 2 ? 20 : 1));
    expect(surgeAtEnd(window, profile, 2)).toEqual({ startT: 15_000, events: 80, trials: 4000 });
    // The same steps withoutSurges leaves out.
    expect(withoutSurges(window, profile, 2).map((p) => p.t)).toEqual([5000, 10_000]);
  });

  it('is null when the window ends in a drain, in normal traffic, or without a profile', () => {
    // The surge ended before the end: the trailing steps are its drain, at normal load (the
    // step after its last busy one is still a surge by the three-step sum).
    expect(
      surgeAtEnd(
        points([300, 1000, 1000, 300, 300, 300, 300], () => 5),
        profile,
        2,
      ),
    ).toBeNull();
    expect(
      surgeAtEnd(
        points([300, 300, 300], () => 5),
        profile,
        2,
      ),
    ).toBeNull();
    expect(
      surgeAtEnd(
        points([1000, 1000], () => 5),
        null,
        2,
      ),
    ).toBeNull();
    expect(surgeAtEnd([], profile, 2)).toBeNull();
  });

  it('is the tail withoutSurges leaves out whenever the last step is a surge (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 1200 }), { minLength: 1, maxLength: 30 }),
        fc.nat({ max: 6 }),
        (xs, d) => {
          const window = points(xs, (k) => k % 3);
          const found = surgeAtEnd(window, profile, d);
          const last = xs.length - 1;
          const lastIsSurge = isSurge(profile, xs.slice(0, last), xs[last] as number);
          expect(found !== null).toBe(lastIsSurge);
          if (found === null) return;
          const kept = withoutSurges(window, profile, d);
          const newestKept = kept.at(-1)?.t ?? 0;
          const held = window.filter((p) => p.t > newestKept);
          expect(found.startT).toBe(held[0]?.t);
          expect(found.trials).toBe(held.reduce((a, p) => a + p.trials, 0));
          expect(found.events).toBe(held.reduce((a, p) => a + p.events, 0));
        },
      ),
    );
  });
});

describe('latency conditioned on load', () => {
  it('allows no more slow requests at or below the baseline mean traffic', () => {
    expect(latencyLoadTolerance(0.01, 0.5, 1)).toBe(1);
    expect(latencyLoadTolerance(0.01, 0.5, 0.3)).toBe(1);
    expect(latencyLoadTolerance(0, 0.5, 3)).toBe(1);
  });

  it('allows the share that queueing at that load explains: twice the traffic, a median up to 41% slower', () => {
    // A threshold exceeded by 1% of requests is 2.326 spreads above the median; at twice the
    // load the median moves 0.5 ln 2 / 0.5 = 0.693 spreads closer: Q(1.633) / 0.01 = 5.1.
    expect(latencyLoadTolerance(0.01, 0.5, 2)).toBeCloseTo(0.05124 / 0.01, 1);
    // Capped at 1 / share (every request slow).
    expect(latencyLoadTolerance(0.2, 0.05, 100)).toBeCloseTo(5, 9);
  });

  it('is at least 1, rises with load and falls as the spread widens (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-5, max: 0.5, noNaN: true }),
        fc.double({ min: 0.05, max: 2, noNaN: true }),
        fc.double({ min: 0.1, max: 10, noNaN: true }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        (share, spread, load, more) => {
          const t = latencyLoadTolerance(share, spread, load);
          expect(t).toBeGreaterThanOrEqual(1);
          expect(t).toBeLessThanOrEqual(1 / share + 1e-9);
          expect(latencyLoadTolerance(share, spread, load + more)).toBeGreaterThanOrEqual(t - 1e-9);
          expect(latencyLoadTolerance(share, spread * 1.5, load)).toBeLessThanOrEqual(t + 1e-9);
        },
      ),
    );
  });
});

describe('the smoothed load of a step', () => {
  const profile = { meanPerStep: 100, highPerStep: 120 };

  it('is the recent traffic over the baseline mean, less two Poisson deviations', () => {
    const previous = Array(LOAD_SMOOTH_STEPS - 1).fill(300);
    const sum = 300 * LOAD_SMOOTH_STEPS;
    expect(smoothedLoad(profile, previous, 300)).toBeCloseTo(
      (sum - 2 * Math.sqrt(sum)) / LOAD_SMOOTH_STEPS / 100,
      9,
    );
    // Only the last minute counts.
    expect(smoothedLoad(profile, [1e6, ...previous], 300)).toBeCloseTo(
      smoothedLoad(profile, previous, 300) ?? 0,
      9,
    );
  });

  it('is, within the drain, the load of the minute before: the tail lags the rate', () => {
    // A minute at 400 a step, then 11 steps back at 100 and this one: the surge's minute ended
    // 12 steps before it, within a 12-step drain, and explains it.
    const surge = [...Array(12).fill(400), ...Array(11).fill(100)];
    const surgeMinute = (4800 - 2 * Math.sqrt(4800)) / 12 / 100;
    expect(smoothedLoad(profile, surge, 100, 12)).toBeCloseTo(surgeMinute, 9);
    expect(smoothedLoad(profile, surge, 100, 0) ?? 9).toBeLessThan(1);
    // Busier minutes that were no surge buy nothing: only a surge drains.
    const busy = [...Array(12).fill(140), ...Array(11).fill(100)];
    expect(smoothedLoad(profile, busy, 100, 12)).toBeCloseTo(smoothedLoad(profile, busy, 100, 0) ?? 0, 9);
  });

  it('never falls as the drain lengthens (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 2000 }), { maxLength: 30 }),
        fc.nat({ max: 2000 }),
        fc.nat({ max: 15 }),
        (xs, n, d) => {
          const shorter = smoothedLoad(profile, xs, n, d) ?? 0;
          expect(smoothedLoad(profile, xs, n, d + 1) ?? 0).toBeGreaterThanOrEqual(shorter - 1e-12);
        },
      ),
    );
  });

  it('buys no tolerance from counting noise at low traffic, and is null without a profile', () => {
    expect(smoothedLoad({ meanPerStep: 2, highPerStep: 3 }, [2, 3, 1], 2) ?? 2).toBeLessThan(1);
    expect(smoothedLoad(null, [], 100)).toBeNull();
    expect(smoothedLoad(profile, [], Number.POSITIVE_INFINITY)).toBeNull();
  });
});

describe('errors under a load surge', () => {
  it('are allowed to rise as much as the load explains, up to the rule factor', () => {
    // Twice the baseline mean: up to 41% more failures; four times: 2x, the default cap.
    expect(errorLoadTolerance(2, 2)).toBeCloseTo(Math.SQRT2, 9);
    expect(errorLoadTolerance(2, 4)).toBeCloseTo(2, 9);
    expect(errorLoadTolerance(2, 9)).toBe(2);
    expect(errorLoadTolerance(5, 9)).toBeCloseTo(3, 9);
    // At or below the baseline mean, no tolerance; a factor of 1 allows none.
    expect(errorLoadTolerance(2, 0.7)).toBe(1);
    expect(errorLoadTolerance(1, 9)).toBe(1);
  });

  it('falls back to the rule factor when the load is unknown', () => {
    expect(errorLoadTolerance(2, null)).toBe(2);
    expect(errorLoadTolerance(2, undefined)).toBe(2);
    expect(errorLoadTolerance(3, Number.NaN)).toBe(3);
  });

  it('is between 1 and the cap and never falls as load rises (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 50, noNaN: true }),
        fc.double({ min: 0, max: 50, noNaN: true }),
        (cap, load, more) => {
          const t = errorLoadTolerance(cap, load);
          expect(t).toBeGreaterThanOrEqual(1);
          expect(t).toBeLessThanOrEqual(cap);
          expect(errorLoadTolerance(cap, load + more)).toBeGreaterThanOrEqual(t);
        },
      ),
    );
  });
});
