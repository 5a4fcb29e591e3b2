import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SUSTAIN_SHARE, evaluateRateOfChange } from '../../src/rules/rate-of-change';

/**
 * A garbage-collected heap: it climbs `amplitude` over `period` seconds and drops back, around
 * `base`; `leak` bytes/s add to it. Points every 5 s over `seconds`, from `from` (s).
 */
function sawtooth(o: {
  base: number;
  amplitude: number;
  period: number;
  leak?: number;
  seconds: number;
  from?: number;
  phase?: number;
}) {
  const points: { t: number; v: number }[] = [];
  const from = o.from ?? 0;
  for (let s = from; s <= from + o.seconds; s += 5) {
    const cycle = ((s + (o.phase ?? 0)) % o.period) / o.period;
    points.push({ t: s * 1000, v: o.base + o.amplitude * cycle + (o.leak ?? 0) * (s - from) });
  }
  return points;
}

const rule = { type: 'rate-of-change' as const, limitFromBaseline: 2, horizonSeconds: 3600, maxPValue: 1e-4 };
const base = 56.5e6;

function judge(
  points: { t: number; v: number }[],
  envelope: { low: number; high: number } | null,
  sustainShare?: number,
) {
  return evaluateRateOfChange(sustainShare === undefined ? rule : { ...rule, sustainShare }, {
    signal: 'memory',
    points,
    window: { start: points[0]?.t ?? 0, end: points.at(-1)?.t ?? 0 },
    baseline: base,
    envelope,
    windowSeconds: 120,
    unit: ' B',
  });
}

describe('memory trend on a GC sawtooth', () => {
  it('does not read the climb of a sawtooth as a leak once the pre-deploy oscillation is known', () => {
    // A 4 MB climb over 100 s (the live case read 45 kB/s), the window on one climb; no sustain
    // requirement, so that the envelope alone is what tells the two apart.
    const climb = sawtooth({ base: 56.3e6, amplitude: 4e6, period: 100, seconds: 95 });
    const envelope = { low: 56.3e6, high: 60.3e6 };
    // Without the envelope the least-squares slope of one climb looks like a fast leak.
    expect(judge(climb, null, 0).status).toBe('breach');
    const v = judge(climb, envelope, 0);
    expect(v.status).toBe('pass');
    expect(v.reason).toContain('within the pre-deploy oscillation');
  });

  it('still catches a leak that leaves the oscillation, and says where the floor is', () => {
    const envelope = { low: 56.3e6, high: 56.7e6 };
    const leak = sawtooth({ base: 56.3e6, amplitude: 0.4e6, period: 30, leak: 50e3, seconds: 120 });
    const v = judge(leak, envelope);
    expect(v.status).toBe('breach');
    expect(v.reason).toMatch(/floor .* above the pre-deploy high/);
  });

  it('wants a recent floor above the pre-deploy high: a sawtooth that returns to its floor is no leak', () => {
    const envelope = { low: 56.3e6, high: 56.5e6 };
    // A larger climb than the pre-deploy range, but the newest third still touches the floor.
    const points = sawtooth({ base: 56.3e6, amplitude: 2e6, period: 90, seconds: 120, phase: 80 });
    const v = judge(points, envelope);
    expect(v.status).toBe('pass');
    // Before its drop, the climb since the last drop (a sawtooth larger than the pre-deploy one)
    // is growth above the high, but watched for less than MIN_SUSTAIN_SECONDS: undecided, never
    // a breach.
    const climbing = sawtooth({ base: 56.3e6, amplitude: 2e6, period: 90, seconds: 120, phase: 50 });
    const early = judge(climbing, envelope);
    expect(early.status).toBe('no-data');
    expect(early.reason).toMatch(/growth seen for \d+ s of the 120 s it must hold/);
  });

  it('needs the growth watched for a share of the time to the limit (sustain in time, not evaluations)', () => {
    // 20 kB/s on 56.5 MB: the 113 MB limit is ~2800 s away; a tenth of it is capped by the
    // 120 s window, so 60 s of growth is not enough and 120 s is.
    const envelope = { low: 56.4e6, high: 56.5e6 };
    const slow = (seconds: number) =>
      sawtooth({ base: 56.6e6, amplitude: 0, period: 1e9, leak: 20e3, seconds }).map((p, i) => ({
        ...p,
        v: p.v + (i % 2) * 1e3,
      }));
    const short = judge(slow(60), envelope);
    // Not a pass: everything but the time says leak, so it is not decided yet.
    expect(short.status).toBe('no-data');
    expect(short.reason).toMatch(/growth seen for 60 s of the 120 s it must hold/);
    expect(judge(slow(120), envelope).status).toBe('breach');
    // With no sustain requirement 60 s suffice.
    expect(judge(slow(60), envelope, 0).status).toBe('breach');
    expect(DEFAULT_SUSTAIN_SHARE).toBe(0.1);
  });

  it('never breaches on a pure sawtooth within its pre-deploy envelope, whatever its period and phase (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 10, max: 300, noNaN: true }),
        fc.double({ min: 1e5, max: 2e7, noNaN: true }),
        fc.double({ min: 0, max: 300, noNaN: true }),
        fc.integer({ min: 30, max: 600 }),
        (period, amplitude, phase, seconds) => {
          const points = sawtooth({ base, amplitude, period, phase, seconds });
          expect(judge(points, { low: base, high: base + amplitude }).status).toBe('pass');
        },
      ),
    );
  });
});
