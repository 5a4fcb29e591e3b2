import type { BaselinePoint, CountInterval } from './watch-state';

/**
 * At most this many points per signal describe the pre-deploy window, whatever its length: the
 * report draws them next to the watch (so the snapshot and the audit record stay small).
 */
export const MAX_BASELINE_POINTS = 60;

/**
 * The pre-deploy window as a short series for charts: `[start, end]` split into at most
 * {@link MAX_BASELINE_POINTS} equal bins, each the rate (events / trials) of its intervals, or
 * null where the bin saw no requests. Each point is at its bin's end.
 */
export function rateSeries(intervals: readonly CountInterval[], start: number, end: number): BaselinePoint[] {
  return binned(
    intervals.map((i) => ({ t: i.t, a: i.events, b: i.trials })),
    start,
    end,
    (a, b) => (b > 0 ? a / b : null),
  );
}

/** Like {@link rateSeries} for a gauge: the mean of each bin's finite samples. */
export function levelSeries(
  samples: readonly { readonly t: number; readonly v: number }[],
  start: number,
  end: number,
): BaselinePoint[] {
  return binned(
    samples.filter((s) => Number.isFinite(s.v)).map((s) => ({ t: s.t, a: s.v, b: 1 })),
    start,
    end,
    (a, b) => (b > 0 ? a / b : null),
  );
}

function binned(
  items: readonly { t: number; a: number; b: number }[],
  start: number,
  end: number,
  value: (a: number, b: number) => number | null,
): BaselinePoint[] {
  if (!(end > start) || items.length === 0) return [];
  const inWindow = items.filter((x) => x.t > start && x.t <= end);
  const distinct = new Set(inWindow.map((x) => x.t)).size;
  const bins = Math.max(1, Math.min(MAX_BASELINE_POINTS, distinct));
  const width = (end - start) / bins;
  const sums = Array.from({ length: bins }, () => ({ a: 0, b: 0 }));
  for (const x of inWindow) {
    const i = Math.min(bins - 1, Math.max(0, Math.ceil((x.t - start) / width) - 1));
    const bin = sums[i] as { a: number; b: number };
    bin.a += x.a;
    bin.b += x.b;
  }
  return sums.map((s, i) => ({ t: Math.round(start + (i + 1) * width), v: value(s.a, s.b) }));
}
