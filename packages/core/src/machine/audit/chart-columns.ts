import type { AuditPoint } from '../../audit/audit-record';

/**
 * A signal's chart series in memory (`MachineSnapshot.series`): one column per field instead of
 * one object per point. A point object held its time string, two or three boxed doubles and
 * seven properties, about 120 B, and a watch keeps about 45 points per signal for its whole
 * life (docs/benchmarks.md, `fleet-alloc-issue-13`); here a point is four unboxed doubles and
 * four bytes. The stored form (`stored-series.ts`) and the audit record's points are unchanged:
 * {@link ChartColumns.point} builds the same point object back.
 *
 * Columns are immutable values as the snapshot is: a series of `length` points reads only the
 * first `length` slots of its storage. Appending writes the next slot in place when no longer
 * series shares the storage (the common case: each step extends the newest snapshot's series),
 * so a step costs O(1) instead of a copy of the whole series, and consecutive snapshots (and
 * the save's checkpoint, `stored-snapshot.ts`) share one storage. A series is a prefix of
 * another exactly when both read the same storage and it is not longer ({@link isPrefixOf}).
 */
export class ChartColumns {
  readonly #store: Store;
  /** Points in the series. */
  readonly length: number;

  private constructor(store: Store, length: number) {
    this.#store = store;
    this.length = length;
  }

  /** The empty series. */
  static readonly EMPTY: ChartColumns = new ChartColumns(newStore(0), 0);

  /** A series of these points, in order. */
  static of(points: readonly AuditPoint[]): ChartColumns {
    // Room to append up to the controller's thinning (60 points) in place.
    const store = newStore(Math.max(MIN_CAPACITY, points.length));
    for (const p of points) write(store, store.filled, fieldsOfPoint(p));
    return new ChartColumns(store, points.length);
  }

  /** This series with one more point (see the class comment for the cost). */
  append(point: AuditPoint): ChartColumns {
    return this.#appendSlot(fieldsOfPoint(point));
  }

  /** {@link append} of a point given by its fields, without building the object first. */
  appendFields(fields: PointFields): ChartColumns {
    return this.#appendSlot(fields);
  }

  #appendSlot(fields: Slot): ChartColumns {
    let store = this.#store;
    if (store.filled !== this.length || this.length === capacityOf(store)) {
      store = copyStore(store, this.length, Math.max(MIN_CAPACITY, this.length * 2));
    }
    write(store, this.length, fields);
    return new ChartColumns(store, this.length + 1);
  }

  /** The newest `n` points (all when there are fewer). */
  newest(n: number): ChartColumns {
    if (n >= this.length) return this;
    return this.pick(Array.from({ length: n }, (_, i) => this.length - n + i));
  }

  /** The first `n` points: the same storage, so it is a prefix of this series. */
  prefix(n: number): ChartColumns {
    return n >= this.length ? this : new ChartColumns(this.#store, Math.max(0, n));
  }

  /** A series of the points at `indices` (ascending), in new storage. */
  pick(indices: readonly number[]): ChartColumns {
    const src = this.#store;
    const store = newStore(Math.max(MIN_CAPACITY, indices.length));
    for (const i of indices) copyPoint(src, i, store, store.filled);
    return new ChartColumns(store, indices.length);
  }

  /**
   * True when this series' points are the first points of `other`. O(1) when both read one
   * storage (each step's series extends the one before in place); otherwise, e.g. a series
   * appended to twice (the second append copies), the points are compared field by field
   * (a point kept as an object by identity), as the point objects were compared before columns.
   */
  isPrefixOf(other: ChartColumns): boolean {
    if (this.length > other.length) return false;
    if (this.length === 0 || this.#store === other.#store) return true;
    for (let i = 0; i < this.length; i++) if (!samePoint(this.#store, other.#store, i)) return false;
    return true;
  }

  /** True when the point is kept as an object (warnings, or an odd time): see {@link odd}. */
  isOdd(i: number): boolean {
    return ((this.#store.codes[i] as number) & ODD) !== 0;
  }

  /** The epoch ms of the point's `at`. */
  time(i: number): number {
    return this.#store.numbers[i] as number;
  }

  phase(i: number): AuditPoint['phase'] {
    return (this.#store.codes[i] as number) & VERIFY ? 'verify' : 'bake';
  }

  rule(i: number): string | undefined {
    return ruleOf(this.#store, i);
  }

  status(i: number): AuditPoint['status'] {
    return STATUSES[(this.#store.codes[i] as number) & STATUS_MASK] as AuditPoint['status'];
  }

  value(i: number): number | null {
    return nullIfNaN(this.#store.numbers[capacityOf(this.#store) + i] as number);
  }

  threshold(i: number): number | null {
    return nullIfNaN(this.#store.numbers[2 * capacityOf(this.#store) + i] as number);
  }

  hasStatistic(i: number): boolean {
    return ((this.#store.codes[i] as number) & HAS_STATISTIC) !== 0;
  }

  /** The statistic (null when not finite), or undefined when the point has none. */
  statistic(i: number): number | null | undefined {
    return this.hasStatistic(i)
      ? nullIfNaN(this.#store.numbers[3 * capacityOf(this.#store) + i] as number)
      : undefined;
  }

  /** The point kept as an object, for a point {@link fields} answers null for. */
  odd(i: number): AuditPoint | undefined {
    return this.#store.odd?.get(i);
  }

  /** The point as the audit record holds it (a new object; the same JSON as the point appended). */
  point(i: number): AuditPoint {
    if (this.isOdd(i)) return this.odd(i) as AuditPoint;
    const rule = this.rule(i);
    return {
      at: new Date(this.time(i)).toISOString(),
      phase: this.phase(i),
      ...(rule === undefined ? {} : { rule }),
      status: this.status(i),
      value: this.value(i),
      threshold: this.threshold(i),
      ...(this.hasStatistic(i) ? { statistic: this.statistic(i) } : {}),
    };
  }

  /** Every point, as {@link point} builds them. */
  points(): AuditPoint[] {
    const out: AuditPoint[] = new Array(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.point(i);
    return out;
  }

  /** JSON of a snapshot holding columns: the points, as snapshots held before columns. */
  toJSON(): AuditPoint[] {
    return this.points();
  }
}

/**
 * A point's fields: `t` the epoch ms of its `at`; `rule` undefined when the point has none;
 * `statistic` present exactly when the point has one (null when not finite).
 */
export interface PointFields {
  readonly t: number;
  readonly phase: AuditPoint['phase'];
  readonly rule: string | undefined;
  readonly status: AuditPoint['status'];
  readonly value: number | null;
  readonly threshold: number | null;
  readonly statistic?: number | null;
}

/**
 * The storage behind one or more series. `numbers` holds four columns of `capacity` doubles
 * each (time, value, threshold, statistic; NaN for null, which `finiteOrNull` never gives a
 * real value); `codes` two halves of `capacity` entries: per point its code (phase, status,
 * has-statistic, kept-as-object), then the index of its rule in `ruleNames` (the few rule names
 * a series uses, index 0 for none; rules are the contract's rule types, far fewer than 65,536),
 * so a point holds no pointer. `filled` is how many slots some series reads: a series may write
 * slot `filled` only when it is that long.
 */
interface Store {
  numbers: Float64Array;
  codes: Uint16Array;
  ruleNames: (string | undefined)[];
  odd: Map<number, AuditPoint> | undefined;
  filled: number;
}

/** Slots of a new storage at least: a controller thins every series at 60 points. */
const MIN_CAPACITY = 60;
const STATUSES: readonly AuditPoint['status'][] = ['pass', 'breach', 'no-data', 'error'];
const STATUS_CODE: Readonly<Record<AuditPoint['status'], number>> = {
  pass: 0,
  breach: 1,
  'no-data': 2,
  error: 3,
};
const STATUS_MASK = 3;
const VERIFY = 4;
const HAS_STATISTIC = 8;
const ODD = 16;

const nullIfNaN = (x: number): number | null => (Number.isNaN(x) ? null : x);
const nanIfNull = (x: number | null | undefined): number => (x === null || x === undefined ? Number.NaN : x);

function newStore(capacity: number): Store {
  return {
    numbers: new Float64Array(4 * capacity),
    codes: new Uint16Array(2 * capacity),
    ruleNames: [undefined],
    odd: undefined,
    filled: 0,
  };
}

const capacityOf = (s: Store): number => s.codes.length >>> 1;

const ruleOf = (s: Store, i: number): string | undefined => s.ruleNames[s.codes[capacityOf(s) + i] as number];

/** The index of `rule` in the storage's rule names, added if new. */
function ruleId(s: Store, rule: string | undefined): number {
  const known = s.ruleNames.indexOf(rule);
  if (known >= 0) return known;
  // A copy one longer (`concat` sizes it exactly), not `push` or a spread: those leave room for
  // 19 for the store's life, and a series names one or two rules (docs/benchmarks.md,
  // `heap14-issue-13`). Rare: once per rule a store sees.
  s.ruleNames = s.ruleNames.concat([rule]);
  return s.ruleNames.length - 1;
}

function copyStore(src: Store, length: number, capacity: number): Store {
  const store = newStore(capacity);
  for (let i = 0; i < length; i++) copyPoint(src, i, store, i);
  return store;
}

function copyPoint(src: Store, i: number, dst: Store, j: number): void {
  const a = capacityOf(src);
  const b = capacityOf(dst);
  for (let c = 0; c < 4; c++) dst.numbers[c * b + j] = src.numbers[c * a + i] as number;
  dst.codes[j] = src.codes[i] as number;
  dst.codes[capacityOf(dst) + j] = ruleId(dst, ruleOf(src, i));
  const odd = src.odd?.get(i);
  if (odd !== undefined) oddPoints(dst).set(j, odd);
  dst.filled = j + 1;
}

function oddPoints(store: Store): Map<number, AuditPoint> {
  store.odd ??= new Map();
  return store.odd;
}

/** Whether slot `i` of both storages holds the same point. */
function samePoint(a: Store, b: Store, i: number): boolean {
  const ca = capacityOf(a);
  const cb = capacityOf(b);
  for (let c = 0; c < 4; c++) {
    if (!Object.is(a.numbers[c * ca + i], b.numbers[c * cb + i])) return false;
  }
  return a.codes[i] === b.codes[i] && ruleOf(a, i) === ruleOf(b, i) && a.odd?.get(i) === b.odd?.get(i);
}

/** What a point's slot holds: its fields, or the point itself when the columns cannot. */
type Slot = PointFields | { readonly odd: AuditPoint };

function write(store: Store, i: number, slot: Slot): void {
  const cap = capacityOf(store);
  if ('odd' in slot) {
    const p = slot.odd;
    store.numbers[i] = Date.parse(p.at);
    store.numbers[cap + i] = nanIfNull(p.value);
    store.numbers[2 * cap + i] = nanIfNull(p.threshold);
    store.numbers[3 * cap + i] = Number.NaN;
    store.codes[i] = ODD | (STATUS_CODE[p.status] ?? 0);
    store.codes[cap + i] = 0;
    oddPoints(store).set(i, p);
  } else {
    store.numbers[i] = slot.t;
    store.numbers[cap + i] = nanIfNull(slot.value);
    store.numbers[2 * cap + i] = nanIfNull(slot.threshold);
    store.numbers[3 * cap + i] = nanIfNull(slot.statistic);
    store.codes[i] =
      STATUS_CODE[slot.status] |
      (slot.phase === 'verify' ? VERIFY : 0) |
      (slot.statistic === undefined ? 0 : HAS_STATISTIC);
    store.codes[cap + i] = ruleId(store, slot.rule);
    store.odd?.delete(i);
  }
  store.filled = i + 1;
}

/**
 * The slot of a point: its fields when the columns give back the same JSON (a canonical ISO
 * time, no warnings, finite values or null), else the point itself, kept as it is.
 */
function fieldsOfPoint(p: AuditPoint): Slot {
  const t = Date.parse(p.at);
  const plain =
    p.warnings === undefined &&
    Number.isFinite(t) &&
    new Date(t).toISOString() === p.at &&
    (p.phase === 'bake' || p.phase === 'verify') &&
    p.status in STATUS_CODE &&
    finiteOrNullValue(p.value) &&
    finiteOrNullValue(p.threshold) &&
    (p.statistic === undefined || finiteOrNullValue(p.statistic));
  if (!plain) return { odd: p };
  return {
    t,
    phase: p.phase,
    rule: p.rule,
    status: p.status,
    value: p.value,
    threshold: p.threshold,
    ...('statistic' in p && p.statistic !== undefined ? { statistic: p.statistic } : {}),
  };
}

const finiteOrNullValue = (x: unknown): boolean =>
  x === null || (typeof x === 'number' && Number.isFinite(x));
