import { describe, expect, it } from 'vitest';
import { AuditRecordSchema } from '../../src/audit/audit-record';
import { levelSeries, MAX_BASELINE_POINTS, rateSeries } from '../../src/evaluation/baseline-series';
import { DEPLOY_AT, errorsFrom, healthy, START, STEP, world } from './world';

describe('the pre-deploy series in the audit record', () => {
  it('holds the baseline window of each chartable signal, bounded, on the scale of its chart', async () => {
    // Before the deploy: 0.5% errors with a 2% stretch in the middle (a bump the chart must show).
    const w = world({
      after: errorsFrom(8),
      before: (i) => (i >= 200 && i < 210 ? healthy(i, { errors: 2 }) : healthy(i)),
    });
    const result = await w.watch();
    const audit = AuditRecordSchema.parse(result.audit);
    const baseline = audit.baseline?.signals ?? {};
    const errors = baseline['error-rate']?.series ?? [];
    // 1800 s of 5 s steps: 360 intervals in 60 bins of 30 s.
    expect(errors).toHaveLength(MAX_BASELINE_POINTS);
    expect(errors[0]?.at).toBe(new Date(DEPLOY_AT - 1_800_000 + 30_000).toISOString());
    expect(errors.at(-1)?.at).toBe(new Date(DEPLOY_AT).toISOString());
    const rates = errors.map((p) => p.value as number);
    expect(Math.max(...rates)).toBeGreaterThan(0.012);
    expect(Math.min(...rates)).toBeGreaterThan(0.002);
    expect(Math.min(...rates)).toBeLessThan(0.01);
    // The latency signal's values are exceedance shares (sequential): its series is one too.
    expect(baseline['latency-p99']?.series?.length).toBe(MAX_BASELINE_POINTS);
    // Health values are ready fractions: the series holds the levels read before the deploy.
    expect(baseline.health?.series?.every((p) => p.value === 1)).toBe(true);
    // A trend rule plots a slope: a memory level would be on another scale, so none.
    expect(baseline.memory?.series).toBeUndefined();
    // Small: the whole baseline part of the record stays a few kilobytes.
    expect(JSON.stringify(audit.baseline).length).toBeLessThan(20_000);
  });

  it('bins rates and levels into at most 60 points over the window, null where nothing was seen', () => {
    const intervals = Array.from({ length: 360 }, (_, i) => ({
      t: START + (i + 1) * STEP,
      events: i < 6 ? 0 : 1,
      trials: i < 6 ? 0 : 100,
    }));
    const points = rateSeries(intervals, START, START + 360 * STEP);
    expect(points).toHaveLength(60);
    expect(points[0]).toEqual({ t: START + 30_000, v: null });
    expect(points[1]).toEqual({ t: START + 60_000, v: 0.01 });
    const few = levelSeries(
      [
        { t: START + 10_000, v: 2 },
        { t: START + 20_000, v: 4 },
        { t: START + 30_000, v: Number.POSITIVE_INFINITY },
      ],
      START,
      START + 30_000,
    );
    expect(few).toEqual([
      { t: START + 15_000, v: 2 },
      { t: START + 30_000, v: 4 },
    ]);
    expect(rateSeries([], START, START + 1000)).toEqual([]);
  });
});
