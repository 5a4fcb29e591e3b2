import type { AuditPoint } from '../../audit/audit-record';

/** Slots of a new storage at least: a controller thins every series at 60 points. */
const MIN_CAPACITY = 60;
/** The fields that may be one value (in the head) instead of a column. */
const CODE = 0;
const VALUE = 1;
const THRESHOLD = 2;
const STATISTIC = 3;
const FIELDS = 4;
/** The head: per field its one value, then where its column starts (-1: none). */
const AT = FIELDS;
const HEAD = 2 * FIELDS;
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
/** A code's bits below the rule index: `code = bits + RULE * ruleIndex`. */
const RULE = 32;

const NO_COLUMNS: readonly boolean[] = [false, false, false, false];

/**
 * A signal's chart series in memory (`MachineSnapshot.series`): one column per field instead of
 * one object per point. A point object held its time string, two or three boxed doubles and
 * seven properties, about 120 B, and a watch keeps about 45 points per signal for its whole
 * life (docs/benchmarks.md, `fleet-alloc-issue-13`); here a point is at most five unboxed
 * doubles in one typed array, most often two or three (a field that keeps one value is held
 * once: see {@link Store}). The stored form (`stored-series.ts`) and the audit record's points are unchanged:
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
    if (store.filled !== this.length || this.length === store.capacity) {
      const all = Array.from({ length: this.length }, (_, i) => i);
      store = copyStore(store, all, Math.max(MIN_CAPACITY, this.length * 2));
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
    return new ChartColumns(copyStore(this.#store, indices, Math.max(MIN_CAPACITY, indices.length)), indices.length);
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
    return (codeOf(this.#store, i) & ODD) !== 0;
  }

  /** The epoch ms of the point's `at`. */
  time(i: number): number {
    return this.#store.data[HEAD + i] as number;
  }

  phase(i: number): AuditPoint['phase'] {
    return codeOf(this.#store, i) & VERIFY ? 'verify' : 'bake';
  }

  rule(i: number): string | undefined {
    return ruleOf(this.#store, i);
  }

  status(i: number): AuditPoint['status'] {
    return STATUSES[codeOf(this.#store, i) & STATUS_MASK] as AuditPoint['status'];
  }

  value(i: number): number | null {
    return nullIfNaN(read(this.#store, VALUE, i));
  }

  threshold(i: number): number | null {
    return nullIfNaN(read(this.#store, THRESHOLD, i));
  }

  hasStatistic(i: number): boolean {
    return (codeOf(this.#store, i) & HAS_STATISTIC) !== 0;
  }

  /** The statistic (null when not finite), or undefined when the point has none. */
  statistic(i: number): number | null | undefined {
    return this.hasStatistic(i)
      ? nullIfNaN(read(this.#store, STATISTIC, i))
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
 * The storage behind one or more series: ONE Float64Array (`data`) of fixed capacity. A point's
 * time is always a column; its code, value, threshold and statistic are each a column only once
 * the storage holds two different ones, and until then one number in `data`'s head
 * (docs/architecture.md, the snapshot in memory). A signal's threshold (its baseline rate or its
 * limit), its code (phase, status, rule) and often its statistic or value do not move for the
 * whole watch, so most storages keep two or three columns of the five, where one column per
 * field (and a second typed array for the codes) kept all of them (docs/benchmarks.md,
 * `heap17-issue-13`).
 *
 * Layout: `data[0 .. 4)` the one value of each field {@link CODE}, {@link VALUE},
 * {@link THRESHOLD}, {@link STATISTIC} while it has no column, `data[4 .. 8)` where each field's
 * column starts (-1: none, the one value for every slot; the head is 8 doubles, so a storage
 * is one object and one array); `data[8 .. 8 + capacity)` the times; then the columns in the
 * order they were made, `capacity` slots each. Null values are NaN (`finiteOrNull` never
 * gives a real NaN), compared with `Object.is` (so -0 is kept). A point's code is its phase,
 * status, has-statistic and kept-as-object bits plus `32 x` the index of its rule in
 * `ruleNames` (the few rule names a series uses, index 0 for none), so a point holds no pointer.
 * `filled` is how many slots some series reads: a series may write slot `filled` only when it
 * is that long.
 */
interface Store {
  data: Float64Array;
  readonly capacity: number;
  ruleNames: (string | undefined)[];
  odd: Map<number, AuditPoint> | undefined;
  filled: number;
}

const nullIfNaN = (x: number): number | null => (Number.isNaN(x) ? null : x);
const nanIfNull = (x: number | null | undefined): number => (x === null || x === undefined ? Number.NaN : x);

/** A storage of `capacity` slots with a column for each field `columns` says (the rest one value). */
function newStore(capacity: number, columns: readonly boolean[] = NO_COLUMNS): Store {
  let size = HEAD + capacity;
  for (let f = 0; f < FIELDS; f++) if (columns[f]) size += capacity;
  const data = new Float64Array(size);
  let next = HEAD + capacity;
  for (let f = 0; f < FIELDS; f++) {
    data[AT + f] = columns[f] ? next : -1;
    if (columns[f]) next += capacity;
  }
  return { data, capacity, ruleNames: [undefined], odd: undefined, filled: 0 };
}

/** Field `f` of slot `i`. */
function read(s: Store, f: number, i: number): number {
  const at = s.data[AT + f] as number;
  return s.data[at < 0 ? f : at + i] as number;
}

/**
 * Writes field `f` of slot `i` (= `s.filled`: slots are written in order): the head's value
 * while the field has one (the first slot sets it), else its column, made here the first time
 * the field differs (every earlier slot holds the head's value).
 */
function put(s: Store, f: number, i: number, x: number): void {
  const at = s.data[AT + f] as number;
  if (at >= 0) {
    s.data[at + i] = x;
    return;
  }
  if (i === 0) {
    s.data[f] = x;
    return;
  }
  const one = s.data[f] as number;
  if (Object.is(one, x)) return;
  // A column for the field: `data` one column longer, the field's earlier slots its one value.
  const column = s.data.length;
  const data = new Float64Array(column + s.capacity);
  data.set(s.data);
  data.fill(one, column, column + i);
  data[column + i] = x;
  data[AT + f] = column;
  s.data = data;
}

const codeOf = (s: Store, i: number): number => read(s, CODE, i) % RULE;

const ruleOf = (s: Store, i: number): string | undefined => s.ruleNames[Math.floor(read(s, CODE, i) / RULE)];

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

/**
 * A storage of `capacity` slots holding the points of `src` at `indices` (ascending), in order,
 * with a column for exactly the fields those points do not all hold one value of (one array,
 * sized once: no column made and copied as the points are written).
 */
function copyStore(src: Store, indices: readonly number[], capacity: number): Store {
  const columns = NO_COLUMNS.map((_, f) => {
    if ((src.data[AT + f] as number) < 0 || indices.length === 0) return false;
    const one = read(src, f, indices[0] as number);
    if (f === CODE) {
      // Codes hold the source's rule indices: compare the rules, not the numbers.
      const rule = ruleOf(src, indices[0] as number);
      return indices.some((i) => read(src, f, i) % RULE !== one % RULE || ruleOf(src, i) !== rule);
    }
    return indices.some((i) => !Object.is(read(src, f, i), one));
  });
  const store = newStore(capacity, columns);
  for (let j = 0; j < indices.length; j++) copyPoint(src, indices[j] as number, store, j);
  return store;
}

function copyPoint(src: Store, i: number, dst: Store, j: number): void {
  dst.data[HEAD + j] = src.data[HEAD + i] as number;
  put(dst, CODE, j, codeOf(src, i) + RULE * ruleId(dst, ruleOf(src, i)));
  for (let f = VALUE; f < FIELDS; f++) put(dst, f, j, read(src, f, i));
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
  if (!Object.is(a.data[HEAD + i], b.data[HEAD + i])) return false;
  for (let f = VALUE; f < FIELDS; f++) if (!Object.is(read(a, f, i), read(b, f, i))) return false;
  return codeOf(a, i) === codeOf(b, i) && ruleOf(a, i) === ruleOf(b, i) && a.odd?.get(i) === b.odd?.get(i);
}

/** What a point's slot holds: its fields, or the point itself when the columns cannot. */
type Slot = PointFields | { readonly odd: AuditPoint };

function write(store: Store, i: number, slot: Slot): void {
  if ('odd' in slot) {
    const p = slot.odd;
    store.data[HEAD + i] = Date.parse(p.at);
    put(store, CODE, i, ODD | (STATUS_CODE[p.status] ?? 0));
    put(store, VALUE, i, nanIfNull(p.value));
    put(store, THRESHOLD, i, nanIfNull(p.threshold));
    put(store, STATISTIC, i, Number.NaN);
    oddPoints(store).set(i, p);
  } else {
    store.data[HEAD + i] = slot.t;
    const code =
      STATUS_CODE[slot.status] |
      (slot.phase === 'verify' ? VERIFY : 0) |
      (slot.statistic === undefined ? 0 : HAS_STATISTIC);
    put(store, CODE, i, code + RULE * ruleId(store, slot.rule));
    put(store, VALUE, i, nanIfNull(slot.value));
    put(store, THRESHOLD, i, nanIfNull(slot.threshold));
    put(store, STATISTIC, i, nanIfNull(slot.statistic));
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
