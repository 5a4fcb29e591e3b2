import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RollgateError } from '../../src/errors/rollgate-error';
import { estimateDispersion, estimateLocalDispersion } from '../../src/stats/dispersion';
import { findElevatedEpisode, findElevatedTail, findRecentEnd } from '../../src/stats/episode';
import { binomial, poisson, seededRandom } from '../../src/testing/seeded-random';

/** A 30 minute window of 5 s steps at `rps`, rate `p`, `p1` on steps [from, to). */
function window(seed: number, rps: number, p: number, elevated?: { from: number; to: number; p1: number }) {
  const random = seededRandom(seed);
  return Array.from({ length: 360 }, (_, i) => {
    const trials = poisson(random, rps * 5);
    const rate = elevated && i >= elevated.from && i < elevated.to ? elevated.p1 : p;
    return { t: (i + 1) * 5000, events: binomial(random, trials, rate), trials };
  });
}

describe('the baseline health check: an elevated episode in the pre-deploy window', () => {
  it('finds an incident still going at the end of the window, with its times and rates', () => {
    const points = window(1, 10, 0.005, { from: 300, to: 360, p1: 0.05 });
    const episode = findElevatedEpisode(points);
    expect(episode).not.toBeNull();
    expect(episode?.ongoing).toBe(true);
    expect(episode?.endT).toBe(360 * 5000);
    // Within a few steps of the true start (step 300 ends at 301 * 5 s).
    expect(Math.abs((episode?.startT ?? 0) - 301 * 5000)).toBeLessThanOrEqual(5 * 5000);
    const inside = (episode?.inside.events ?? 0) / (episode?.inside.trials ?? 1);
    const outside = (episode?.outside.events ?? 0) / (episode?.outside.trials ?? 1);
    expect(inside).toBeGreaterThan(0.03);
    expect(outside).toBeLessThan(0.01);
    expect(episode?.pValue).toBeLessThanOrEqual(0.001);
  });

  it('finds a previous bad release that ended before the end of the window', () => {
    const episode = findElevatedEpisode(window(2, 20, 0.005, { from: 120, to: 200, p1: 0.04 }));
    expect(episode?.ongoing).toBe(false);
    expect(Math.abs((episode?.startT ?? 0) - 121 * 5000)).toBeLessThanOrEqual(5 * 5000);
    expect(Math.abs((episode?.endT ?? 0) - 200 * 5000)).toBeLessThanOrEqual(5 * 5000);
  });

  it('sees an incident at 0.2 req/s when it is large (2% -> 35%)', () => {
    expect(findElevatedEpisode(window(3, 0.2, 0.02, { from: 280, to: 360, p1: 0.35 }))?.ongoing).toBe(true);
  });

  it('sees a small incident still going at the deploy at 0.7 req/s (0.2% -> 3%) through the scan of stretches that run to the end', () => {
    // About 6 errors in the last 6 minutes against 3 in the 24 before: the scan of every stretch
    // pays for ~57,000 of them and misses it; the stretches running to the end are ~260.
    let seen = 0;
    let seenOngoing = 0;
    const runs = 40;
    for (let seed = 0; seed < runs; seed++) {
      const episode = findElevatedEpisode(window(500 + seed, 0.7, 0.002, { from: 288, to: 360, p1: 0.03 }));
      if (episode) seen++;
      if (episode?.ongoing) seenOngoing++;
    }
    expect(seen).toBeGreaterThanOrEqual(runs / 4);
    expect(seenOngoing).toBe(seen);
  });

  it('a stretch ending before the window does is judged by the scan of every stretch (half of alpha)', () => {
    const episode = findElevatedEpisode(window(2, 20, 0.005, { from: 120, to: 200, p1: 0.04 }));
    expect(episode?.ongoing).toBe(false);
    expect(episode?.pValue).toBeLessThanOrEqual(0.001);
  });

  it('property: on healthy windows at any traffic neither scan fires more than alpha allows', () => {
    let flagged = 0;
    let runs = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.constantFrom(0.2, 0.7, 3, 30),
        fc.constantFrom(0.002, 0.01, 0.05),
        (seed, rps, p) => {
          runs++;
          const episode = findElevatedEpisode(window(seed, rps, p), { alpha: 0.02 });
          if (episode !== null) {
            flagged++;
            expect(episode.pValue).toBeLessThanOrEqual(0.02);
          }
        },
      ),
      { numRuns: 150, seed: 12 },
    );
    // alpha = 0.02 over 150 windows: 3 would be alpha; the scans are conservative.
    expect(flagged).toBeLessThanOrEqual(4);
    expect(runs).toBe(150);
  });

  it('calls a healthy window unhealthy at most about alpha of the time', () => {
    let flagged = 0;
    const runs = 300;
    for (let seed = 0; seed < runs; seed++) {
      const rps = [1, 10, 100][seed % 3] as number;
      const p = [0.001, 0.005, 0.02][Math.floor(seed / 3) % 3] as number;
      if (findElevatedEpisode(window(1000 + seed, rps, p), { alpha: 0.01 }) !== null) flagged++;
    }
    // alpha = 0.01 over 300 windows: the Bonferroni scan is conservative; 3 would be alpha.
    expect(flagged).toBeLessThanOrEqual(3);
  });

  it('discounts step-to-step bursts through the dispersion, but not a sustained shift', () => {
    const random = seededRandom(9);
    // Bursty errors: the step's rate varies log-normally (sigma 1) around 0.5%.
    const bursty = Array.from({ length: 360 }, (_, i) => {
      const trials = poisson(random, 250);
      const rate =
        0.005 * Math.exp(Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()) - 0.5);
      return { t: (i + 1) * 5000, events: binomial(random, trials, Math.min(1, rate)), trials };
    });
    const local = estimateLocalDispersion(bursty);
    expect(local).toBeGreaterThan(1.5);
    expect(findElevatedEpisode(bursty, { dispersion: local })).toBeNull();
    // A level shift barely moves the local estimate, while the global one is inflated by it.
    const shifted = window(10, 20, 0.005, { from: 240, to: 360, p1: 0.03 });
    expect(estimateLocalDispersion(shifted)).toBeLessThan(1.5);
    expect(estimateDispersion(shifted)).toBeGreaterThan(2);
  });

  it('needs a minute and leaves a quarter of the window outside by default', () => {
    // A strong 30 s spike is reported as the minute around it (no episode is shorter), and as
    // over; a window elevated throughout has no healthy part to compare with.
    const spike = findElevatedEpisode(window(4, 10, 0.005, { from: 200, to: 206, p1: 0.3 }));
    expect(spike).not.toBeNull();
    expect((spike?.endT ?? 0) - (spike?.startT ?? 0)).toBeGreaterThanOrEqual(11 * 5000);
    expect(spike?.ongoing).toBe(false);
    expect(spike?.startT ?? 0).toBeLessThanOrEqual(201 * 5000);
    expect(spike?.endT ?? 0).toBeGreaterThanOrEqual(206 * 5000);
    expect(findElevatedEpisode(window(5, 10, 0.05))).toBeNull();
  });

  it('reports nothing for empty, eventless or unusable input', () => {
    expect(findElevatedEpisode([])).toBeNull();
    expect(findElevatedEpisode(window(6, 10, 0))).toBeNull();
    expect(
      findElevatedEpisode([
        { t: 1, events: Number.NaN, trials: 10 },
        { t: 2, events: 1, trials: -1 },
      ]),
    ).toBeNull();
  });

  it('is a pure function of the counts: order and JSON round trips do not matter', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), (seed) => {
        const points = window(seed, 5, 0.01, { from: 250, to: 330, p1: 0.08 });
        const a = findElevatedEpisode(points);
        const b = findElevatedEpisode(JSON.parse(JSON.stringify([...points].reverse())));
        expect(b).toEqual(a);
      }),
      { numRuns: 20 },
    );
  });

  it('rejects bad options with CONFIG_INVALID naming the option', () => {
    expect(() => findElevatedEpisode([], { alpha: 2 })).toThrow(RollgateError);
    try {
      findElevatedEpisode([], { dispersion: 0.5 });
      expect.unreachable();
    } catch (error) {
      expect((error as RollgateError).code).toBe('CONFIG_INVALID');
      expect(String((error as RollgateError).details?.path)).toContain('dispersion');
    }
  });
});

describe("the tail look: the window's last minutes, where an incident under way at the deploy shows", () => {
  const SPANS = [120_000, 240_000, 480_000]; // 2, 4 and 8 minutes

  it('sees a small incident of the last 4 minutes at 1 req/s that the scan misses, with its counts', () => {
    // 0.3% -> 3% over the last 48 steps: ~7 failures against ~5 in the 26 minutes before.
    let tails = 0;
    let episodes = 0;
    const runs = 60;
    for (let seed = 0; seed < runs; seed++) {
      const points = window(900 + seed, 1, 0.003, { from: 312, to: 360, p1: 0.03 });
      if (findElevatedEpisode(points, { alpha: 0.001 })) episodes++;
      const tail = findElevatedTail(points, { alpha: 0.01, spans: SPANS, minRatio: 3 });
      if (tail === null) continue;
      tails++;
      // Its last usable step (steps without requests are dropped), and one of the fixed spans.
      expect(tail.endT).toBe(points.filter((p) => p.trials > 0).at(-1)?.t);
      const span = tail.endT - tail.startT;
      expect(SPANS.some((s) => span < s && span >= s - 15_000)).toBe(true);
      const inside = tail.inside.events / tail.inside.trials;
      const outside = tail.outside.events / tail.outside.trials;
      expect(inside).toBeGreaterThanOrEqual(3 * outside);
      expect(tail.inside.events + tail.outside.events).toBe(points.reduce((s, p) => s + p.events, 0));
      expect(tail.pValue).toBeLessThanOrEqual(0.01);
    }
    expect(tails).toBeGreaterThan(episodes);
    expect(tails).toBeGreaterThanOrEqual(runs / 2);
  });

  it('flags a healthy window at most alpha of the time (seeded, 0.5-20 req/s)', () => {
    let flagged = 0;
    const runs = 600;
    for (let seed = 0; seed < runs; seed++) {
      const rps = [0.5, 1, 3, 20][seed % 4] as number;
      const points = window(5000 + seed, rps, 0.004);
      if (findElevatedTail(points, { alpha: 0.01, spans: SPANS })) flagged++;
    }
    // Expected at most 6 at alpha 0.01 (discrete counts make the exact test conservative).
    expect(flagged).toBeLessThanOrEqual(8);
  });

  it('property: its p-value never falls when the last stretch loses events, and alpha bounds what it reports', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1, max: 6 }), (seed, extra) => {
        const points = window(seed, 1, 0.005);
        const more = points.map((p, i) =>
          i >= 336 ? { ...p, events: Math.min(p.trials, p.events + (i % 24 < extra ? 1 : 0)) } : p,
        );
        const loose = { alpha: 0.999, spans: SPANS };
        const p0 = findElevatedTail(points, loose)?.pValue ?? 1;
        const p1 = findElevatedTail(more, loose)?.pValue ?? 1;
        expect(p1).toBeLessThanOrEqual(p0 + 1e-12);
        const strict = findElevatedTail(more, { alpha: 0.01, spans: SPANS });
        expect(strict === null || strict.pValue <= 0.01).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('needs the stretch minRatio times the rest, at most half the window, and events', () => {
    const points = window(7, 5, 0.01, { from: 336, to: 360, p1: 0.025 });
    expect(findElevatedTail(points, { alpha: 0.5, spans: [120_000], minRatio: 10 })).toBeNull();
    expect(findElevatedTail(points.slice(0, 40), { alpha: 0.5, spans: [120_000] })).toBeNull();
    expect(findElevatedTail(window(8, 5, 0), { alpha: 0.5, spans: SPANS })).toBeNull();
    expect(findElevatedTail([], { alpha: 0.5, spans: SPANS })).toBeNull();
    expect(() => findElevatedTail(points, { alpha: 0, spans: SPANS })).toThrow(RollgateError);
    expect(() => findElevatedTail(points, { alpha: 0.1, spans: SPANS, minRatio: 0.5 })).toThrow(
      RollgateError,
    );
  });
});

describe('where an episode running to the end of the window stopped', () => {
  /** The episode the scan finds and where it ended, with the rest of the window's rate. */
  function endOf(points: ReturnType<typeof window>) {
    const episode = findElevatedEpisode(points);
    if (!episode) throw new Error('no episode found');
    const outsideRate = episode.outside.events / episode.outside.trials;
    return findRecentEnd(points, episode.startT, outsideRate, { level: 0.001, minSteps: 3, maxSteps: 12 });
  }

  it('finds a downstream failure that came back 20 s before the end (1% -> 17% for 80 s)', () => {
    const end = endOf(window(11, 100, 0.01, { from: 340, to: 356, p1: 0.17 }));
    expect(end?.endT).toBe(356 * 5000);
    expect(end?.pValue).toBeLessThan(1e-6);
  });

  it('finds it at 2 req/s when the quiet stretch is 30 s (0.5% -> 6%)', () => {
    let found = 0;
    for (let seed = 0; seed < 40; seed++) {
      const end = endOf(window(900 + seed, 2, 0.005, { from: 330, to: 354, p1: 0.3 }));
      if (end !== null) {
        found++;
        expect(end.endT).toBeLessThanOrEqual(356 * 5000);
      }
    }
    expect(found).toBeGreaterThanOrEqual(30);
  });

  it('leaves an incident going to the end alone', () => {
    expect(endOf(window(12, 100, 0.01, { from: 300, to: 360, p1: 0.05 }))).toBeNull();
  });

  it('leaves an incident fading but still above the rest of the window alone', () => {
    // 10% from step 300, 3% (3x the rest) in the last 6 steps: lower, but not over.
    const random = seededRandom(13);
    const points = Array.from({ length: 360 }, (_, i) => {
      const trials = poisson(random, 500);
      const rate = i < 300 ? 0.01 : i < 354 ? 0.1 : 0.03;
      return { t: (i + 1) * 5000, events: binomial(random, trials, rate), trials };
    });
    expect(endOf(points)).toBeNull();
  });

  it('calls an episode at one rate to the end over at most about its level of the time', () => {
    // The episode's own counts at one rate from its start: any end found is a false one.
    let falseEnds = 0;
    const runs = 400;
    for (let seed = 0; seed < runs; seed++) {
      const random = seededRandom(3000 + seed);
      const rps = [0.5, 5, 50][seed % 3] as number;
      const points = Array.from({ length: 60 }, (_, i) => {
        const trials = poisson(random, rps * 5);
        return { t: (i + 1) * 5000, events: binomial(random, trials, 0.05), trials };
      });
      if (findRecentEnd(points, 5000, 0.05, { level: 0.001, maxSteps: 12 }) !== null) falseEnds++;
    }
    // Level 0.001: 0.4 expected in 400; 2 allows for chance.
    expect(falseEnds).toBeLessThanOrEqual(2);
  });

  it('rejects bad options with CONFIG_INVALID naming the option', () => {
    expect(() => findRecentEnd([], 0, 0, { level: 2, maxSteps: 12 })).toThrowError(/level/);
    expect(() => findRecentEnd([], 0, 0, { maxSteps: 12, dispersion: 0.5 })).toThrowError(/dispersion/);
  });
});
