import type { ReadResult } from '../ports/metric-source';
import type { TrendLook } from './onset';
import type { CountInterval } from './watch-state';

/**
 * The counts a look of the onset gate read across the deploy, kept for the watch's next look
 * (docs/architecture.md, "The onset gate's repeated looks"). A breach the trend explains is looked
 * at again at about every step until the bake ends, each look over the same history from the
 * same start to one step later: the next look reads only the steps after this one's, and an
 * overlap before them a source may still revise, and joins them onto these.
 */
export interface OnsetHistory {
  /** What was read: the signal, segment, both queries, the range's start, step and segment label. */
  readonly key: string;
  /** The range's end: the newest step the look asked for. */
  readonly end: number;
  /** The oldest time of any trials sample in the read (a read with one is not `no-data`). */
  readonly firstTrialsT: number;
  /**
   * The joined counts of the look's segment, oldest first, as columns (time, events, requests):
   * 24 bytes a step where the join's `{ t, events, trials }` objects take about 75 (an epoch-ms
   * time is a heap number of its own); each look builds its points from them.
   */
  readonly t: Float64Array;
  readonly events: Float64Array;
  readonly trials: Float64Array;
}

/** A look's history: its read's key, end and first trials time, and its joined `points` as columns. */
export function lookHistory(
  key: string,
  end: number,
  firstTrialsT: number,
  points: readonly CountInterval[],
): OnsetHistory {
  const n = points.length;
  const t = new Float64Array(n);
  const events = new Float64Array(n);
  const trials = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = points[i] as CountInterval;
    t[i] = p.t;
    events[i] = p.events;
    trials[i] = p.trials;
  }
  return { key, end, firstTrialsT, t, events, trials };
}

/**
 * The histories of the gate's looks, one per watch whose breach the trend explains, in memory
 * only: keyed by the look the machine passes back to the next `find-onset` (the snapshot's
 * `onset.explained`, by identity), so a history lives as long as that look is the watch's newest,
 * and a watch resumed from a stored snapshot (another object) reads its first look in full.
 * Nothing here is saved: the snapshot and its schema are unchanged.
 */
export class OnsetHistories {
  readonly #byLook = new WeakMap<TrendLook, OnsetHistory>();

  /** The history the look `previous` read, if this process kept it. */
  of(previous: TrendLook | undefined): OnsetHistory | undefined {
    return previous === undefined ? undefined : this.#byLook.get(previous);
  }

  /**
   * After a look that read its history: the history is kept for the next look (`next`, where the
   * trend explained the breach again and the bake goes on), the previous look's dropped. A look
   * that could not read (an `unknown` answer: the machine asks again with the same previous look)
   * does not settle, and the previous look's history stays.
   */
  settle(previous: TrendLook | undefined, next: TrendLook | undefined, history: () => OnsetHistory): void {
    if (previous !== undefined) this.#byLook.delete(previous);
    if (next !== undefined) this.#byLook.set(next, history());
  }
}

/**
 * The steps before the newest a look reads again: a source may revise its newest points (late
 * samples, a scrape not yet in) for as long as the signal's `maxLagSeconds`, the lag its
 * evaluation already tolerates; one step more for a point on the edge. Points older than that
 * at the previous look are taken as final, as a full read would return them.
 */
export function overlapSteps(maxLagMs: number, stepMs: number): number {
  return Math.ceil(Math.max(0, maxLagMs) / stepMs) + 1;
}

/**
 * Where a look with the previous look's `history` starts its read: the first step of `start`'s
 * grid (the full read's) among the previous read's newest {@link overlapSteps}, or `start`.
 */
export function tailFrom(history: OnsetHistory, start: number, stepMs: number, overlap: number): number {
  const last = Math.floor((history.end - start) / stepMs);
  return start + Math.max(0, last - overlap + 1) * stepMs;
}

/** The oldest trials sample's time in an ok read (Infinity for any other). */
export function firstSampleT(read: ReadResult): number {
  let first = Number.POSITIVE_INFINITY;
  if (read.status !== 'ok') return first;
  for (const s of read.series) {
    const t = s.samples[0]?.t;
    if (t !== undefined && t < first) first = t;
  }
  return first;
}

/**
 * The previous look's points before `from`, then `tail` (the joined read from `from` on): the
 * joined counts a full read from the history's start would give, as the join is per step.
 */
export function extendPoints(
  history: OnsetHistory,
  from: number,
  tail: readonly CountInterval[],
): CountInterval[] {
  const { t, events, trials } = history;
  let kept = t.length;
  while (kept > 0 && (t[kept - 1] as number) >= from) kept--;
  const out: CountInterval[] = new Array(kept + tail.length);
  for (let i = 0; i < kept; i++) {
    out[i] = { t: t[i] as number, events: events[i] as number, trials: trials[i] as number };
  }
  for (let i = 0; i < tail.length; i++) out[kept + i] = tail[i] as CountInterval;
  return out;
}
