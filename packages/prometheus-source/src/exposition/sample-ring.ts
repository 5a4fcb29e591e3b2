/** Slots a new ring starts with; it doubles as it fills. */
const INITIAL_SLOTS = 64;

/**
 * The history of one series: a fixed-capacity ring of (time, value) entries in ascending time,
 * where an entry may be a staleness marker (the series was absent from a scrape, or its target
 * could not be scraped). Storage grows by doubling up to `capacity` entries (17 bytes each);
 * once full, the oldest entry is overwritten, so memory per series is bounded whatever the
 * uptime, and a young series costs only what it holds.
 */
export class SampleRing {
  readonly capacity: number;
  #times: Float64Array;
  #values: Float64Array;
  #stale: Uint8Array;
  #start = 0;
  #size = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 2) throw new RangeError('capacity must be an integer >= 2');
    this.capacity = capacity;
    const initial = Math.min(capacity, INITIAL_SLOTS);
    this.#times = new Float64Array(initial);
    this.#values = new Float64Array(initial);
    this.#stale = new Uint8Array(initial);
  }

  /** Slots allocated now (at most `capacity`). */
  get allocated(): number {
    return this.#times.length;
  }

  /** Entries held (values and staleness markers). */
  get size(): number {
    return this.#size;
  }

  /** Time of the newest entry, or undefined when empty. */
  get lastTime(): number | undefined {
    return this.#size === 0 ? undefined : this.#times[this.#slot(this.#size - 1)];
  }

  /** Whether the newest entry is a staleness marker. */
  get lastIsStale(): boolean {
    return this.#size > 0 && this.#stale[this.#slot(this.#size - 1)] === 1;
  }

  /** Appends a value at `t`; an entry at the same time as the newest replaces it; older is ignored. */
  push(t: number, value: number): void {
    this.#append(t, value, 0);
  }

  /** Appends a staleness marker at `t` (unless the newest entry already is one). */
  markStale(t: number): void {
    if (this.#size === 0 || this.lastIsStale) return;
    this.#append(t, Number.NaN, 1);
  }

  /**
   * The value in force at `t`: the newest entry at or before `t`, when it is a value (not a
   * staleness marker) no older than `lookbackMs`. Mirrors how PromQL picks the sample of an
   * instant vector selector.
   */
  valueAt(t: number, lookbackMs: number): number | undefined {
    let lo = 0;
    let hi = this.#size - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((this.#times[this.#slot(mid)] ?? Number.POSITIVE_INFINITY) <= t) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (found < 0) return undefined;
    const slot = this.#slot(found);
    if (this.#stale[slot] === 1) return undefined;
    if (t - (this.#times[slot] ?? Number.NEGATIVE_INFINITY) > lookbackMs) return undefined;
    return this.#values[slot];
  }

  #slot(index: number): number {
    return (this.#start + index) % this.#times.length;
  }

  /** Doubles the storage (up to capacity), unrolling the ring so the oldest entry is at 0. */
  #grow(): void {
    const size = Math.min(this.capacity, this.#times.length * 2);
    const times = new Float64Array(size);
    const values = new Float64Array(size);
    const stale = new Uint8Array(size);
    for (let i = 0; i < this.#size; i++) {
      const slot = this.#slot(i);
      times[i] = this.#times[slot] ?? 0;
      values[i] = this.#values[slot] ?? 0;
      stale[i] = this.#stale[slot] ?? 0;
    }
    this.#times = times;
    this.#values = values;
    this.#stale = stale;
    this.#start = 0;
  }

  #append(t: number, value: number, stale: 0 | 1): void {
    const last = this.lastTime;
    if (last !== undefined && t < last) return;
    if (last !== undefined && t === last) {
      const slot = this.#slot(this.#size - 1);
      this.#values[slot] = value;
      this.#stale[slot] = stale;
      return;
    }
    if (this.#size === this.#times.length && this.#times.length < this.capacity) this.#grow();
    let slot: number;
    if (this.#size < this.#times.length) {
      slot = this.#slot(this.#size);
      this.#size += 1;
    } else {
      slot = this.#start;
      this.#start = (this.#start + 1) % this.#times.length;
    }
    this.#times[slot] = t;
    this.#values[slot] = value;
    this.#stale[slot] = stale;
  }
}
