import { SampleRing } from './sample-ring';

/** One stored series: its identity, the target that exposes it, and its bounded history. */
export interface StoredSeries {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Index of the target that exposes it. */
  readonly target: number;
  readonly ring: SampleRing;
}

/** A sample to store: a series and its value, stamped by the scrape. */
export interface IncomingSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Options of {@link SeriesStore}. */
export interface SeriesStoreOptions {
  /** Entries kept per series. */
  readonly capacity: number;
  /** Series kept at most; new series beyond it are dropped (and counted). */
  readonly maxSeries: number;
  /** A series whose newest entry is older than this is forgotten. */
  readonly retentionMs: number;
  /** Metric names stored whatever `maxSeries` says (the synthetic `up`). */
  readonly uncapped?: ReadonlySet<string>;
}

/** The identity of a series: its name and its labels in name order. */
export function seriesKey(name: string, labels: Readonly<Record<string, string>>): string {
  const parts: string[] = [name];
  for (const label of Object.keys(labels).sort()) parts.push(label, labels[label] ?? '');
  return JSON.stringify(parts);
}

/**
 * Every scraped series with a ring buffer each. Memory is bounded twice: each ring has a fixed
 * capacity, and the number of series is capped (a label with unbounded values, such as a
 * request id, would otherwise grow it forever); series that stopped being exposed are
 * forgotten once their history is older than the retention.
 */
const MAX_DROPPED_NAMES = 1000;

export class SeriesStore {
  readonly #options: SeriesStoreOptions;
  readonly #series = new Map<string, StoredSeries>();
  readonly #byName = new Map<string, Set<StoredSeries>>();
  readonly #byTarget = new Map<number, Set<StoredSeries>>();
  #dropped = 0;
  /** Metric names with at least one refused series (bounded: past it, every name counts). */
  readonly #droppedNames = new Set<string>();
  #droppedNamesOverflow = false;

  constructor(options: SeriesStoreOptions) {
    this.#options = options;
  }

  /** Series held now. */
  get seriesCount(): number {
    return this.#series.size;
  }

  /** Entries held now, over all series. */
  get entryCount(): number {
    let n = 0;
    for (const s of this.#series.values()) n += s.ring.size;
    return n;
  }

  /** New series refused because `maxSeries` was reached, since the store was created. */
  get droppedSeries(): number {
    return this.#dropped;
  }

  /** Whether a series of metric `name` was refused: reads of that metric may be incomplete. */
  droppedFrom(name: string): boolean {
    return this.#droppedNamesOverflow || this.#droppedNames.has(name);
  }

  /** The series of a metric name. */
  byName(name: string): Iterable<StoredSeries> {
    return this.#byName.get(name) ?? [];
  }

  /**
   * Stores one scrape of `target` taken at `at`. Series of that target missing from it get a
   * staleness marker, as Prometheus does, so a series that disappears (or a target that failed
   * and reported only `up`) stops answering at once instead of repeating its last value.
   */
  ingest(target: number, at: number, samples: readonly IncomingSample[]): void {
    const seen = new Set<StoredSeries>();
    for (const sample of samples) {
      const series = this.#seriesFor(target, sample.name, sample.labels);
      if (series === undefined || seen.has(series)) continue;
      seen.add(series);
      series.ring.push(at, sample.value);
    }
    for (const series of this.#byTarget.get(target) ?? []) {
      if (!seen.has(series)) series.ring.markStale(at);
    }
  }

  /** Forgets series whose newest entry is older than the retention at `now`. */
  evict(now: number): void {
    const horizon = now - this.#options.retentionMs;
    for (const [key, series] of this.#series) {
      const last = series.ring.lastTime;
      if (last !== undefined && last >= horizon) continue;
      this.#series.delete(key);
      this.#byName.get(series.name)?.delete(series);
      this.#byTarget.get(series.target)?.delete(series);
    }
  }

  #seriesFor(
    target: number,
    name: string,
    labels: Readonly<Record<string, string>>,
  ): StoredSeries | undefined {
    const key = seriesKey(name, labels);
    const existing = this.#series.get(key);
    if (existing !== undefined) return existing;
    if (this.#series.size >= this.#options.maxSeries && !this.#options.uncapped?.has(name)) {
      this.#dropped += 1;
      if (this.#droppedNames.size < MAX_DROPPED_NAMES) this.#droppedNames.add(name);
      else if (!this.#droppedNames.has(name)) this.#droppedNamesOverflow = true;
      return undefined;
    }
    const series: StoredSeries = { name, labels, target, ring: new SampleRing(this.#options.capacity) };
    this.#series.set(key, series);
    let named = this.#byName.get(name);
    if (named === undefined) {
      named = new Set();
      this.#byName.set(name, named);
    }
    named.add(series);
    let owned = this.#byTarget.get(target);
    if (owned === undefined) {
      owned = new Set();
      this.#byTarget.set(target, owned);
    }
    owned.add(series);
    return series;
  }
}
