import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { joinCounts } from '../../src/evaluation/count-intervals';
import type { ReadResult, Sample } from '../../src/ports/metric-source';

/** The join as written before its one-series fast path: maps per segment, sorted by time. */
function referenceJoin(events: ReadResult, trials: ReadResult, after: number | null) {
  if (trials.status !== 'ok' || events.status === 'error') return [];
  const ev = new Map<number, number>();
  if (events.status === 'ok')
    for (const s of events.series) for (const p of s.samples) ev.set(p.t, (ev.get(p.t) ?? 0) + p.v);
  const tr = new Map<number, number>();
  for (const s of trials.series) for (const p of s.samples) tr.set(p.t, (tr.get(p.t) ?? 0) + p.v);
  const out = [];
  for (const [t, n] of [...tr].sort((a, b) => a[0] - b[0])) {
    if (after !== null && t <= after) continue;
    if (!Number.isFinite(n) || n < 0) continue;
    const x = ev.get(t) ?? 0;
    if (!Number.isFinite(x) || x < 0) continue;
    out.push({ t, events: Math.min(x, n), trials: n });
  }
  return out;
}

const value = fc.oneof(fc.integer({ min: -2, max: 50 }), fc.constantFrom(Number.POSITIVE_INFINITY, 0.5, 1e9));
/** Samples on a 5 s grid in time order; `strict: false` allows several at one time. */
const samples = (strict: boolean) =>
  fc.array(fc.tuple(fc.integer({ min: 1, max: 30 }), value), { maxLength: 20 }).map((raw): Sample[] => {
    const times = raw.map(([t]) => t * 5000).sort((a, b) => a - b);
    const kept = strict ? times.filter((t, i) => i === 0 || t !== times[i - 1]) : times;
    return kept.map((t, i) => ({ t, v: (raw[i] as [number, number])[1] }));
  });
const read = (series: Sample[][]): ReadResult => ({
  status: 'ok',
  series: series.map((s) => ({ labels: {}, samples: s })),
});

describe('joinCounts', () => {
  it('joins one events and one trials series as the general join does (the tick path)', () => {
    fc.assert(
      fc.property(
        samples(true),
        fc.option(samples(true)),
        fc.option(fc.integer({ min: 0, max: 40 }).map((t) => t * 5000)),
        (trials, events, after) => {
          const ev: ReadResult = events === null ? { status: 'no-data', reason: 'none' } : read([events]);
          const got = joinCounts(ev, read([trials]), undefined, after).get('') ?? [];
          expect(got).toEqual(referenceJoin(ev, read([trials]), after));
        },
      ),
    );
  });

  it('adds up samples at one time and several series, as before', () => {
    fc.assert(
      fc.property(
        fc.array(samples(false), { minLength: 1, maxLength: 3 }),
        fc.array(samples(false), { maxLength: 3 }),
        (trials, events) => {
          const got = joinCounts(read(events), read(trials), undefined, null).get('') ?? [];
          expect(got).toEqual(referenceJoin(read(events), read(trials), null));
        },
      ),
    );
  });

  it('never reads a failed events read as zero events', () => {
    const failed: ReadResult = { status: 'error', error: new Error('x') as never };
    expect(joinCounts(failed, read([[{ t: 5000, v: 3 }]]), undefined, null).size).toBe(0);
  });
});
