import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultContract } from '../../src/contract/default-contract';
import {
  evaluateRateOfChange,
  FAR_KEPT_PACE_SHARE,
  FAR_SUSTAIN_SECONDS,
} from '../../src/rules/rate-of-change';

const rule = { type: 'rate-of-change' as const, limitFromBaseline: 2, horizonSeconds: 3600, maxPValue: 1e-4 };
/** The memory window of the default contract: the rule reads what the watch would give it. */
const WINDOW = defaultContract('svc').signals.find((s) => s.id === 'memory')?.windowSeconds ?? 0;
const base = 200e6;

/**
 * Memory every 5 s from 0 to `seconds` after the warm-up: a GC sawtooth (`amplitude` over
 * `period` s) on `base`, a cache filling `fill` bytes linearly over `fillSeconds` from `fillAt` s
 * (then flat), a leak of `leak` B/s from `leakAt` s, and `after(s)` bytes added at s (what a surge
 * left). `held` drops the samples in [from, to) s, as a load surge's hold does.
 */
function memory(o: {
  amplitude?: number;
  period?: number;
  phase?: number;
  fill?: number;
  fillAt?: number;
  fillSeconds?: number;
  leak?: number;
  leakAt?: number;
  after?: (s: number) => number;
  held?: readonly [number, number];
  seconds: number;
}) {
  const points: { t: number; v: number }[] = [];
  const period = o.period ?? 60;
  for (let s = 0; s <= o.seconds; s += 5) {
    if (o.held && s >= o.held[0] && s < o.held[1]) continue;
    const cycle = (((s + (o.phase ?? 0)) % period) + period) % period;
    const filled = Math.min(1, Math.max(0, s - (o.fillAt ?? 0)) / Math.max(5, o.fillSeconds ?? 0));
    points.push({
      t: s * 1000,
      v:
        base +
        ((o.amplitude ?? 0) * cycle) / period +
        (o.fill ?? 0) * filled +
        (o.leak ?? 0) * Math.max(0, s - (o.leakAt ?? 0)) +
        (o.after?.(s) ?? 0),
    });
  }
  return points;
}

/** The verdict at `end` s on the default memory window (under `judged`, the default rule unless given). */
function judgeAt(
  points: { t: number; v: number }[],
  end: number,
  envelope: { low: number; high: number; drop: number },
  surgeHeld = false,
  judged: Parameters<typeof evaluateRateOfChange>[0] = rule,
) {
  const start = Math.max(0, end - WINDOW);
  return evaluateRateOfChange(judged, {
    signal: 'memory',
    points: points.filter((p) => p.t <= end * 1000 && p.t >= start * 1000),
    window: { start: start * 1000, end: end * 1000 },
    baseline: base,
    envelope,
    windowSeconds: WINDOW,
    unit: ' B',
    ...(surgeHeld ? { surgeHeld: true } : {}),
  });
}

/** The first end (every 5 s up to `seconds`) with two breaches in a row, as `sustain.evaluations: 2`. */
function confirmedAt(
  points: { t: number; v: number }[],
  envelope: { low: number; high: number; drop: number },
  seconds: number,
  surgeHeld?: (end: number) => boolean,
  judged: Parameters<typeof evaluateRateOfChange>[0] = rule,
): { at: number; reason: string } | null {
  let previous = false;
  for (let end = 30; end <= seconds; end += 5) {
    const v = judgeAt(points, end, envelope, surgeHeld?.(end) ?? false, judged);
    if (v.status === 'breach' && previous) return { at: end, reason: v.reason };
    previous = v.status === 'breach';
  }
  return null;
}

describe('memory trend: a cache that fills is not a leak while the limit is far', () => {
  it('property: a cache filling 10-40% over 2-6 min, then flat, is confirmed in at most 1% of draws over a 15 minute bake, on a GC sawtooth or not', () => {
    // 200 seeded draws (fixed seed: the same draws every run, so the count cannot flake), each
    // judged every 5 s. The draws crowd the bounds; the two confirmed are the corner of a fill of
    // 40% lasting 6 minutes, which reaches the limit's projected pace just as it flattens (the
    // `cache-fill-keep` family: 0 of 40 on DEV). Main confirmed most of them.
    const draws = fc.sample(
      fc.tuple(
        fc.double({ min: 0.1, max: 0.4, noNaN: true }),
        fc.integer({ min: 120, max: 360 }),
        fc.integer({ min: 0, max: 120 }),
        fc.boolean(),
        fc.double({ min: 10, max: 60, noNaN: true }),
        fc.double({ min: 0.005, max: 0.03, noNaN: true }),
        fc.double({ min: 0, max: 60, noNaN: true }),
      ),
      { numRuns: 200, seed: 20261207 },
    );
    const confirmed: string[] = [];
    for (const [share, fillSeconds, fillAt, gc, period, amplitudeShare, phase] of draws) {
      const amplitude = gc ? base * amplitudeShare : 0.2e6;
      const envelope = { low: base, high: base + amplitude, drop: amplitude };
      const points = memory({
        amplitude,
        period: gc ? period : 10,
        phase,
        fill: base * share,
        fillAt,
        fillSeconds,
        seconds: 900,
      });
      const found = confirmedAt(points, envelope, 900);
      if (found)
        confirmed.push(
          `${JSON.stringify({ share, fillSeconds, fillAt, gc, period, amplitudeShare })} at ${found.at} s`,
        );
    }
    expect(confirmed.length, confirmed.join('\n')).toBeLessThanOrEqual(2);
    for (const c of confirmed) expect(c).toMatch(/"share":0\.3[5-9]\d*.*"fillSeconds":3[3-6]\d/);
  });

  it('holds a fill while it ramps (the limit further away than it was watched), and never confirms it', () => {
    // 30% over 300 s from 0: as fast as a leak doubling the level in 17 minutes while it ramps.
    const amplitude = 1e6;
    const envelope = { low: base, high: base + amplitude, drop: amplitude };
    const points = memory({ amplitude, period: 20, fill: 0.3 * base, fillSeconds: 300, seconds: 900 });
    const v = judgeAt(points, 300, envelope);
    expect(v.status).toBe('no-data');
    expect(v.reason).toMatch(
      new RegExp(
        `growth seen for 300 s of the ${FAR_SUSTAIN_SECONDS} s it must hold \\(the limit further away than the growth was watched`,
      ),
    );
    expect(confirmedAt(points, envelope, 900)).toBeNull();
  });

  it('still confirms a leak that follows the fill, and says the first rise was the fastest', () => {
    // 30% over 120 s, and a leak doubling the level in 50 minutes from 60 s, on a small sawtooth.
    const amplitude = 1e6;
    const envelope = { low: base, high: base + amplitude, drop: amplitude };
    const points = memory({
      amplitude,
      period: 20,
      fill: 0.3 * base,
      fillSeconds: 120,
      leak: base / 3000,
      leakAt: 60,
      seconds: 900,
    });
    const found = confirmedAt(points, envelope, 900);
    expect(found, 'not confirmed').not.toBeNull();
    expect(found?.at).toBeGreaterThanOrEqual(FAR_SUSTAIN_SECONDS);
    expect(found?.reason).toContain('(the first rise the fastest: a fill or a step, then growth)');
  });

  it('farSustainSeconds sets the far watch: 0 confirms a far leak as soon as sustainShare allows, 300 in between', () => {
    // A leak doubling the level in 50 minutes from the deploy, on a small sawtooth: far from the limit.
    const amplitude = 1e6;
    const envelope = { low: base, high: base + amplitude, drop: amplitude };
    const points = memory({ amplitude, period: 20, leak: base / 3000, seconds: 900 });
    const at = (farSustainSeconds?: number) =>
      confirmedAt(points, envelope, 900, undefined, {
        ...rule,
        ...(farSustainSeconds === undefined ? {} : { farSustainSeconds }),
      })?.at ?? null;
    const byDefault = at();
    const off = at(0);
    const mid = at(300);
    // A leak keeps its pace: the far watch's kept-pace part (5/6 of it) confirms it.
    expect(byDefault).toBeGreaterThanOrEqual(FAR_KEPT_PACE_SHARE * FAR_SUSTAIN_SECONDS);
    expect(byDefault ?? 0).toBeLessThan(FAR_SUSTAIN_SECONDS);
    expect(off).not.toBeNull();
    expect(mid).not.toBeNull();
    expect(off ?? 0).toBeLessThan(300);
    expect(mid ?? 0).toBeGreaterThanOrEqual(FAR_KEPT_PACE_SHARE * 300);
    expect(mid ?? 0).toBeLessThan(byDefault ?? 0);
  });
});

describe('memory trend: what a load surge filled is not a leak', () => {
  // The samples of 120-420 s were held out for a surge and its settling time; after it memory is
  // still 110% above the level (above the limit of twice the level) and given back over 300 s.
  const held: readonly [number, number] = [120, 420];
  const left = (s: number) => (s >= 420 ? 1.1 * base * Math.exp(-(s - 420) / 300) : 0);
  const envelope = { low: base, high: base + 1e6, drop: 1e6 };

  it('does not breach on the level at the limit after a surge, and says why', () => {
    const points = memory({ amplitude: 1e6, period: 20, after: left, held, seconds: 900 });
    // Without the surge mark, the level at the limit breaches at once (the live false rollback).
    expect(judgeAt(points, 440, envelope).reason).toMatch(/has reached the limit/);
    const v = judgeAt(points, 440, envelope, true);
    expect(v.status).not.toBe('breach');
    expect(confirmedAt(points, envelope, 900, () => true)).toBeNull();
  });

  it('does not breach when memory stays at the limit after the surge, not growing', () => {
    const points = memory({
      amplitude: 1e6,
      period: 20,
      after: (s) => (s >= 420 ? 1.05 * base : 0),
      held,
      seconds: 900,
    });
    const v = judgeAt(points, 600, envelope, true);
    expect(v.status).toBe('pass');
    expect(confirmedAt(points, envelope, 900, () => true)).toBeNull();
  });

  it('still confirms a leak that keeps growing after the surge, on its growth, before the limit', () => {
    // A leak of 300 kB/s from 0 (twice the level in 11 minutes), under and after a surge whose
    // samples of 60-330 s were held; it reaches the limit at about 667 s.
    const points = memory({ amplitude: 1e6, period: 20, leak: 300e3, held: [60, 330], seconds: 900 });
    const found = confirmedAt(points, envelope, 900, () => true);
    expect(found, 'not confirmed').not.toBeNull();
    expect(found?.reason).toMatch(/^growing \d+ B\/s/);
    expect(found?.at).toBeLessThan(600);
  });
});
