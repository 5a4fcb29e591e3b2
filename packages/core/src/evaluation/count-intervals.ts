import type { ReadResult, Sample, Series } from '../ports/metric-source';
import { AGGREGATE, type CountInterval } from './watch-state';

/**
 * Joins an events read and a trials read into count intervals per segment. An interval exists
 * where trials were reported; events missing there count as 0 when the events read itself
 * succeeded — a counter that was never incremented (no 5xx yet) has no series at all in most
 * backends. A failed events read is never read as zero.
 */
export function joinCounts(
  events: ReadResult,
  trials: ReadResult,
  segmentBy: string | undefined,
  after: number | null,
): Map<string, CountInterval[]> {
  const out = new Map<string, CountInterval[]>();
  if (trials.status !== 'ok' || events.status === 'error') return out;
  const single = segmentBy === undefined ? singleSeriesJoin(events, trials, after) : null;
  if (single !== null) {
    out.set(AGGREGATE, single);
    return out;
  }
  const eventsBySegment = new Map<string, Map<number, number>>();
  if (events.status === 'ok') {
    for (const series of events.series) {
      const key = segmentKey(series.labels, segmentBy);
      const byT = eventsBySegment.get(key) ?? new Map<number, number>();
      for (const s of series.samples) byT.set(s.t, (byT.get(s.t) ?? 0) + s.v);
      eventsBySegment.set(key, byT);
    }
  }
  const trialsBySegment = new Map<string, Map<number, number>>();
  for (const series of trials.series) {
    const key = segmentKey(series.labels, segmentBy);
    const byT = trialsBySegment.get(key) ?? new Map<number, number>();
    for (const s of series.samples) byT.set(s.t, (byT.get(s.t) ?? 0) + s.v);
    trialsBySegment.set(key, byT);
  }
  for (const [key, byT] of trialsBySegment) {
    const ev = eventsBySegment.get(key);
    const intervals: CountInterval[] = [];
    for (const [t, n] of [...byT].sort((a, b) => a[0] - b[0])) {
      if (after !== null && t <= after) continue;
      if (!Number.isFinite(n) || n < 0) continue;
      const x = ev?.get(t) ?? 0;
      if (!Number.isFinite(x) || x < 0) continue;
      // Backends can extrapolate events slightly above trials; a rate above 1 is meaningless.
      intervals.push({ t, events: Math.min(x, n), trials: n });
    }
    out.set(key, intervals);
  }
  return out;
}

/**
 * The aggregate intervals of {@link joinCounts} without a segment (`joinCounts(...).get(AGGREGATE)
 * ?? []`), without the map around them: every count signal joins its reads at every step.
 */
export function joinAggregate(
  events: ReadResult,
  trials: ReadResult,
  after: number | null,
): readonly CountInterval[] {
  if (trials.status !== 'ok' || events.status === 'error') return NO_INTERVALS;
  return (
    singleSeriesJoin(events, trials, after) ??
    joinCounts(events, trials, undefined, after).get(AGGREGATE) ??
    []
  );
}

const NO_INTERVALS: readonly CountInterval[] = Object.freeze([]);

/**
 * The join of {@link joinCounts} for the common case, without its maps and sort: no segments,
 * one trials series and at most one events series, each strictly ascending in time (no two
 * samples at one time to add up). Null when the reads are not of that shape. The same intervals
 * as the general join: a trials sample's events are the events sample at the same time, or 0.
 */
function singleSeriesJoin(
  events: ReadResult,
  trials: ReadResult,
  after: number | null,
): CountInterval[] | null {
  if (trials.status !== 'ok' || trials.series.length !== 1) return null;
  if (events.status === 'ok' && events.series.length > 1) return null;
  const tr = (trials.series[0] as Series).samples;
  const ev = events.status === 'ok' && events.series.length === 1 ? (events.series[0] as Series).samples : [];
  if (!strictlyAscending(tr) || !strictlyAscending(ev)) return null;
  const intervals: CountInterval[] = [];
  let j = 0;
  for (const { t, v: n } of tr) {
    while (j < ev.length && (ev[j] as Sample).t < t) j++;
    if (after !== null && t <= after) continue;
    if (!Number.isFinite(n) || n < 0) continue;
    const x = j < ev.length && (ev[j] as Sample).t === t ? (ev[j] as Sample).v : 0;
    if (!Number.isFinite(x) || x < 0) continue;
    intervals.push({ t, events: Math.min(x, n), trials: n });
  }
  return intervals;
}

function strictlyAscending(samples: readonly Sample[]): boolean {
  for (let i = 1; i < samples.length; i++)
    if (!((samples[i] as Sample).t > (samples[i - 1] as Sample).t)) return false;
  return true;
}

/** `label=value` for a segmented series, or the aggregate key. */
export function segmentKey(labels: Readonly<Record<string, string>>, segmentBy: string | undefined): string {
  if (segmentBy === undefined) return AGGREGATE;
  return `${segmentBy}=${labels[segmentBy] ?? ''}`;
}

/** Sums events and trials of intervals. */
export function totals(intervals: readonly CountInterval[]): { events: number; trials: number } {
  let events = 0;
  let trials = 0;
  for (const i of intervals) {
    events += i.events;
    trials += i.trials;
  }
  return { events, trials };
}
