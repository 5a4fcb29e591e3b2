import type { AuditPoint } from '../audit/audit-record';
import type { ChartColumns } from './audit/chart-columns';
import type { MachineSnapshot } from './machine-state';

/**
 * Points per signal of a chart series (`MachineSnapshot.series`, the audit record's `series`) at
 * most: 60, as the audit's baseline series (`evaluation/baseline-series.ts`). The newest
 * {@link RECENT_POINTS} evaluations are kept one by one; older ones are thinned by halves
 * whenever a series reaches the cap, so a chart covers the whole watch with a resolution that
 * coarsens with age, and a snapshot (saved after every transition) stays the same size however
 * long the watch runs instead of growing with every evaluation. The interpreter thins after the
 * machine appended an evaluation's point, so a saved snapshot holds fewer than 60 and the record
 * built from it at most 60.
 */
export const MAX_SERIES_POINTS = 60;
/** The newest points never thinned. */
export const RECENT_POINTS = 30;

/** Which point of a thinned pair survives: a breach over an error or no-data over a pass. */
const SEVERITY: Readonly<Record<AuditPoint['status'], number>> = {
  pass: 0,
  'no-data': 1,
  error: 2,
  breach: 3,
};

/**
 * The snapshot with every series of {@link MAX_SERIES_POINTS} points or more thinned (the same snapshot
 * object when none is). Pure and deterministic: a watch resumed after a crash thins exactly as
 * the uninterrupted one would, so its audit record is the same.
 */
export function boundAuditSeries(snapshot: MachineSnapshot): MachineSnapshot {
  let series: Record<string, ChartColumns> | null = null;
  let first: ChartColumns | undefined;
  for (const [signal, points] of Object.entries(snapshot.series)) {
    if (points.length < MAX_SERIES_POINTS) continue;
    series ??= { ...snapshot.series };
    const thinned = thin(points);
    // The thinned series of signals at the same times share one column of them, as before
    // thinning (`ChartColumns.withTimesOf`).
    first ??= thinned;
    series[signal] = thinned === first ? thinned : thinned.withTimesOf(first);
  }
  return series ? { ...snapshot, series } : snapshot;
}

/**
 * Halves the points older than the newest {@link RECENT_POINTS}: of each consecutive pair, the
 * more severe one is kept (the older on a tie), so a breach or an error stays on the chart.
 */
export function thin(points: ChartColumns): ChartColumns {
  return points.pick(thinnedIndices(points.length, (i) => points.status(i)));
}

/**
 * The indices {@link thin} keeps of `length` points: of each pair older than the newest
 * {@link RECENT_POINTS}, the more severe one (the older on a tie), then every recent one.
 */
export function thinnedIndices(length: number, status: (i: number) => AuditPoint['status']): number[] {
  const olderCount = Math.max(0, length - RECENT_POINTS);
  const out: number[] = [];
  for (let i = 0; i < olderCount; i += 2) {
    const b = i + 1 < olderCount ? i + 1 : -1;
    out.push(b >= 0 && SEVERITY[status(b)] > SEVERITY[status(i)] ? b : i);
  }
  for (let i = olderCount; i < length; i++) out.push(i);
  return out;
}
