import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AuditPoint } from '../../src/audit/audit-record';
import { ChartColumns } from '../../src/machine/audit/chart-columns';
import { thin } from '../../src/machine/audit-series-bound';
import { encodeSeries, encodeSeriesTail, tuplesOfColumns } from '../../src/machine/stored-series';

const DAY0 = Date.UTC(2026, 0, 1);

/** Points as `recordEvaluation` and older snapshots make them: with and without rule and statistic, some with warnings. */
const pointArb: fc.Arbitrary<AuditPoint> = fc
  .record({
    t: fc.integer({ min: 0, max: 10 * 86_400_000 }),
    phase: fc.constantFrom('bake' as const, 'verify' as const),
    rule: fc.option(fc.constantFrom('sequential', 'static', 'rate-of-change'), { nil: undefined }),
    status: fc.constantFrom('pass' as const, 'breach' as const, 'no-data' as const, 'error' as const),
    value: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: null }),
    threshold: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: null }),
    statistic: fc.option(fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: null }), {
      nil: undefined,
    }),
    warnings: fc.option(fc.array(fc.string(), { minLength: 1, maxLength: 2 }), { nil: undefined, freq: 8 }),
  })
  .map(
    ({ t, rule, statistic, warnings, ...rest }): AuditPoint => ({
      at: new Date(DAY0 + t).toISOString(),
      phase: rest.phase,
      ...(rule === undefined ? {} : { rule }),
      status: rest.status,
      value: rest.value,
      threshold: rest.threshold,
      ...(statistic === undefined ? {} : { statistic }),
      ...(warnings === undefined ? {} : { warnings }),
    }),
  );

const json = (x: unknown): string => JSON.stringify(x);

describe('chart series as columns', () => {
  it('property: points -> columns -> points is exact, the same JSON, appended one by one or all at once', () => {
    fc.assert(
      fc.property(fc.array(pointArb, { maxLength: 130 }), (points) => {
        const all = ChartColumns.of(points);
        let appended = ChartColumns.EMPTY;
        for (const p of points) appended = appended.append(p);
        expect(all.length).toBe(points.length);
        expect(json(all.points())).toBe(json(points));
        expect(json(appended.points())).toBe(json(points));
        expect(json(appended)).toBe(json(points));
        for (let i = 0; i < points.length; i++) expect(all.status(i)).toBe(points[i]?.status);
      }),
      { numRuns: 200 },
    );
  });

  it('property: the stored form of columns is the stored form of the points (tuples, objects, tail columns)', () => {
    fc.assert(
      fc.property(fc.array(pointArb, { maxLength: 40 }), fc.nat(45), (points, from) => {
        const cols = ChartColumns.of(points);
        const tuples = encodeSeries({ s: cols }).s as unknown[];
        expect(tuples).toHaveLength(points.length);
        points.forEach((p, i) => {
          const stored = tuples[i];
          if (p.warnings !== undefined) expect(stored).toBe(p);
          else
            expect(stored).toEqual([
              Date.parse(p.at),
              p.phase,
              p.rule ?? null,
              p.status,
              p.value,
              p.threshold,
              ...('statistic' in p ? [p.statistic] : []),
            ]);
        });
        // The tail columns of a suffix are those of a series holding only that suffix.
        const start = Math.min(from, points.length);
        expect(json(encodeSeriesTail({ s: cols }, { s: start }))).toBe(
          json(encodeSeriesTail({ s: ChartColumns.of(points.slice(start)) }, {})),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('property: tail columns (rollgate.machine/v4: points with and without a statistic mixed) read back as the tuples of the points', () => {
    const tupleable = pointArb.filter((p) => p.warnings === undefined);
    let mixed = 0;
    fc.assert(
      fc.property(fc.array(tupleable, { minLength: 1, maxLength: 40 }), (points) => {
        const cols = ChartColumns.of(points);
        const stored = JSON.parse(json(encodeSeriesTail({ s: cols }, {}).s)) as Record<string, unknown>;
        // Columns, never tuples, for points a tuple can hold, whatever their statistics.
        expect(Array.isArray(stored)).toBe(false);
        const some = points.some((p) => 'statistic' in p);
        if (some && points.some((p) => !('statistic' in p))) {
          mixed++;
          expect(stored.noStatistic).toEqual(points.flatMap((p, i) => ('statistic' in p ? [] : [i])));
        } else expect(stored.noStatistic).toBeUndefined();
        expect(json(tuplesOfColumns(stored))).toBe(json(encodeSeries({ s: cols }).s));
      }),
      { numRuns: 300 },
    );
    expect(mixed).toBeGreaterThan(50);
  });

  it('refuses tail columns whose noStatistic is not ascending indices of its points', () => {
    const cols = ChartColumns.of([
      { at: new Date(DAY0).toISOString(), phase: 'bake', status: 'no-data', value: null, threshold: null },
      {
        at: new Date(DAY0 + 5_000).toISOString(),
        phase: 'bake',
        rule: 'sequential',
        status: 'pass',
        value: 0.01,
        threshold: 0.02,
        statistic: -1,
      },
    ]);
    const stored = JSON.parse(json(encodeSeriesTail({ s: cols }, {}).s)) as Record<string, unknown>;
    expect(stored.noStatistic).toEqual([0]);
    expect(tuplesOfColumns(stored)).toHaveLength(2);
    for (const bad of [[2], [0, 0], [-1], ['0'], 0]) {
      expect(tuplesOfColumns({ ...stored, noStatistic: bad })).toBeNull();
    }
    const { statistic: _, ...withoutStatistic } = stored;
    expect(tuplesOfColumns(withoutStatistic)).toBeNull();
  });

  it('saves a label column that is one value but at a few points as that value and its exceptions (v4)', () => {
    const p = (i: number, status: AuditPoint['status']): AuditPoint => ({
      at: new Date(DAY0 + i * 5_000).toISOString(),
      phase: 'bake',
      rule: 'sequential',
      status,
      value: i / 7,
      threshold: 0.5,
      statistic: -i,
    });
    const points = Array.from({ length: 45 }, (_, i) =>
      p(i, i === 3 ? 'breach' : i === 40 ? 'error' : 'pass'),
    );
    const cols = ChartColumns.of(points);
    const stored = JSON.parse(json(encodeSeriesTail({ s: cols }, {}).s)) as Record<string, unknown>;
    expect(stored.status).toEqual({ of: 'pass', at: { 3: 'breach', 40: 'error' } });
    expect(stored.phase).toBe('bake');
    expect(json(tuplesOfColumns(stored))).toBe(json(encodeSeries({ s: cols }).s));
    // More than a quarter of exceptions: the plain array.
    const mixed = ChartColumns.of(
      points.map((x, i) => (i % 3 === 0 ? { ...x, status: 'breach' as const } : x)),
    );
    expect(
      Array.isArray((encodeSeriesTail({ s: mixed }, {}).s as unknown as Record<string, unknown>).status),
    ).toBe(true);
    // Damaged: an index out of range or not an integer, a value of the wrong kind.
    for (const at of [{ 45: 'breach' }, { '1.5': 'breach' }, { '-1': 'breach' }, { 3: 7 }]) {
      expect(tuplesOfColumns({ ...stored, status: { of: 'pass', at } })).toBeNull();
    }
  });

  it('is immutable: appending to an older series forks its storage and leaves the newer one as it was', () => {
    const p = (i: number, status: AuditPoint['status'] = 'pass'): AuditPoint => ({
      at: new Date(DAY0 + i * 5_000).toISOString(),
      phase: 'bake',
      status,
      value: i,
      threshold: 0.5,
    });
    const a = ChartColumns.EMPTY.append(p(0)).append(p(1));
    const b = a.append(p(2));
    const c = a.append(p(3, 'breach'));
    expect(b.points().map((x) => x.value)).toEqual([0, 1, 2]);
    expect(c.points().map((x) => x.value)).toEqual([0, 1, 3]);
    expect(a.isPrefixOf(b)).toBe(true);
    // c copied a's points into storage of its own: still a prefix, by its points.
    expect(a.isPrefixOf(c)).toBe(true);
    expect(b.isPrefixOf(c)).toBe(false);
    expect(c.isPrefixOf(b)).toBe(false);
    expect(b.isPrefixOf(a)).toBe(false);
    expect(b.prefix(2).isPrefixOf(b)).toBe(true);
    expect(ChartColumns.EMPTY.isPrefixOf(c)).toBe(true);
    expect(c.status(2)).toBe('breach');
  });

  it('thins as the point objects did: the kept points in order, in storage of their own', () => {
    const points = Array.from(
      { length: 60 },
      (_, i): AuditPoint => ({
        at: new Date(DAY0 + i * 5_000).toISOString(),
        phase: 'bake',
        status: i % 7 === 3 ? 'breach' : i % 11 === 5 ? 'error' : 'pass',
        value: i,
        threshold: null,
      }),
    );
    const cols = ChartColumns.of(points);
    const thinned = thin(cols);
    // Of each older pair the more severe (17, a breach, over 16, an error), the older on a tie;
    // the newest 30 one by one.
    expect(thinned.points().map((x) => x.value)).toEqual([
      0,
      3,
      5,
      6,
      8,
      10,
      12,
      14,
      17,
      18,
      20,
      22,
      24,
      27,
      28,
      ...Array.from({ length: 30 }, (_, i) => 30 + i),
    ]);
    expect(cols.isPrefixOf(thinned)).toBe(false);
    // The thinned series extends in its own storage without touching the full one.
    expect(thinned.append(points[0] as AuditPoint).length).toBe(46);
    expect(cols.points()).toEqual(points);
  });
});
