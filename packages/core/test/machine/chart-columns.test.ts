import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AuditPoint } from '../../src/audit/audit-record';
import { ChartColumns } from '../../src/machine/audit/chart-columns';
import { thin, thinnedIndices } from '../../src/machine/audit-series-bound';
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

  it('property: fields held as one value with exceptions, or a column (heap17), read back exactly through appends, forks, thinning and prefixes', () => {
    // Few values per field, so a field keeps one value for a run and then moves (its column is
    // made mid-series), -0 and 0 among them (Object.is tells them apart), nulls and absent
    // statistics, odd points now and then; a model of plain point arrays beside the columns.
    const few = <T>(...xs: T[]) => fc.constantFrom(...xs);
    const stepArb = fc.record({
      phase: few('bake' as const, 'bake' as const, 'bake' as const, 'verify' as const),
      rule: few<string | undefined>('sequential', 'sequential', undefined, 'static'),
      status: few('pass' as const, 'pass' as const, 'pass' as const, 'breach' as const, 'no-data' as const),
      value: few<number | null>(0.25, 0.25, 0.25, -0, 0, null, 1e-300),
      threshold: few<number | null>(0.5, 0.5, 0.5, 0.5, null, -0),
      statistic: few<number | null | undefined>(undefined, undefined, -1.5, -1.5, null, 0),
      warn: fc.integer({ min: 0, max: 19 }).map((n) => n === 0),
      // What to do with the point: 0-6 append to the newest series, 7 to an older one (a fork),
      // 8 thin the newest, 9 keep the newest's prefix as the newest.
      op: fc.integer({ min: 0, max: 9 }),
      pickOlder: fc.nat(),
    });
    let forks = 0;
    let moved = 0;
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 150 }), (steps) => {
        const series: { cols: ChartColumns; points: AuditPoint[] }[] = [
          { cols: ChartColumns.EMPTY, points: [] },
        ];
        steps.forEach((s, k) => {
          const newest = series[series.length - 1] as { cols: ChartColumns; points: AuditPoint[] };
          if (s.op === 8) {
            const kept = thinnedIndices(newest.points.length, (i) => newest.points[i]?.status ?? 'pass');
            series.push({ cols: thin(newest.cols), points: kept.map((i) => newest.points[i] as AuditPoint) });
            return;
          }
          if (s.op === 9) {
            const n = Math.floor(newest.points.length / 2);
            series.push({ cols: newest.cols.prefix(n), points: newest.points.slice(0, n) });
            return;
          }
          const base = s.op === 7 ? (series[s.pickOlder % series.length] as (typeof series)[number]) : newest;
          if (base !== newest) forks++;
          const p: AuditPoint = {
            at: new Date(DAY0 + k * 5_000).toISOString(),
            phase: s.phase,
            ...(s.rule === undefined ? {} : { rule: s.rule }),
            status: s.status,
            value: s.value,
            threshold: s.threshold,
            ...(s.statistic === undefined ? {} : { statistic: s.statistic }),
            ...(s.warn ? { warnings: ['partial'] } : {}),
          };
          const cols = s.warn
            ? base.cols.append(p)
            : base.cols.appendFields({
                t: DAY0 + k * 5_000,
                phase: p.phase,
                rule: p.rule,
                status: p.status,
                value: p.value,
                threshold: p.threshold,
                ...(s.statistic === undefined ? {} : { statistic: s.statistic }),
              });
          series.push({ cols, points: [...base.points, p] });
        });
        // Every series, older ones included, still reads its own points, to the bit.
        for (const { cols, points } of series) {
          expect(cols.length).toBe(points.length);
          expect(json(cols)).toBe(json(points));
          for (let i = 0; i < points.length; i++) {
            const p = points[i] as AuditPoint;
            if (p.warnings !== undefined) continue;
            expect(Object.is(cols.value(i), p.value)).toBe(true);
            expect(Object.is(cols.threshold(i), p.threshold)).toBe(true);
            expect(cols.statistic(i)).toBe(p.statistic);
            expect(cols.rule(i)).toBe(p.rule);
          }
          const values = new Set(points.map((p) => (Object.is(p.value, -0) ? '-0' : String(p.value))));
          if (values.size > 1) moved++;
        }
        // A prefix by its points is a prefix by isPrefixOf, whatever storage each reads.
        const a = series[steps.length % series.length] as (typeof series)[number];
        const b = series[series.length - 1] as (typeof series)[number];
        const prefix =
          a.points.length <= b.points.length && json(a.points) === json(b.points.slice(0, a.points.length));
        expect(a.cols.isPrefixOf(b.cols)).toBe(prefix);
      }),
      { numRuns: 300 },
    );
    // The properties exercised: forks of older series, fields that moved. fast-check draws small
    // arrays by default, so 300 runs make about 120 forks (sd ~12) and 1,100 moved fields (sd ~70):
    // the floors sit far below those (a floor at the mean failed about one run in two).
    expect(forks).toBeGreaterThan(50);
    expect(moved).toBeGreaterThan(500);
  });

  it('property: signals sharing one column of times (withTimesOf) each read their own times, through skipped points, other times, thinning and old snapshots', () => {
    // Three signals appended at every step as appendEvaluation does (each shares the first's
    // times), now and then one skipped or at another time, all thinned at 60 points as
    // boundAuditSeries does; snapshots of every step kept and checked against the model at the end.
    const stepArb = fc.record({
      skip: fc.integer({ min: 0, max: 2 }).chain((s) => fc.constantFrom(-1, -1, -1, -1, -1, -1, s)),
      shift: fc.integer({ min: 0, max: 2 }).chain((s) => fc.constantFrom(-1, -1, -1, -1, -1, -1, -1, s)),
      status: fc.constantFrom('pass' as const, 'pass' as const, 'pass' as const, 'breach' as const),
      who: fc.integer({ min: 0, max: 2 }),
    });
    let shared = 0;
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 200 }), (steps) => {
        let cols: ChartColumns[] = [ChartColumns.EMPTY, ChartColumns.EMPTY, ChartColumns.EMPTY];
        const model: AuditPoint[][] = [[], [], []];
        const kept: { cols: ChartColumns[]; model: AuditPoint[][] }[] = [];
        steps.forEach((s, k) => {
          let first: ChartColumns | undefined;
          cols = cols.map((c, j) => {
            if (s.skip === j) return c;
            const t = DAY0 + k * 5_000 + (s.shift === j ? 1 : 0);
            const status = s.who === j ? s.status : 'pass';
            const p: AuditPoint = {
              at: new Date(t).toISOString(),
              phase: 'bake',
              rule: 'sequential',
              status,
              value: k,
              threshold: 0.5,
            };
            model[j] = [...(model[j] as AuditPoint[]), p];
            const next = c.appendFields({
              t,
              phase: 'bake',
              rule: 'sequential',
              status,
              value: k,
              threshold: 0.5,
            });
            first ??= next;
            const out = next === first ? next : next.withTimesOf(first);
            if (out !== next) throw new Error('withTimesOf returns the series itself');
            return out;
          });
          let firstThinned: ChartColumns | undefined;
          cols = cols.map((c, j) => {
            if (c.length < 60) return c;
            const m = model[j] as AuditPoint[];
            model[j] = thinnedIndices(m.length, (i) => (m[i] as AuditPoint).status).map(
              (i) => m[i] as AuditPoint,
            );
            const thinned = thin(c);
            firstThinned ??= thinned;
            return thinned === firstThinned ? thinned : thinned.withTimesOf(firstThinned);
          });
          kept.push({ cols, model: model.map((m) => m) });
        });
        for (const { cols: c, model: m } of kept) {
          for (let j = 0; j < 3; j++) expect(json(c[j])).toBe(json(m[j]));
        }
        const last = kept[kept.length - 1] as { cols: ChartColumns[]; model: AuditPoint[][] };
        if (json(last.model[0]?.map((p) => p.at)) === json(last.model[1]?.map((p) => p.at))) shared++;
      }),
      { numRuns: 150 },
    );
    expect(shared).toBeGreaterThan(10);
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

/**
 * A signal's tail columns from `start` as the per-step record saved them before the storage was
 * asked which fields hold one value (point by point: each field read at every point, a column
 * unless every point gives the same value, a label column `{ of, at }` when one value holds for
 * three quarters of the points), or null for a tail with a point kept as an object.
 */
function tailByPoints(cols: ChartColumns, start: number): unknown {
  const n = cols.length - start;
  const at = (i: number) => start + i;
  const indices = Array.from({ length: n }, (_, i) => i);
  if (indices.some((i) => cols.isOdd(at(i)))) return null;
  const field = <T>(read: (i: number) => T): T | T[] => {
    const all = indices.map((i) => read(at(i)));
    return all.every((v) => v === all[0]) ? (all[0] as T) : all;
  };
  const label = <T>(read: (i: number) => T): unknown => {
    const column = field(read);
    if (!Array.isArray(column)) return column;
    const counts = new Map<T, number>();
    let of = column[0] as T;
    for (const v of column) {
      const c = (counts.get(v) ?? 0) + 1;
      counts.set(v, c);
      if (c > (counts.get(of) ?? 0)) of = v;
    }
    if ((column.length - (counts.get(of) ?? 0)) * 4 > column.length) return column;
    return { of, at: Object.fromEntries(column.flatMap((v, i) => (v === of ? [] : [[String(i), v]]))) };
  };
  const t = indices.map((i) => cols.time(at(i)) - (i === 0 ? 0 : cols.time(at(i - 1))));
  const withStatistic = indices.some((i) => cols.hasStatistic(at(i)));
  const bare = indices.filter((i) => !cols.hasStatistic(at(i)));
  return {
    t,
    phase: label((i) => cols.phase(i)),
    rule: label((i) => cols.rule(i) ?? null),
    status: label((i) => cols.status(i)),
    value: field((i) => cols.value(i)),
    threshold: field((i) => cols.threshold(i)),
    ...(withStatistic ? { statistic: field((i) => cols.statistic(i) ?? null) } : {}),
    ...(withStatistic && bare.length > 0 ? { noStatistic: bare } : {}),
  };
}

describe("a chart tail's columns read from the storage's layout (fleet19-issue-13)", () => {
  it('property: sameFrom says a field holds one number from a point on only when every point from there reads the same', () => {
    const few = <T>(...xs: T[]) => fc.constantFrom(...xs);
    const stepArb = fc.record({
      status: few('pass' as const, 'pass' as const, 'pass' as const, 'pass' as const, 'breach' as const),
      value: few<number | null>(0.25, 0.25, 0.25, 0.25, -0, 0, null),
      threshold: few<number | null>(0.5, 0.5, 0.5, 0.5, 0.5, null),
      statistic: few<number | null | undefined>(-1.5, -1.5, -1.5, -1.5, undefined, null),
      warn: fc.integer({ min: 0, max: 29 }).map((n) => n === 0),
    });
    let held = 0;
    let columns = 0;
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 80 }), fc.nat(), (steps, pick) => {
        let cols = ChartColumns.EMPTY;
        steps.forEach((s, k) => {
          const p: AuditPoint = {
            at: new Date(DAY0 + k * 5_000).toISOString(),
            phase: 'bake',
            rule: 'sequential',
            status: s.status,
            value: s.value,
            threshold: s.threshold,
            ...(s.statistic === undefined ? {} : { statistic: s.statistic }),
            ...(s.warn ? { warnings: ['partial'] } : {}),
          };
          cols = cols.append(p);
        });
        const start = pick % cols.length;
        const same = (read: (i: number) => unknown): boolean => {
          for (let i = start + 1; i < cols.length; i++) if (!Object.is(read(i), read(start))) return false;
          return true;
        };
        const code = (i: number) =>
          `${cols.phase(i)} ${cols.rule(i)} ${cols.status(i)} ${cols.hasStatistic(i)} ${cols.isOdd(i)}`;
        // Never true when the points differ (true when they do not, unless the field is a column).
        if (cols.sameFrom('code', start)) expect(same(code)).toBe(true);
        if (cols.sameFrom('value', start)) expect(same((i) => cols.value(i))).toBe(true);
        if (cols.sameFrom('threshold', start)) expect(same((i) => cols.threshold(i))).toBe(true);
        if (cols.sameFrom('statistic', start)) expect(same((i) => cols.statistic(i) ?? null)).toBe(true);
        if (cols.sameFrom('code', start) && cols.sameFrom('value', start)) held++;
        if (!cols.sameFrom('value', start)) columns++;
        // The tail's stored columns are those read point by point.
        const tail = encodeSeriesTail({ s: cols }, { s: start }).s;
        const expected = tailByPoints(cols, start);
        if (expected !== null) expect(json(tail)).toBe(json(expected));
        else expect(Array.isArray(tail)).toBe(true);
      }),
      { numRuns: 400 },
    );
    // Both paths exercised: tails whose code and value the layout says are one, and tails it does not.
    expect(held).toBeGreaterThan(50);
    expect(columns).toBeGreaterThan(50);
  });

  it('sharesTimesWith: the series of a watch reading one column of times, and a series with its own', () => {
    const point = (s: number, value: number): AuditPoint => ({
      at: new Date(DAY0 + s * 1000).toISOString(),
      phase: 'bake',
      status: 'pass',
      value,
      threshold: 1,
    });
    let a = ChartColumns.EMPTY;
    let b = ChartColumns.EMPTY;
    for (let s = 5; s <= 50; s += 5) {
      a = a.append(point(s, 1));
      b = b.append(point(s, 2)).withTimesOf(a);
    }
    expect(b.sharesTimesWith(a)).toBe(true);
    const own = ChartColumns.of(a.points());
    expect(own.sharesTimesWith(a)).toBe(false);
    // One time that differs gives the series a column of its own.
    const c = b.append(point(56, 2));
    a = a.append(point(55, 1));
    expect(c.sharesTimesWith(a)).toBe(false);
    expect(c.time(10)).toBe(DAY0 + 56_000);
    expect(a.time(10)).toBe(DAY0 + 55_000);
  });
});
