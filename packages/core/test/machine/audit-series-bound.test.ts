import { describe, expect, it } from 'vitest';
import { type AuditPoint, AuditRecordSchema } from '../../src/audit/audit-record';
import { RollgateError } from '../../src/errors/rollgate-error';
import { ChartColumns } from '../../src/machine/audit/chart-columns';
import { MAX_SERIES_POINTS, RECENT_POINTS, thin } from '../../src/machine/audit-series-bound';
import { watchStateKey } from '../../src/machine/stored-watches';
import { DEPLOY_AT, errorsFrom, STEP, world } from './world';

function point(i: number, status: AuditPoint['status'] = 'pass'): AuditPoint {
  return {
    at: new Date(DEPLOY_AT + i * STEP).toISOString(),
    phase: 'bake',
    status,
    value: i,
    threshold: null,
  };
}

describe('chart series in the snapshot', () => {
  it('thins the points older than the newest ones by halves, keeping the more severe of a pair', () => {
    const points = Array.from({ length: MAX_SERIES_POINTS }, (_, i) => point(i, i === 7 ? 'breach' : 'pass'));
    const out = thin(ChartColumns.of(points)).points();
    const older = MAX_SERIES_POINTS - RECENT_POINTS;
    expect(out).toHaveLength(Math.ceil(older / 2) + RECENT_POINTS);
    // The newest are untouched, one by one.
    expect(out.slice(-RECENT_POINTS)).toEqual(points.slice(-RECENT_POINTS));
    // Of the pair (6, 7) the breach survives; elsewhere the older point of each pair.
    expect(out.slice(0, 5).map((p) => p.value)).toEqual([0, 2, 4, 7, 8]);
    expect(out.filter((p) => p.status === 'breach')).toHaveLength(1);
  });

  it('stays bounded through a long bake: the stored snapshot is as large at the end as midway', async () => {
    const w = world({ contract: { bakeSeconds: 3_600 }, bakeSteps: 800 });
    // The largest stored snapshot in minutes 15-25 and in minutes 45-55 of an hour-long bake:
    // the series fill up and thin in cycles, so compare the peaks of two equally long stretches.
    const peak = { early: 0, late: 0 };
    let longest = 0;
    w.controller.events.on('step', ({ snapshot }) => {
      for (const points of Object.values(snapshot.series)) longest = Math.max(longest, points.length);
      const minute = (w.clock.now() - DEPLOY_AT) / 60_000;
      const size = JSON.stringify(w.state.get(watchStateKey(snapshot.watchId))).length;
      if (minute >= 15 && minute < 25) peak.early = Math.max(peak.early, size);
      if (minute >= 45 && minute < 55) peak.late = Math.max(peak.late, size);
    });
    const result = await w.watch();
    expect(result.outcome).toBe('promoted');
    expect(longest).toBeLessThan(MAX_SERIES_POINTS);
    expect(peak.early).toBeGreaterThan(0);
    // Flat: only the digits of counters and timestamps may differ, and the tests' restart
    // copies until they reach their cap (MAX_LIVE_RESTARTS: 230 B more here at minute 45 than at
    // minute 15, 3.3% of a v7 record, 2.8% of the larger v6 one).
    expect(Math.abs(peak.late - peak.early) / peak.early).toBeLessThan(0.04);
    const audit = AuditRecordSchema.parse(result.audit);
    const errors = audit.series['error-rate'] ?? [];
    expect(errors.length).toBeLessThanOrEqual(MAX_SERIES_POINTS);
    expect(errors.length).toBeGreaterThan(RECENT_POINTS);
    // The chart still spans the whole bake: the first evaluation to the last, in order.
    const times = errors.map((p) => Date.parse(p.at));
    expect(times[0]).toBeLessThanOrEqual(DEPLOY_AT + 60_000);
    expect(times.at(-1)).toBeGreaterThanOrEqual(DEPLOY_AT + 3_500_000);
    expect(times.every((t, i) => i === 0 || t > (times[i - 1] as number))).toBe(true);
  });

  it('gives a watch resumed after a crash the same audit record as an uninterrupted one', async () => {
    const contract = { bakeSeconds: 1_200 };
    const straight = world({ after: errorsFrom(200), contract, bakeSteps: 600 });
    const reference = await straight.watch();
    expect(reference.outcome).toBe('rolled-back');
    expect(reference.audit?.series['error-rate']?.length).toBeGreaterThan(RECENT_POINTS);

    const w = world({ after: errorsFrom(200), contract, bakeSteps: 600 });
    const abort = new AbortController();
    let thinned = false;
    w.controller.events.on('step', ({ snapshot }) => {
      // Crash mid-bake, a few evaluations after the series were first thinned.
      const points = snapshot.series['error-rate'] ?? [];
      const evaluations = (w.clock.now() - DEPLOY_AT) / STEP;
      if (points.length > 0 && points.length < evaluations) thinned = true;
      if (thinned && evaluations >= 100) abort.abort(new Error('crash'));
    });
    const first = await w.watch(w.controller, abort.signal).then(
      (r) => r,
      (e: unknown) => {
        expect(RollgateError.is(e) && e.code).toBe('ABORTED');
        return null;
      },
    );
    expect(first).toBeNull();
    expect(thinned).toBe(true);
    const resumed = await w.watch(w.restart());
    expect(resumed.outcome).toBe('rolled-back');
    expect(resumed.audit).toEqual(reference.audit);
  });
});
