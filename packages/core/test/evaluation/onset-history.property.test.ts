import { describe, expect, it } from 'vitest';
import { joinCounts } from '../../src/evaluation/count-intervals';
import {
  extendPoints,
  firstSampleT,
  lookHistory,
  overlapSteps,
  tailFrom,
} from '../../src/evaluation/onset-history';
import { AGGREGATE } from '../../src/evaluation/watch-state';
import type { ReadResult, Sample } from '../../src/ports/metric-source';
import { seededRandom } from '../../src/testing/seeded-random';

// docs/architecture.md, "The onset gate's repeated looks": the previous look's joined counts
// before the tail, then the tail's, are the counts a full read joins, whatever the reads' shape.

const STEP = 5_000;

type Source = Map<string, Map<number, number>>;

/** A random source: a few series (labelled `zone`), each with a value at some steps of the grid. */
function randomSource(u: () => number, steps: number, series: number, density: number): Source {
  const out: Source = new Map();
  for (let s = 0; s < series; s++) {
    const byT = new Map<number, number>();
    for (let i = 0; i < steps; i++)
      if (u() < density) byT.set(i * STEP, Math.floor(u() * 50) * (u() < 0.1 ? 0.5 : 1));
    out.set(`z${s}`, byT);
  }
  return out;
}

/** What the source answers for `[start, end]`: its series with samples there, or no-data. */
function read(source: Source, start: number, end: number): ReadResult {
  const series = [];
  for (const [zone, byT] of source) {
    const samples: Sample[] = [];
    for (const [t, v] of [...byT].sort((a, b) => a[0] - b[0]))
      if (t >= start && t <= end) samples.push({ t, v });
    if (samples.length > 0) series.push({ labels: { zone }, samples });
  }
  return series.length === 0 ? { status: 'no-data', reason: 'none' } : { status: 'ok', series };
}

describe('a look history extended by its tail', () => {
  it('joins to the full read’s counts: segments or not, one series or several, gaps and missing events (seeded)', () => {
    const u = seededRandom(1721);
    let extended = 0;
    for (let k = 0; k < 2_000; k++) {
      const steps = 20 + Math.floor(u() * 200);
      const trials = randomSource(u, steps, 1 + Math.floor(u() * 3), 0.5 + u() * 0.5);
      const events = randomSource(u, steps, Math.floor(u() * 3), u());
      const segmentBy = u() < 0.5 ? undefined : 'zone';
      const key = segmentBy === undefined ? AGGREGATE : `zone=z${Math.floor(u() * 3)}`;
      const start = Math.floor(u() * 10) * STEP;
      const end = (steps - 1) * STEP;
      const previousEnd = start + Math.floor(u() * (end - start + STEP)) - (u() < 0.5 ? 0 : 1);
      const join = (from: number, to: number) =>
        joinCounts(read(events, from, to), read(trials, from, to), segmentBy, null).get(key) ?? [];
      const previousTrials = read(trials, start, previousEnd);
      if (previousTrials.status !== 'ok') continue;
      const history = lookHistory('k', previousEnd, firstSampleT(previousTrials), join(start, previousEnd));
      const from = tailFrom(history, start, STEP, overlapSteps(u() * 60_000, STEP));
      expect(from).toBeGreaterThanOrEqual(start);
      expect(from).toBeLessThanOrEqual(Math.max(start, previousEnd));
      expect((from - start) % STEP).toBe(0);
      expect(extendPoints(history, from, join(from, end))).toEqual(join(start, end));
      extended++;
    }
    expect(extended).toBeGreaterThan(1_500);
  });

  it('reads again the steps within the lag of the previous end, and one more', () => {
    expect(overlapSteps(30_000, STEP)).toBe(7);
    expect(overlapSteps(0, STEP)).toBe(1);
    expect(overlapSteps(31_000, STEP)).toBe(8);
    const history = lookHistory('k', 100 * STEP, 0, []);
    // The newest 7 steps of the previous read (94..100) again, on the start's grid.
    expect(tailFrom(history, 0, STEP, 7)).toBe(94 * STEP);
    expect(tailFrom(history, 2_000, STEP, 7)).toBe(2_000 + 93 * STEP);
    expect(tailFrom(history, 98 * STEP, STEP, 7)).toBe(98 * STEP);
  });
});
