import type { AuditPoint } from '../audit/audit-record';
import { ChartColumns, type ChartField } from './audit/chart-columns';
import type { MachineSnapshot } from './machine-state';
import { fromDeltas } from './time-column';

/**
 * A chart point as saved in a StateStore: `[atMs, phase, rule | null, status, value, threshold]`,
 * plus the statistic when the point has one. Half the JSON of the point object (no keys, the
 * time as a number), and the snapshot is serialised at every transition. A point with warnings,
 * or whose time is not a canonical ISO instant, is saved as the object itself.
 */
type StoredPoint =
  | readonly [number, AuditPoint['phase'], string | null, AuditPoint['status'], number | null, number | null]
  | readonly [
      number,
      AuditPoint['phase'],
      string | null,
      AuditPoint['status'],
      number | null,
      number | null,
      number | null,
    ];

/** A point in its stored form: a compact tuple, or the object kept for a point a tuple cannot hold. */
function encodePoint(c: ChartColumns, i: number): StoredPoint | AuditPoint {
  if (c.isOdd(i)) return c.odd(i) as AuditPoint;
  const head = [c.time(i), c.phase(i), c.rule(i) ?? null, c.status(i), c.value(i), c.threshold(i)] as const;
  return c.hasStatistic(i) ? [...head, c.statistic(i) as number | null] : head;
}

function decodePoint(stored: unknown): unknown {
  if (!Array.isArray(stored)) return stored;
  const [at, phase, rule, status, value, threshold] = stored as unknown[];
  return {
    at: new Date(at as number).toISOString(),
    phase,
    ...(rule === null ? {} : { rule }),
    status,
    value,
    threshold,
    ...(stored.length > 6 ? { statistic: stored[6] } : {}),
  };
}

/** Chart series with every point in its stored form (a compact tuple, or the object itself). */
export function encodeSeries(
  series: Readonly<Record<string, ChartColumns>>,
): Record<string, readonly (StoredPoint | AuditPoint)[]> {
  const out: Record<string, readonly (StoredPoint | AuditPoint)[]> = {};
  for (const signal in series) out[signal] = encodeTail(series[signal] as ChartColumns, 0);
  return out;
}

/**
 * The newest chart points of a signal as the per-step record saves them (`rollgate.machine/v3`, v4):
 * one array per field instead of one tuple per point, `t` as differences from the point before
 * (the first one absolute), and a field equal at every point saved as that one value.
 */
export interface StoredColumns {
  /** v7: or the name of the signal whose `t` column these points' times are. */
  readonly t: readonly number[] | string;
  readonly phase: LabelColumn<AuditPoint['phase']>;
  readonly rule: LabelColumn<string | null>;
  readonly status: LabelColumn<AuditPoint['status']>;
  readonly value: ColumnOf<number | null>;
  readonly threshold: ColumnOf<number | null>;
  /** Absent when no point has a statistic (then every point lacks one). */
  readonly statistic?: ColumnOf<number | null>;
  /**
   * The points (indices in these columns) that have no statistic, when some have one and some
   * not (`rollgate.machine/v4`; their `statistic` entry is null). A series' first points, from
   * before its test had data, often have none: v3 saved such a series as tuples, 73 characters
   * a point against about 35 in columns.
   */
  readonly noStatistic?: readonly number[];
}

type ColumnOf<T> = T | readonly T[];
/** A label column: {@link ColumnOf}, or one value `of` but at the indices of `at` (v4). */
type LabelColumn<T> = ColumnOf<T> | { readonly of: T; readonly at: Readonly<Record<string, T>> };

/**
 * The points of `series` from `from` (per signal) in their per-step record form: columns, or, for
 * a signal with a point a tuple cannot hold (warnings, an odd time), the tuples and objects of
 * {@link encodeSeries}.
 */
export function encodeSeriesTail(
  series: Readonly<Record<string, ChartColumns>>,
  from: Readonly<Record<string, number>>,
): Record<string, StoredColumns | readonly (StoredPoint | AuditPoint)[]> {
  const out: Record<string, StoredColumns | readonly (StoredPoint | AuditPoint)[]> = {};
  for (const signal in series)
    out[signal] = encodeSignalTail(series[signal] as ChartColumns, from[signal] ?? 0);
  return out;
}

/**
 * One signal's points from `start` as {@link encodeSeriesTail} saves them. `timesOf`: the signal
 * whose `t` column these points' times are (`rollgate.machine/v7`, the caller knows them equal):
 * the column is then that name, not built.
 */
export function encodeSignalTail(
  points: ChartColumns,
  start: number,
  timesOf?: string,
): StoredColumns | readonly (StoredPoint | AuditPoint)[] {
  return start >= points.length ? [] : (columnsOf(points, start, timesOf) ?? encodeTail(points, start));
}

function encodeTail(points: ChartColumns, start: number): (StoredPoint | AuditPoint)[] {
  const encoded: (StoredPoint | AuditPoint)[] = [];
  for (let i = start; i < points.length; i++) encoded.push(encodePoint(points, i));
  return encoded;
}

function columnsOf(points: ChartColumns, start: number, timesOf?: string): StoredColumns | null {
  // The usual tail: every point of one code (phase, rule, status, a statistic or none), which
  // the storage says without reading the points (docs/benchmarks.md, `fleet19-issue-13`).
  const oneCode = points.sameFrom('code', start);
  let withStatistic = false;
  let bare = 0;
  if (oneCode) {
    if (points.isOdd(start)) return null;
    withStatistic = points.hasStatistic(start);
    if (!withStatistic) bare = points.length - start;
  } else {
    for (let i = start; i < points.length; i++) {
      if (points.isOdd(i)) return null;
      if (points.hasStatistic(i)) withStatistic = true;
      else bare++;
    }
  }
  // Arrays built by push stay packed: JSON.stringify writes a holey array (`new Array(n)`)
  // element by element on its slow path, about twice the time for a column of integers.
  let t: number[] | string;
  if (timesOf !== undefined) t = timesOf;
  else {
    t = [];
    let before = 0;
    for (let i = start; i < points.length; i++) {
      const at = points.time(i);
      t.push(at - before);
      before = at;
    }
  }
  const columns = {
    t,
    phase: oneCode ? PHASE(points, start) : labelColumn(points, start, PHASE),
    rule: oneCode ? RULE(points, start) : labelColumn(points, start, RULE),
    status: oneCode ? STATUS(points, start) : labelColumn(points, start, STATUS),
    value: fieldColumn(points, start, VALUE, 'value'),
    threshold: fieldColumn(points, start, THRESHOLD, 'threshold'),
  };
  if (!withStatistic) return columns;
  const statistic = fieldColumn(points, start, STATISTIC, 'statistic');
  if (bare === 0) return { ...columns, statistic };
  const noStatistic: number[] = [];
  for (let i = start; i < points.length; i++) if (!points.hasStatistic(i)) noStatistic.push(i - start);
  return { ...columns, statistic, noStatistic };
}

/**
 * A field of the points from `start` as the per-step record saves it (the one value when it is
 * the same at every point), the array built only when the values differ: the phase, rule, status
 * and threshold of a signal's newest points usually do not, and an array of numbers and nulls
 * boxes each number.
 */
function fieldColumn<T>(
  points: ChartColumns,
  start: number,
  field: (c: ChartColumns, i: number) => T,
  held?: ChartField,
): ColumnOf<T> {
  const first = field(points, start);
  // One number held from `start` on: one value read, no point compared. (Equal values held as
  // different numbers, 0 and -0, are found equal by the loop below, as before.)
  if (held !== undefined && points.sameFrom(held, start)) return first;
  let i = start + 1;
  while (i < points.length && field(points, i) === first) i++;
  if (i === points.length) return first;
  const out: T[] = [];
  for (let j = start; j < points.length; j++) out.push(field(points, j));
  return out;
}

/**
 * A label field (phase, rule, status) of the points from `start`: {@link fieldColumn}, or, when
 * one value holds for all but a quarter of the points at most, that value and the exceptions by
 * index (`{ of, at }`, `rollgate.machine/v4`): a series part's statuses are nearly all "pass",
 * and an array of 45 of them is 300 characters of JSON.
 */
function labelColumn<T extends string | null>(
  points: ChartColumns,
  start: number,
  field: (c: ChartColumns, i: number) => T,
): LabelColumn<T> {
  const column = fieldColumn(points, start, field);
  if (!Array.isArray(column)) return column as T;
  const counts = new Map<T, number>();
  let of = column[0] as T;
  for (const v of column as T[]) {
    const c = (counts.get(v) ?? 0) + 1;
    counts.set(v, c);
    if (c > (counts.get(of) ?? 0)) of = v;
  }
  if ((column.length - (counts.get(of) ?? 0)) * 4 > column.length) return column;
  const at: Record<string, T> = {};
  for (let i = 0; i < column.length; i++) if (column[i] !== of) at[i] = column[i] as T;
  return { of, at };
}

const PHASE = (c: ChartColumns, i: number) => c.phase(i);
const RULE = (c: ChartColumns, i: number) => c.rule(i) ?? null;
const STATUS = (c: ChartColumns, i: number) => c.status(i);
const VALUE = (c: ChartColumns, i: number) => c.value(i);
const THRESHOLD = (c: ChartColumns, i: number) => c.threshold(i);
const STATISTIC = (c: ChartColumns, i: number) => c.statistic(i) ?? null;

const isColumnOf = (c: unknown, n: number, ok: (x: unknown) => boolean): boolean =>
  Array.isArray(c) ? c.length === n && c.every(ok) : ok(c);

/** {@link isColumnOf}, or a label column's `{ of, at }` form with every index below `n`. */
const isLabelColumnOf = (c: unknown, n: number, ok: (x: unknown) => boolean): boolean => {
  if (!isExceptions(c)) return isColumnOf(c, n, ok);
  return (
    ok(c.of) &&
    Object.entries(c.at).every(([k, v]) => {
      const i = Number(k);
      return Number.isInteger(i) && i >= 0 && i < n && String(i) === k && ok(v);
    })
  );
};

const isExceptions = (c: unknown): c is { of: unknown; at: Record<string, unknown> } =>
  typeof c === 'object' &&
  c !== null &&
  !Array.isArray(c) &&
  'of' in c &&
  'at' in c &&
  typeof c.at === 'object' &&
  c.at !== null &&
  !Array.isArray(c.at);

const isNumberOrNull = (x: unknown): boolean => x === null || typeof x === 'number';

/**
 * The tuples of a signal's points saved as columns by {@link encodeSeriesTail} (decoded to objects
 * afterwards with every other point), or null when `stored` is not well-formed columns.
 */
export function tuplesOfColumns(stored: Record<string, unknown>): StoredPoint[] | null {
  const { t } = stored;
  if (!Array.isArray(t) || !t.every((x) => typeof x === 'number')) return null;
  const n = t.length;
  const withStatistic = 'statistic' in stored;
  const bare = stored.noStatistic;
  if (
    bare !== undefined &&
    (!withStatistic ||
      !Array.isArray(bare) ||
      !bare.every(
        (i, k) => Number.isInteger(i) && i >= 0 && i < n && (k === 0 || i > (bare[k - 1] as number)),
      ))
  ) {
    return null;
  }
  const without = new Set<number>(bare ?? []);
  if (
    !isLabelColumnOf(stored.phase, n, (x) => typeof x === 'string') ||
    !isLabelColumnOf(stored.rule, n, (x) => x === null || typeof x === 'string') ||
    !isLabelColumnOf(stored.status, n, (x) => typeof x === 'string') ||
    !isColumnOf(stored.value, n, isNumberOrNull) ||
    !isColumnOf(stored.threshold, n, isNumberOrNull) ||
    (withStatistic && !isColumnOf(stored.statistic, n, isNumberOrNull))
  ) {
    return null;
  }
  const at = (c: unknown, i: number) =>
    Array.isArray(c) ? c[i] : isExceptions(c) ? (Object.hasOwn(c.at, i) ? c.at[i] : c.of) : c;
  const times = fromDeltas(t);
  const out: StoredPoint[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const head = [
      times[i] as number,
      at(stored.phase, i),
      at(stored.rule, i),
      at(stored.status, i),
      at(stored.value, i),
      at(stored.threshold, i),
    ] as const;
    out[i] = (withStatistic && !without.has(i) ? [...head, at(stored.statistic, i)] : head) as StoredPoint;
  }
  return out;
}

/** The snapshot as a StateStore saves it in one piece: chart points as compact tuples. */
export function encodeStoredSnapshot(snapshot: MachineSnapshot): unknown {
  return { ...snapshot, series: encodeSeries(snapshot.series) };
}

/**
 * Chart points of a stored snapshot back as columns (`audit/chart-columns.ts`), from compact
 * tuples or from point objects (snapshots saved before the compact form). Other fields are left
 * as they are.
 */
export function decodeStoredSeries(value: Record<string, unknown>): Record<string, unknown> {
  const series = value.series;
  if (series === null || typeof series !== 'object') return value;
  const entries = Object.entries(series as Record<string, unknown>);
  // Signals whose points are at the same times read one column of them, as in a watch never
  // stopped (`ChartColumns.withTimesOf`, audit/chart-series.ts).
  let first: ChartColumns | undefined;
  return {
    ...value,
    series: Object.fromEntries(
      entries.map(([signal, points]) => {
        if (!Array.isArray(points)) return [signal, points];
        const columns = ChartColumns.of(points.map(decodePoint) as AuditPoint[]);
        first ??= columns;
        return [signal, columns === first ? columns : columns.withTimesOf(first)];
      }),
    ),
  };
}
