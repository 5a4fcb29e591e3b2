import { describe, expect, it } from 'vitest';
import { baselineDrift, DRIFT_EPISODE_RATIO, driftLevel, driftWindow } from '../../src/evaluation/baseline-drift';
import type { CountInterval, SignalBaseline } from '../../src/evaluation/watch-state';
import { BASELINE_PRIOR_EVENTS, driftedCounts } from '../../src/rules/sequential-count';
import { MIN_DRIFT_EVENTS } from '../../src/stats/drift';

/** 360 steps of 1000 requests; `clean` is the part outside the episode (steps 0-119). */
const intervals: CountInterval[] = Array.from({ length: 360 }, (_, i) => ({ t: i, events: 5, trials: 1000 }));
const clean = intervals.filter((i) => i.t >= 120);

function health(ratio: number, ongoing = false): SignalBaseline['health'] {
  return {
    status: 'unhealthy',
    reason: 'baseline unhealthy',
    episode: {
      startT: -1,
      endT: 119,
      ongoing,
      events: 120 * 5 * ratio,
      trials: 120_000,
      rate: 0.005 * ratio,
      outsideRate: 0.005,
    },
  };
}

describe('driftWindow (docs/statistics.md, "Drifting baselines")', () => {
  it('measures the drift on the whole window when the stretch is over and at most 3x the rest', () => {
    expect(DRIFT_EPISODE_RATIO).toBe(3);
    expect(driftWindow(intervals, clean, health(2.5))).toBe(intervals);
    expect(driftWindow(intervals, clean, health(3))).toBe(intervals);
  });

  it('leaves a step of 4x or more out (a previous bad release), and any stretch still on at the deploy', () => {
    expect(driftWindow(intervals, clean, health(4))).toBe(clean);
    expect(driftWindow(intervals, clean, health(2.5, true))).toBe(clean);
  });

  it('is the healthy part without an episode', () => {
    expect(driftWindow(intervals, intervals, { status: 'healthy', reason: 'no elevated stretch' })).toBe(
      intervals,
    );
    expect(driftWindow(intervals, clean, undefined)).toBe(clean);
  });
});

describe("a drift's high is part of the level (docs/statistics.md, \"A drift's high is part of the level\")", () => {
  // 360 steps of 1000 requests at 0.5%, a 5-min block in six at 2.5x from a 40 min cycle's high
  // (steps 0-119 at 1.25%), so the whole window drifts beyond binomial noise.
  const drifting: CountInterval[] = Array.from({ length: 360 }, (_, i) => ({
    t: i * 5000,
    events: i < 120 ? 12 + (i % 2) : 5,
    trials: 1000,
  }));
  const rest = drifting.filter((i) => i.t >= 120 * 5000);

  it('keeps the whole window as the level when the drift was measured on it, the stretch included', () => {
    const d = baselineDrift(drifting, 5000, 1, drifting, rest).drift;
    expect(d?.spread).toBeGreaterThan(0);
    expect(d?.level).toEqual({ events: 120 * 12.5 + 240 * 5, trials: 360_000 });
  });

  it('has no level of its own when the drift was measured on the healthy part only', () => {
    const d = baselineDrift(drifting, 5000, 1, drifting, drifting).drift;
    expect(d?.spread).toBeGreaterThan(0);
    expect(d?.level).toBeUndefined();
    expect(baselineDrift(drifting, 5000, 1).drift?.level).toBeUndefined();
  });

  it('counts only steps with requests, their events at most their requests', () => {
    expect(
      driftLevel([
        { t: 0, events: 3, trials: 100 },
        { t: 1, events: 2, trials: 0 },
        { t: 2, events: 500, trials: 200 },
        { t: 3, events: -1, trials: 50 },
      ]),
    ).toEqual({ events: 203, trials: 350 });
  });

  it("is the centre the test weighs: the level's rate, fewer requests as the spread says", () => {
    const level = { events: 2700, trials: 360_000 };
    const judged = driftedCounts(1200, 240_000, { spread: 0.4, level }, 1);
    const plain = driftedCounts(1200, 240_000, { spread: 0.4 }, 1);
    // The rate is the whole window's (prior included), not the rest's.
    expect(judged.baselineEvents / judged.baselineTrials).toBeCloseTo(
      (2700 + BASELINE_PRIOR_EVENTS) / 360_000,
      12,
    );
    expect(plain.baselineEvents / plain.baselineTrials).toBeCloseTo((1200 + BASELINE_PRIOR_EVENTS) / 240_000, 12);
    // At a 40% spread both are weighed down to the floor of MIN_DRIFT_EVENTS events.
    expect(judged.baselineEvents).toBeCloseTo(MIN_DRIFT_EVENTS, 9);
    expect(plain.baselineEvents).toBeCloseTo(MIN_DRIFT_EVENTS, 9);
    // Without a drift the level is never read.
    expect(driftedCounts(1200, 240_000, undefined, 1)).toEqual({
      baselineEvents: 1200 + BASELINE_PRIOR_EVENTS,
      baselineTrials: 240_000,
    });
  });
});
