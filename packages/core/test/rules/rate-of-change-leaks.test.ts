import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultContract } from '../../src/contract/default-contract';
import {
  evaluateRateOfChange,
  FAR_KEPT_PACE_SHARE,
  FAR_SUSTAIN_SECONDS,
  MAX_SUSTAIN_SECONDS,
  MIN_STEADY_SUSTAIN_SECONDS,
  MIN_SUSTAIN_SECONDS,
} from '../../src/rules/rate-of-change';

const rule = { type: 'rate-of-change' as const, limitFromBaseline: 2, horizonSeconds: 3600, maxPValue: 1e-4 };
/** The memory window of the default contract: the rule reads what the watch would give it. */
const WINDOW = defaultContract('svc').signals.find((s) => s.id === 'memory')?.windowSeconds ?? 0;

/**
 * Memory every 5 s from 0 to `seconds` after the warm-up: a GC sawtooth (`amplitude` over
 * `period` s, starting `phase` s into a cycle) on `base`, a warm-up ramp of `ramp` bytes over
 * `rampSeconds` from 0, and a leak of `leak` B/s from `leakAt` s. `held` drops the samples in
 * [from, to) s, as a load surge's hold does.
 */
function memory(o: {
  base: number;
  amplitude?: number;
  period?: number;
  phase?: number;
  ramp?: number;
  rampSeconds?: number;
  leak?: number;
  leakAt?: number;
  held?: readonly [number, number];
  seconds: number;
}) {
  const points: { t: number; v: number }[] = [];
  const period = o.period ?? 60;
  for (let s = 0; s <= o.seconds; s += 5) {
    if (o.held && s >= o.held[0] && s < o.held[1]) continue;
    const cycle = (((s + (o.phase ?? 0)) % period) + period) % period;
    const ramped = Math.min(1, s / Math.max(5, o.rampSeconds ?? 0));
    points.push({
      t: s * 1000,
      v:
        o.base +
        ((o.amplitude ?? 0) * cycle) / period +
        (o.ramp ?? 0) * ramped +
        (o.leak ?? 0) * Math.max(0, s - (o.leakAt ?? 0)),
    });
  }
  return points;
}

/** The verdict at `end` s on the window of `windowSeconds` (the default contract's unless given). */
function judgeAt(
  points: { t: number; v: number }[],
  end: number,
  envelope: { low: number; high: number; drop: number },
  windowSeconds = WINDOW,
) {
  const start = Math.max(0, end - windowSeconds);
  return evaluateRateOfChange(rule, {
    signal: 'memory',
    points: points.filter((p) => p.t <= end * 1000 && p.t >= start * 1000),
    window: { start: start * 1000, end: end * 1000 },
    baseline: (envelope.low + envelope.high) / 2,
    envelope,
    windowSeconds,
    unit: ' B',
  });
}

/** The first end (every 5 s up to `seconds`) with two breaches in a row, as `sustain.evaluations: 2`. */
function confirmedAt(
  points: { t: number; v: number }[],
  envelope: { low: number; high: number; drop: number },
  seconds: number,
  windowSeconds = WINDOW,
): { at: number; reason: string } | null {
  let previous = false;
  for (let end = 30; end <= seconds; end += 5) {
    const v = judgeAt(points, end, envelope, windowSeconds);
    if (v.status === 'breach' && previous) return { at: end, reason: v.reason };
    previous = v.status === 'breach';
  }
  return null;
}

describe('memory trend: slow leaks on a wide sawtooth, fast leaks, and ramps that flatten', () => {
  const base = 100e6;

  it('reads the whole bake since the warm-up: the default memory window holds a 15 minute bake', () => {
    // A slow leak adds less over 300 s than a wide sawtooth's range; over the bake it does not.
    expect(WINDOW).toBeGreaterThanOrEqual(900);
  });

  it('confirms a slow leak on a wide sawtooth, whose rise over 300 s stays within the pre-deploy range', () => {
    // 12 MB of GC amplitude on a 100 MB heap (150 s cycles) and a leak of 33 kB/s (twice the
    // level in 50 min) from 60 s: 10 MB per 300 s, less than the range.
    const amplitude = 12e6;
    const envelope = { low: base, high: base + amplitude, drop: amplitude };
    const points = memory({ base, amplitude, period: 150, leak: 33e3, leakAt: 60, seconds: 900 });
    // Judged on a 300 s window the rise never leaves the range within the bake.
    expect(confirmedAt(points, envelope, 900, 300)).toBeNull();
    const found = confirmedAt(points, envelope, 900);
    expect(found, 'not confirmed in the bake').not.toBeNull();
    // What grew, since when, against what: the pre-deploy range and the floors.
    expect(found?.reason).toMatch(/^growing 3\d{4} B\/s (since|over all) \d+ s/);
    expect(found?.reason).toContain('above the pre-deploy high 1.120e+8');
    expect(found?.reason).toMatch(/against a pre-deploy range of 1\.200e\+7/);
    // The limit is further away than the growth was watched: the far watch, whatever the share,
    // shortened to its kept-pace part (450 of 540 s), since a leak's newest third grows as fast
    // as the time before it.
    const needed = Number(/of the (\d+) s it must hold/.exec(found?.reason ?? '')?.[1]);
    expect(needed).toBe(FAR_KEPT_PACE_SHARE * FAR_SUSTAIN_SECONDS);
    expect(needed).toBeGreaterThan(MAX_SUSTAIN_SECONDS);
    expect(found?.reason).toMatch(
      new RegExp(
        `\\(the limit further away than the growth was watched: at least ${FAR_KEPT_PACE_SHARE * FAR_SUSTAIN_SECONDS} s, its pace kept: the newest third of it still \\d+ B/s against \\d+ B/s before it, not a fill that flattens\\)$`,
      ),
    );
  });

  it('confirms a steady leak that reaches the limit within minutes after the shorter watch, and says why', () => {
    // Twice the level in 4 minutes (417 kB/s), from 30 s, on a small sawtooth: the limit is
    // nearer than the growth has been watched by 120 s.
    const amplitude = 2e6;
    const envelope = { low: base, high: base + amplitude, drop: amplitude };
    const points = memory({ base, amplitude, period: 20, leak: 417e3, leakAt: 30, seconds: 900 });
    const found = confirmedAt(points, envelope, 900);
    expect(found, 'not confirmed').not.toBeNull();
    // Sooner than the 180 s a warm-up ramp needs, no sooner than the steady minimum.
    expect((found?.at ?? 0) - 30).toBeLessThan(MIN_SUSTAIN_SECONDS);
    expect((found?.at ?? 0) - 30).toBeGreaterThanOrEqual(MIN_STEADY_SUSTAIN_SECONDS);
    expect(found?.reason).toMatch(
      new RegExp(
        `of the ${MIN_STEADY_SUSTAIN_SECONDS} s it must hold \\(steady: the newest third still 4\\d{5} B/s`,
      ),
    );
    expect(found?.reason).toContain('and the limit within 600 s)');
  });

  it('waits while the limit is further away than the growth was watched: a leak doubling in 6 minutes is confirmed at half the way', () => {
    // Twice the level in 6 minutes (278 kB/s), from 30 s: the limit is 360 s of growth away.
    const amplitude = 2e6;
    const envelope = { low: base, high: base + amplitude, drop: amplitude };
    const points = memory({ base, amplitude, period: 20, leak: 278e3, leakAt: 30, seconds: 900 });
    const found = confirmedAt(points, envelope, 900);
    expect(found, 'not confirmed').not.toBeNull();
    const watched = (found?.at ?? 0) - 30;
    // Not before the projected limit is as near as the growth has been watched (about half the
    // way), and with at least 40% of the way to the limit left.
    expect(watched).toBeGreaterThanOrEqual(170);
    expect(watched).toBeLessThanOrEqual(220);
    const left = 1 - (278e3 * watched) / base;
    expect(left).toBeGreaterThan(0.4);
  });

  it('confirms a leak across a gap of samples held out under a load surge (floor rises per second)', () => {
    // A leak of 300 kB/s from 0 on a 300 MB heap; the samples of 60-330 s were held out: the part
    // across the gap spans more time, so its floor rises more than the others'.
    const heap = 300e6;
    const envelope = { low: heap, high: heap + 5e6, drop: 0.5e6 };
    const points = memory({ base: heap, leak: 300e3, held: [60, 330], seconds: 900 });
    const found = confirmedAt(points, envelope, 900);
    expect(found, 'not confirmed').not.toBeNull();
    expect(found?.at).toBeLessThanOrEqual(560);
  });

  it('property: a warm-up ramp of 3-15% over 20-90 s that then stays flat is never confirmed, with or without a GC sawtooth', () => {
    // A young process sizing its heap right after the deploy: it grows as fast as a leak while it
    // ramps, then decelerates. 300 seeded draws, each judged every 5 s for 15 minutes.
    const draws = fc.sample(
      fc.tuple(
        fc.double({ min: 0.03, max: 0.15, noNaN: true }),
        fc.integer({ min: 20, max: 90 }),
        fc.boolean(),
        fc.double({ min: 10, max: 30, noNaN: true }),
        fc.double({ min: 0.005, max: 0.05, noNaN: true }),
        fc.double({ min: 0, max: 30, noNaN: true }),
      ),
      { numRuns: 300, seed: 20261206 },
    );
    const confirmed: string[] = [];
    for (const [height, rampSeconds, gc, period, share, phase] of draws) {
      const amplitude = gc ? base * share : 0.2e6;
      const envelope = { low: base, high: base + amplitude, drop: amplitude };
      const points = memory({
        base,
        amplitude,
        period: gc ? period : 10,
        phase,
        ramp: base * height,
        rampSeconds,
        seconds: 900,
      });
      const found = confirmedAt(points, envelope, 900);
      if (found) {
        confirmed.push(
          `${JSON.stringify({ height, rampSeconds, gc, period, share, phase })} at ${found.at} s`,
        );
      }
    }
    expect(confirmed, confirmed.join('\n')).toEqual([]);
  });

  it('property: a GC sawtooth of any period (10-300 s), amplitude and phase is never a breach over the whole bake', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 10, max: 300, noNaN: true }),
        fc.double({ min: 0.005, max: 0.12, noNaN: true }),
        fc.double({ min: 0, max: 300, noNaN: true }),
        (period, share, phase) => {
          const amplitude = base * share;
          const envelope = { low: base, high: base + amplitude, drop: amplitude };
          const points = memory({ base, amplitude, period, phase, seconds: 900 });
          for (let end = 30; end <= 900; end += 15) {
            expect(judgeAt(points, end, envelope).status).not.toBe('breach');
          }
        },
      ),
      { numRuns: 150, seed: 20261206 },
    );
  });
});
