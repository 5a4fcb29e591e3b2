import type { AuditPoint } from '../../audit/audit-record';

/** Slots of a new storage at least: a controller thins every series at 60 points. */
const MIN_CAPACITY = 60;
/** The fields held as one value with a few exceptions, or as a column (see {@link Store}). */
const CODE = 0;
const VALUE = 1;
const THRESHOLD = 2;
const STATISTIC = 3;
const FIELDS = 4;
/**
 * Per field in the head: its one value, where its exceptions or column start (-1: none), how
 * many exceptions (-1: a column), and room for how many.
 */
const ONE = 0;
const AT = 1;
const COUNT = 2;
const ROOM = 3;
const HEAD = 4 * FIELDS;
/** Exceptions a field holds before it is a column: pairs (slot, value), 2 x 8 doubles against a column's 60. */
const EXCEPTIONS = 8;
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

/** A field of a point as a storage holds it (see {@link ChartColumns.sameFrom}). */
export type ChartField = 'code' | 'value' | 'threshold' | 'statistic';
const FIELD_INDEX: Readonly<Record<ChartField, number>> = {
  code: CODE,
  value: VALUE,
  threshold: THRESHOLD,
  statistic: STATISTIC,
};

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

  /**
   * This series reading its times from `other`'s column when both hold the same times and
   * the same capacity (the signals of a watch get a point at every evaluation: one column of
   * times for all of them, not one each); else this series as it is. Changes no point of
   * either: a series sharing the column reads the times it held, and a time that differs
   * later goes to a column of its own (`putTime`). O(1) once shared; O(points) otherwise.
   */
  withTimesOf(other: ChartColumns): ChartColumns {
    const s = this.#store;
    const o = other.#store;
    const a = s.times;
    const b = o.times;
    if (a === b || s.capacity !== o.capacity) return this;
    // Only columns no storage reads further than these series: what is shared is all of it.
    if (a.filled !== this.length || b.filled !== other.length || s.filled !== this.length) return this;
    if (o.filled !== other.length || this.length !== other.length) return this;
    for (let i = 0; i < this.length; i++) if (!Object.is(a.data[i], b.data[i])) return this;
    s.times = b;
    return this;
  }

  /**
   * True when this series reads its times from the same column as `other` ({@link withTimesOf}):
   * then both have the same time at every index below both lengths (a shared column's times are
   * never written again). O(1); false says nothing.
   */
  sharesTimesWith(other: ChartColumns): boolean {
    return this.#store.times === other.#store.times;
  }

  /**
   * True when `field` is held as the same number at every point from `start` on (`code`: the
   * phase, status, rule and whether a statistic is held or the point is kept as an object; a
   * null value as NaN, compared with `Object.is`). Read from the storage's layout: O(1) for a
   * field held as one value, O(exceptions) with exceptions. False says nothing (a column is not
   * compared): the caller reads the points. `start` below the length.
   */
  sameFrom(field: ChartField, start: number): boolean {
    const d = this.#store.data;
    const h = 4 * FIELD_INDEX[field];
    const at = d[h + AT] as number;
    if (at < 0) return true;
    const count = d[h + COUNT] as number;
    if (count < 0) return false;
    // Exceptions, ascending by slot, each differing from the one value: none from `start` to the end.
    for (let k = 0; k < count; k++) {
      const slot = d[at + 2 * k] as number;
      if (slot >= start && slot < this.length) return false;
    }
    return true;
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
    return new ChartColumns(
      copyStore(this.#store, indices, Math.max(MIN_CAPACITY, indices.length)),
      indices.length,
    );
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
    return this.#store.times.data[i] as number;
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
    return this.hasStatistic(i) ? nullIfNaN(read(this.#store, STATISTIC, i)) : undefined;
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
 * The storage behind one or more series: a Float64Array (`data`) of fixed capacity for the
 * fields, and the column of times. A point's time is always in a column (one the watch's
 * signals share where their times agree: {@link Times}). Its code, value, threshold and
 * statistic are each held as one value, with the slots that differ from it as exceptions (up
 * to {@link EXCEPTIONS} pairs of slot and value), and as a column only beyond that (docs/
 * architecture.md, the snapshot in memory). A signal's code (phase, status, rule) and
 * threshold (its baseline rate or limit), a health signal's value, a gauge's absent statistic
 * move only in the warm-up's few no-data points and at a breach, so most storages hold one or
 * two columns of the four, where a column per field (and a second typed array for the codes)
 * held all of them (docs/benchmarks.md, `heap17-issue-13`).
 *
 * Layout of `data`: the head, four numbers per field ({@link ONE} its one value, {@link AT}
 * where its exceptions or column start, -1 for none, {@link COUNT} its exceptions, -1 for a
 * column, {@link ROOM} room for how many); then each field's exceptions (pairs `slot, value`,
 * ascending, with room for one more) or column (`capacity` slots). A field's layout changes only when the storage is
 * built anew ({@link layout}): its one value is then the slots' majority or the newest slot's
 * value, whichever leaves fewer exceptions, its exceptions the slots that differ. Null values are NaN (`finiteOrNull` never gives a real NaN), compared with
 * `Object.is` (so -0 is kept). A point's code is its phase, status, has-statistic and
 * kept-as-object bits plus `32 x` the index of its rule in `ruleNames` (the few rule names a
 * series uses, index 0 for none), so a point holds no pointer. `filled` is how many slots some
 * series reads: a series may write slot `filled` only when it is that long.
 */
interface Store {
  data: Float64Array;
  /** The points' times: this storage's own, or one another storage of the watch shares. */
  times: Times;
  readonly capacity: number;
  ruleNames: (string | undefined)[];
  odd: Map<number, AuditPoint> | undefined;
  filled: number;
}

const nullIfNaN = (x: number): number | null => (Number.isNaN(x) ? null : x);
const nanIfNull = (x: number | null | undefined): number => (x === null || x === undefined ? Number.NaN : x);

/** An empty storage of `capacity` slots (every field one value, no exceptions). */
function newStore(capacity: number): Store {
  const data = new Float64Array(HEAD);
  for (let f = 0; f < FIELDS; f++) data[4 * f + AT] = -1;
  const times = { data: new Float64Array(capacity), filled: 0 };
  return { data, times, capacity, ruleNames: [undefined], odd: undefined, filled: 0 };
}

/** Field `f` of slot `i`. */
function read(s: Store, f: number, i: number): number {
  const d = s.data;
  const h = 4 * f;
  const at = d[h + AT] as number;
  if (at < 0) return d[h + ONE] as number;
  const count = d[h + COUNT] as number;
  if (count < 0) return d[at + i] as number;
  for (let k = 0; k < count; k++) if (d[at + 2 * k] === i) return d[at + 2 * k + 1] as number;
  return d[h + ONE] as number;
}

/**
 * Writes field `f` of slot `i` (= `s.filled`: slots are written in order, each field once): in
 * its column, as nothing when it is the one value, as one more exception while there is room,
 * else by laying the fields out anew ({@link relayout}).
 */
function put(s: Store, f: number, i: number, x: number): void {
  const d = s.data;
  const h = 4 * f;
  const at = d[h + AT] as number;
  const count = d[h + COUNT] as number;
  if (at >= 0 && count < 0) {
    d[at + i] = x;
    return;
  }
  if (i === 0) {
    // No slot yet, so no exceptions: the first value is the one value.
    d[h + ONE] = x;
    return;
  }
  if (Object.is(d[h + ONE], x)) return;
  if (at >= 0 && count < (d[h + ROOM] as number)) {
    d[at + 2 * count] = i;
    d[at + 2 * count + 1] = x;
    d[h + COUNT] = count + 1;
    return;
  }
  relayout(s, f, i, x);
}

/**
 * The storage's fields laid out anew for slot `i` of field `f` (= `x`): the fields before `f`
 * hold slots `[0, i]` (a point's fields are written in their order, {@link write}), `f` and
 * those after it `[0, i)` (see {@link layout}).
 */
function relayout(s: Store, f: number, i: number, x: number): void {
  s.data = layout(
    s.capacity,
    (g) => (g <= f ? i + 1 : i),
    (g, j) => (g === f && j === i ? x : read(s, g, j)),
  );
}

/**
 * A storage's `data` for `slots(f)` slots of each field `f`, whose values `value(f, j)` gives:
 * per field its one value (the slots' majority, or the newest slot's: whichever leaves fewer
 * exceptions), and the slots that differ from it as exceptions, or as a column when they are
 * more than {@link EXCEPTIONS}.
 */
function layout(
  capacity: number,
  slots: (f: number) => number,
  value: (f: number, j: number) => number,
): Float64Array {
  const ones: number[] = [];
  const counts: number[] = [];
  let size = HEAD;
  for (let f = 0; f < FIELDS; f++) {
    const n = slots(f);
    // The one value: the slots' majority value if they have one (a vote in one pass), else the
    // newest slot's, whichever leaves fewer exceptions (the newest on a tie).
    let vote = n > 0 ? value(f, 0) : 0;
    let lead = 0;
    for (let j = 0; j < n; j++) {
      const v = value(f, j);
      if (lead === 0) vote = v;
      lead += Object.is(v, vote) ? 1 : -1;
    }
    const newest = n > 0 ? value(f, n - 1) : 0;
    const newestCount = differing(n, (j) => value(f, j), newest);
    const voteCount = Object.is(vote, newest) ? newestCount : differing(n, (j) => value(f, j), vote);
    const one = voteCount < newestCount ? vote : newest;
    const count = Math.min(voteCount, newestCount);
    ones.push(one);
    counts.push(count === 0 ? 0 : count <= EXCEPTIONS ? count : -1);
    if (count > 0) size += count <= EXCEPTIONS ? 2 * roomFor(count) : capacity;
  }
  const data = new Float64Array(size);
  let next = HEAD;
  for (let f = 0; f < FIELDS; f++) {
    const h = 4 * f;
    const count = counts[f] as number;
    const one = ones[f] as number;
    data[h + ONE] = one;
    data[h + COUNT] = count;
    data[h + ROOM] = count > 0 ? roomFor(count) : 0;
    if (count === 0) {
      data[h + AT] = -1;
      continue;
    }
    data[h + AT] = next;
    const n = slots(f);
    if (count < 0) {
      for (let j = 0; j < n; j++) data[next + j] = value(f, j);
      next += capacity;
      continue;
    }
    let k = 0;
    for (let j = 0; j < n; j++) {
      const v = value(f, j);
      if (Object.is(v, one)) continue;
      data[next + 2 * k] = j;
      data[next + 2 * k + 1] = v;
      k++;
    }
    next += 2 * roomFor(count);
  }
  return data;
}

/**
 * Pairs of room for `count` exceptions: one more (a breach later in the watch), so a storage
 * is laid out anew about every other new exception, not at each; at most {@link EXCEPTIONS}.
 */
const roomFor = (count: number): number => Math.min(EXCEPTIONS, count + 1);

/** How many of the first `n` values differ from `one` (counted up to one more than {@link EXCEPTIONS}). */
function differing(n: number, value: (j: number) => number, one: number): number {
  let count = 0;
  for (let j = 0; j < n && count <= EXCEPTIONS; j++) if (!Object.is(value(j), one)) count++;
  return count;
}

/**
 * A column of times that storages of one capacity may share: the signals of a watch get a point
 * at every evaluation, at its time, so their series' times are most often one column
 * ({@link ChartColumns.withTimesOf}). `filled` is how many slots some storage reads; slots below
 * it are never written again, so a storage reads its times wherever the column is shared.
 */
interface Times {
  readonly data: Float64Array;
  filled: number;
}

/**
 * Writes the time of slot `i` (= `s.filled`): in the shared column when no storage wrote that
 * slot yet or one wrote the same time, else in a column of the storage's own (its earlier
 * times copied).
 */
function putTime(s: Store, i: number, t: number): void {
  const times = s.times;
  if (times.filled === i) {
    times.data[i] = t;
    times.filled = i + 1;
    return;
  }
  if (Object.is(times.data[i], t)) return;
  const own = { data: new Float64Array(s.capacity), filled: i + 1 };
  own.data.set(times.data.subarray(0, i));
  own.data[i] = t;
  s.times = own;
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
 * each field laid out once for those points ({@link layout}), the times in a column of its own.
 */
function copyStore(src: Store, indices: readonly number[], capacity: number): Store {
  const store = newStore(capacity);
  const n = indices.length;
  // The codes with this storage's rule indices (its rule names in the order the points name them).
  const codes = indices.map((i) => codeOf(src, i) + RULE * ruleId(store, ruleOf(src, i)));
  store.data = layout(
    capacity,
    () => n,
    (f, j) => (f === CODE ? (codes[j] as number) : read(src, f, indices[j] as number)),
  );
  for (let j = 0; j < n; j++) {
    const i = indices[j] as number;
    putTime(store, j, src.times.data[i] as number);
    const odd = src.odd?.get(i);
    if (odd !== undefined) oddPoints(store).set(j, odd);
  }
  store.filled = n;
  return store;
}

function oddPoints(store: Store): Map<number, AuditPoint> {
  store.odd ??= new Map();
  return store.odd;
}

/** Whether slot `i` of both storages holds the same point. */
function samePoint(a: Store, b: Store, i: number): boolean {
  if (!Object.is(a.times.data[i], b.times.data[i])) return false;
  for (let f = VALUE; f < FIELDS; f++) if (!Object.is(read(a, f, i), read(b, f, i))) return false;
  return codeOf(a, i) === codeOf(b, i) && ruleOf(a, i) === ruleOf(b, i) && a.odd?.get(i) === b.odd?.get(i);
}

/** What a point's slot holds: its fields, or the point itself when the columns cannot. */
type Slot = PointFields | { readonly odd: AuditPoint };

function write(store: Store, i: number, slot: Slot): void {
  if ('odd' in slot) {
    const p = slot.odd;
    putTime(store, i, Date.parse(p.at));
    put(store, CODE, i, ODD | (STATUS_CODE[p.status] ?? 0));
    put(store, VALUE, i, nanIfNull(p.value));
    put(store, THRESHOLD, i, nanIfNull(p.threshold));
    put(store, STATISTIC, i, Number.NaN);
    oddPoints(store).set(i, p);
  } else {
    putTime(store, i, slot.t);
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
