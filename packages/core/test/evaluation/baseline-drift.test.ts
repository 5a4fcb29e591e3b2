import { describe, expect, it } from 'vitest';
import { DRIFT_EPISODE_RATIO, driftWindow } from '../../src/evaluation/baseline-drift';
import type { CountInterval, SignalBaseline } from '../../src/evaluation/watch-state';

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
