import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultContract } from '../../src/contract/default-contract';
import {
  ENVELOPE_MARGIN,
  evaluateRateOfChange,
  FAR_KEPT_PACE_SHARE,
  FAR_SUSTAIN_SECONDS,
  steadyEnvelope,
} from '../../src/rules/rate-of-change';

const rule = { type: 'rate-of-change' as const, limitFromBaseline: 2, horizonSeconds: 3600, maxPValue: 1e-4 };
/** The memory window of the default contract: the rule reads what the watch would give it. */
const WINDOW = defaultContract('svc').signals.find((s) => s.id === 'memory')?.windowSeconds ?? 0;
const base = 200e6;

/** A GC sawtooth of `amplitude` over `period` s (starting `phase` s into a cycle) at `s` seconds. */
const saw = (s: number, amplitude: number, period: number, phase = 0) =>
  (amplitude * ((((s + phase) % period) + period) % period)) / period;

/** 30 minutes of pre-deploy samples every 5 s: `base` plus a sawtooth plus `extra(s)` (s from the window's start). */
function preDeploy(amplitude: number, period: number, extra: (s: number) => number = () => 0, phase = 0) {
  return Array.from({ length: 360 }, (_, i) => ({
    t: i * 5000,
    v: base + saw(i * 5, amplitude, period, phase) + extra(i * 5),
  }));
}

/** A load surge's memory: `peak` bytes from `from` to `to` s, given back with a `tau` s time constant. */
const surgeMemory = (peak: number, from: number, to: number, tau: number) => (s: number) =>
  s < from ? 0 : s < to ? peak : peak * Math.exp(-(s - to) / tau);

describe('the pre-deploy envelope without a one-off fall (steadyEnvelope)', () => {
  it('property: a steady GC sawtooth of any period (10-300 s), amplitude and phase holds nothing out', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 300 }),
        fc.double({ min: 0.005, max: 0.15, noNaN: true }),
        fc.integer({ min: 0, max: 299 }),
        (period, share, phase) => {
          const points = preDeploy(base * share, period, () => 0, phase);
          const e = steadyEnvelope(points);
          expect(e?.heldOut).toBe(0);
          expect(e?.low).toBe(e?.whole.low);
          expect(e?.high).toBe(e?.whole.high);
        },
      ),
      { numRuns: 200, seed: 18 },
    );
  });

  it('holds out what a previous surge filled and gave back, and the fall it gave it back with', () => {
    // A 4x surge's memory (+100% of the heap) from 600 to 840 s, given back over 120 s, on a
    // sawtooth of 10 MB and 60 s: the fall is over by the newest part.
    const points = preDeploy(10e6, 60, surgeMemory(base, 600, 840, 120));
    const e = steadyEnvelope(points);
    expect(e?.whole.high).toBeGreaterThan(base * 1.9);
    expect(e?.heldOut).toBeGreaterThan(0);
    expect(e?.low).toBe(base);
    // The steady range: the sawtooth's, and at most the margin (and the fall's tail under it) more.
    expect((e?.high ?? 0) - (e?.low ?? 0)).toBeLessThan(10e6 * (1 + 2 * ENVELOPE_MARGIN));
    // The drop is a collection's, not the surge's fall.
    expect(e?.drop).toBeLessThanOrEqual(10e6);
  });

  it('holds out the old process before a restart in the newest part', () => {
    // The previous release held 60% more and restarted 100 s before the deploy.
    const points = preDeploy(8e6, 90, (s) => (s < 1700 ? 0.6 * base : 0));
    const e = steadyEnvelope(points);
    expect(e?.whole.high).toBeGreaterThan(1.6 * base);
    expect(e?.high).toBeLessThan(base + 8e6 * (1 + ENVELOPE_MARGIN) + 1);
  });

  it('the live case: a surge falling back from 386 to 130 MB over the 45 s before the deploy is no oscillation', () => {
    // 1 s steps, a collector giving back with a 12 s time constant, a small sawtooth on top.
    const points = Array.from({ length: 46 }, (_, i) => ({
      t: i * 1000,
      v: 130e6 + 256e6 * Math.exp(-i / 12) + 2e6 * ((i % 5) / 5),
    }));
    const e = steadyEnvelope(points);
    expect(e?.whole.high).toBe(386e6);
    // Was a range of 256 MB: a leak growing 54 MB in 102 s stayed inside it.
    expect((e?.high ?? 0) - (e?.low ?? 0)).toBeLessThan(54e6);
  });

  it('reads too few samples as they are', () => {
    const points = [0, 1, 2, 3, 4].map((i) => ({ t: i * 1000, v: i === 0 ? 500 : 100 }));
    expect(steadyEnvelope(points)).toMatchObject({ low: 100, high: 500, heldOut: 0 });
    expect(steadyEnvelope([])).toBeNull();
  });
});

/** The verdict at `end` s after the warm-up on the default memory window. */
function judgeAt(
  points: { t: number; v: number }[],
  end: number,
  envelope: { low: number; high: number; drop: number },
  level = base,
) {
  const start = Math.max(0, end - WINDOW);
  return evaluateRateOfChange(rule, {
    signal: 'memory',
    points: points.filter((p) => p.t <= end * 1000 && p.t >= start * 1000),
    window: { start: start * 1000, end: end * 1000 },
    baseline: level,
    envelope,
    windowSeconds: WINDOW,
    unit: ' B',
  });
}

/** The first end (every 5 s up to `seconds`) with two breaches in a row, as `sustain.evaluations: 2`. */
function confirmedAt(
  points: { t: number; v: number }[],
  envelope: { low: number; high: number; drop: number },
  seconds: number,
): { at: number; reason: string } | null {
  let previous = false;
  for (let end = 30; end <= seconds; end += 5) {
    const v = judgeAt(points, end, envelope);
    if (v.status === 'breach' && previous) return { at: end, reason: v.reason };
    previous = v.status === 'breach';
  }
  return null;
}

/** The bake: every 5 s for `seconds`, a sawtooth and `grow(s)`. */
const bake = (amplitude: number, period: number, grow: (s: number) => number, seconds = 900) =>
  Array.from({ length: seconds / 5 + 1 }, (_, i) => ({
    t: i * 5000,
    v: base + saw(i * 5, amplitude, period) + grow(i * 5),
  }));

describe('memory trend: a leak after a previous surge inside the pre-deploy window', () => {
  it('is confirmed against the steady envelope, where the whole window read as oscillation hid it', () => {
    // The surge of the test above (+100% of the heap, given back before the deploy), then a leak
    // of 100 kB/s (twice the level in 33 min) from 60 s, on the same sawtooth.
    const before = preDeploy(10e6, 60, surgeMemory(base, 600, 840, 120));
    const steady = steadyEnvelope(before);
    if (steady === null) throw new Error('no envelope');
    const whole = { ...steady.whole, drop: 10e6 };
    const points = bake(10e6, 60, (s) => Math.max(0, s - 60) * 100e3);
    expect(confirmedAt(points, whole, 900)).toBeNull();
    const found = confirmedAt(points, steady, 900);
    expect(found, 'not confirmed').not.toBeNull();
    expect(found?.reason).toMatch(/^growing \d+ B\/s/);
  });
});

describe('memory trend far from the limit: growth that keeps its pace is no fill', () => {
  it('confirms a far leak after the kept-pace part of the far watch, and says why', () => {
    // Twice the level in 50 minutes from 0, on a 30 s sawtooth of 2 MB.
    const points = bake(2e6, 30, (s) => s * (base / 3000));
    const envelope = { low: base, high: base + 2e6, drop: 2e6 };
    const found = confirmedAt(points, envelope, 900);
    expect(found?.at).toBeGreaterThanOrEqual(FAR_KEPT_PACE_SHARE * FAR_SUSTAIN_SECONDS);
    expect(found?.at).toBeLessThan(FAR_SUSTAIN_SECONDS);
    expect(found?.reason).toMatch(
      /its pace kept: the newest third of it still \d+ B\/s against \d+ B\/s before it/,
    );
  });

  it('property: a fill that decelerates (1 - e^(-t/tau), 10-40% of the level, tau 30-120 s) is never confirmed', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 0.4, noNaN: true }),
        fc.integer({ min: 30, max: 120 }),
        fc.integer({ min: 0, max: 120 }),
        fc.integer({ min: 15, max: 120 }),
        (share, tau, at, period) => {
          const points = bake(2e6, period, (s) =>
            s < at ? 0 : share * base * (1 - Math.exp(-(s - at) / tau)),
          );
          const envelope = { low: base, high: base + 2e6, drop: 2e6 };
          expect(confirmedAt(points, envelope, 900)).toBeNull();
        },
      ),
      { numRuns: 60, seed: 18 },
    );
  });

  it('a linear fill of 6 minutes (the longest the far watch guards against) is not confirmed', () => {
    const points = bake(2e6, 30, (s) => 0.4 * base * Math.min(1, s / 360));
    const envelope = { low: base, high: base + 2e6, drop: 2e6 };
    expect(confirmedAt(points, envelope, 900)).toBeNull();
  });
});
