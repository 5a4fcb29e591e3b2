import { describe, expect, it } from 'vitest';
import { checkBaselineHealth } from '../../src/evaluation/baseline-snapshot';

const STEP = 5000;

/** 360 steps of `n` requests: `base` events per step, `inc` from step `from` on, except `quiet`. */
function window(o: {
  n: number;
  base: (i: number) => number;
  inc: number;
  from: number;
  to?: number;
  quiet?: number;
}) {
  return Array.from({ length: 360 }, (_, i) => {
    const inside = i >= o.from && i < (o.to ?? 360) && i < 360 - (o.quiet ?? 0);
    return { t: (i + 1) * STEP, trials: o.n, events: inside ? o.inc : o.base(i) };
  });
}

describe('the baseline health check', () => {
  const base = (i: number) => (i % 50 === 0 ? 1 : 0);

  it('calls a healthy window healthy and judges on all of it', () => {
    const intervals = window({ n: 100, base, inc: 0, from: 400 });
    const r = checkBaselineHealth(intervals, STEP, 'failed');
    expect(r.health.status).toBe('healthy');
    expect(r.clean).toHaveLength(360);
  });

  it('finds an incident still going at the deploy and judges on the part before it', () => {
    const r = checkBaselineHealth(window({ n: 100, base, inc: 3, from: 300 }), STEP, 'failed');
    expect(r.health.status).toBe('unhealthy');
    expect(r.health.episode?.ongoing).toBe(true);
    expect(r.health.reason).toMatch(
      /^baseline unhealthy: .* failed since 5 min before the deploy, still at the deploy/,
    );
    expect(r.clean.every((i) => i.t <= 301 * STEP)).toBe(true);
  });

  it('does not take a few quiet steps right before the deploy for a recovery', () => {
    // The incident runs to the deploy, but its last 3 steps happen to be quiet: less than a
    // minute after the stretch the scan chose, so it is still ongoing.
    const r = checkBaselineHealth(window({ n: 100, base, inc: 3, from: 300, quiet: 3 }), STEP, 'failed');
    expect(r.health.episode?.ongoing).toBe(true);
  });

  it('calls an episode over when a minute or more after it is back to normal', () => {
    const r = checkBaselineHealth(window({ n: 100, base, inc: 3, from: 120, to: 200 }), STEP, 'failed');
    expect(r.health.status).toBe('unhealthy');
    expect(r.health.episode?.ongoing).toBe(false);
    expect(r.health.reason).toMatch(/failed from \d+(\.\d)? min to \d+(\.\d)? min before the deploy/);
    // Judged on both sides of the episode.
    expect(r.clean.some((i) => i.t > 200 * STEP)).toBe(true);
    expect(r.clean.some((i) => i.t < 120 * STEP)).toBe(true);
  });

  it('calls an episode over that ended 20 s before the deploy, where the quiet steps are overwhelming', () => {
    // 10% for 80 s, then 4 steps back at the window's rate: 200 failures expected at the
    // episode's rate in those steps, none seen.
    const r = checkBaselineHealth(
      window({ n: 500, base: (i) => (i % 10 === 0 ? 5 : 0), inc: 50, from: 340, to: 356 }),
      STEP,
      'failed',
    );
    expect(r.health.status).toBe('unhealthy');
    expect(r.health.episode?.ongoing).toBe(false);
    expect(r.health.episode?.endT).toBe(356 * STEP);
    expect(r.health.episode?.events).toBe(16 * 50);
    expect(r.health.reason).toMatch(/failed from 1\.7 min to 0\.3 min before the deploy \(10% against/);
    // The quiet steps are judged with the rest of the window.
    expect(r.clean.filter((i) => i.t > 356 * STEP)).toHaveLength(4);
  });
});
