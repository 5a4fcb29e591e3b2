import { RollgateError } from '../errors/rollgate-error';
import type { PortContext } from '../ports/abort';
import type {
  MetricQuery,
  MetricRequest,
  MetricSource,
  ReadResult,
  Sample,
  Selector,
  Series,
} from '../ports/metric-source';
import type { Clock } from '../time/clock';

/** What was observed during one step. Every field is optional: absent means "no signal". */
export interface StepData {
  readonly requests?: number;
  readonly errors?: number;
  /** Non-cumulative counts per latency bucket, one more than the bucket bounds (+Inf last). */
  readonly latencyHistogram?: readonly number[];
  /** Used for quantiles when there is no histogram (null: no requests in the step). */
  readonly latencyP99Ms?: number | null;
  readonly cpu?: number;
  readonly memory?: number;
  readonly ready?: number;
  readonly restarts?: number;
  /** Values for `raw` queries, keyed by the query text. */
  readonly raw?: Readonly<Record<string, number>>;
}

/** Options of {@link MemoryMetricSource}. */
export interface MemorySourceOptions {
  readonly name?: string;
  /** Steps ending after `clock.now()` are not visible yet, as with a real backend. */
  readonly clock: Clock;
  /** Epoch ms at which step 0 starts; step i covers `(startMs + i*stepMs, startMs + (i+1)*stepMs]`. */
  readonly startMs: number;
  readonly stepMs: number;
  /** The data, or a function choosing data by selector (e.g. a stable fleet vs the canary). */
  readonly steps: readonly StepData[] | ((selector: Selector) => readonly StepData[] | undefined);
  /** Per-segment data for `segmentBy` reads: label name and one step array per label value. */
  readonly segments?: {
    readonly label: string;
    readonly values: Readonly<Record<string, readonly StepData[]>>;
  };
  readonly latencyBucketsMs?: readonly number[];
}

const DEFAULT_BUCKETS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

/**
 * A `MetricSource` over per-step arrays, for tests and offline replay. It follows the port's
 * sample semantics exactly (count increments per interval, histogram quantiles in ms, gauges
 * at a time) and its rules (result union, abort, deadline). Failures can be injected with
 * {@link MemoryMetricSource.failNext}; data can be replaced from a step on (a simulated cutover)
 * with {@link MemoryMetricSource.overwrite}.
 */
export class MemoryMetricSource implements MetricSource {
  readonly name: string;
  readonly #options: MemorySourceOptions;
  readonly #buckets: readonly number[];
  #steps: StepData[] | null;
  #failures: ReadResult[] = [];
  #reads = 0;
  #readManyCalls = 0;

  constructor(options: MemorySourceOptions) {
    this.name = options.name ?? 'memory';
    this.#options = options;
    this.#buckets = options.latencyBucketsMs ?? DEFAULT_BUCKETS;
    this.#steps = Array.isArray(options.steps) ? [...(options.steps as readonly StepData[])] : null;
  }

  /** How many reads were answered (for tests asserting how much a component read). */
  get reads(): number {
    return this.#reads;
  }

  /** The next `count` reads answer with `result` (an error or no-data) instead of data. */
  failNext(result: ReadResult, count = 1): void {
    for (let i = 0; i < count; i++) this.#failures.push(result);
  }

  /** Replaces the data from step `fromIndex` on (only for array-backed sources). */
  overwrite(fromIndex: number, steps: readonly StepData[]): void {
    if (!this.#steps) throw new TypeError('overwrite needs an array-backed MemoryMetricSource');
    this.#steps.splice(fromIndex, this.#steps.length - fromIndex, ...steps);
  }

  describe(request: MetricRequest): string {
    const q = request.query;
    const what = q.measure === 'raw' ? `raw(${q.query})` : q.measure;
    return `memory:${what} [${request.start}..${request.end}] step ${request.stepMs}${request.segmentBy ? ` by ${request.segmentBy}` : ''}`;
  }

  async dispose(): Promise<void> {}

  /** How many `readMany` calls were made (each also counts its requests in {@link reads}). */
  get readManyCalls(): number {
    return this.#readManyCalls;
  }

  /** One result per request, in order, each what `read` answers for it. */
  async readMany(requests: readonly MetricRequest[], ctx: PortContext): Promise<readonly ReadResult[]> {
    this.#readManyCalls++;
    return Promise.all(requests.map((request) => this.read(request, ctx)));
  }

  async read(request: MetricRequest, ctx: PortContext): Promise<ReadResult> {
    this.#reads++;
    if (ctx.signal.aborted) return error('ABORTED', 'the read was aborted', false);
    if (this.#options.clock.now() > ctx.deadline)
      return error('TIMEOUT', 'the deadline passed before the read', true);
    const injected = this.#failures.shift();
    if (injected) return injected;
    if (!(request.stepMs > 0) || request.end < request.start) {
      return error('SOURCE_BAD_QUERY', 'stepMs must be > 0 and end >= start', false);
    }
    const series: Series[] = [];
    if (request.segmentBy !== undefined) {
      const seg = this.#options.segments;
      if (!seg || seg.label !== request.segmentBy)
        return { status: 'no-data', reason: `no data by ${request.segmentBy}` };
      for (const [value, steps] of Object.entries(seg.values)) {
        const samples = this.#samples(steps, request);
        if (samples.length > 0) series.push({ labels: { [seg.label]: value }, samples });
      }
    } else {
      const steps = this.#stepsFor(request.query);
      if (steps) {
        const samples = this.#samples(steps, request);
        if (samples.length > 0) series.push({ labels: {}, samples });
      }
    }
    if (series.length === 0) return { status: 'no-data', reason: 'no samples in the requested range' };
    return { status: 'ok', series };
  }

  #stepsFor(query: MetricQuery): readonly StepData[] | undefined {
    if (this.#steps) return this.#steps;
    const pick = this.#options.steps as (selector: Selector) => readonly StepData[] | undefined;
    return pick(query.measure === 'raw' ? {} : query.selector);
  }

  #samples(steps: readonly StepData[], request: MetricRequest): Sample[] {
    const { startMs, stepMs } = this.#options;
    const visibleEnd = Math.min(request.end, this.#options.clock.now());
    const above = this.#firstBucketAbove(request.query);
    const out: Sample[] = [];
    for (let t = request.start; t <= visibleEnd; t += request.stepMs) {
      // Data steps whose end time falls in (t - request.stepMs, t]: indices [first, last].
      const last = Math.floor((t - startMs) / stepMs) - 1;
      const first = Math.max(0, Math.floor((t - request.stepMs - startMs) / stepMs));
      const newest = last >= 0 && last < steps.length ? steps[last] : undefined;
      const v = this.#value(request.query, steps, first, Math.min(last, steps.length - 1), newest, above);
      if (v !== undefined && !Number.isNaN(v)) out.push({ t, v });
      if (request.start === request.end) break;
    }
    return out;
  }

  /**
   * The first histogram bucket above a latency-exceedances query's threshold bound (requests
   * slower than it), once per read rather than once per sample; the bucket count otherwise.
   */
  #firstBucketAbove(query: MetricQuery): number {
    if (query.measure !== 'latency-exceedances') return this.#buckets.length;
    const buckets = this.#buckets;
    for (let i = 0; i < buckets.length; i++) if ((buckets[i] as number) >= query.thresholdMs) return i + 1;
    return buckets.length;
  }

  /**
   * The value of `query` over the data steps `from..to` (inclusive; holes skipped). Loops over
   * the index range rather than a copied array with a callback per measure: the fleet bench
   * reads thousands of signals per tick through this double, and its garbage is not the engine's.
   * `above`: {@link #firstBucketAbove} of the query.
   */
  #value(
    query: MetricQuery,
    steps: readonly StepData[],
    from: number,
    to: number,
    newest: StepData | undefined,
    above: number,
  ): number | undefined {
    switch (query.measure) {
      case 'requests':
      case 'errors':
      case 'restarts':
      case 'latency-exceedances':
      case 'raw': {
        if (query.measure === 'raw' && query.valueType !== 'count') return newest?.raw?.[query.query];
        let total: number | undefined;
        for (let i = from; i <= to; i++) {
          const s = steps[i];
          if (!s) continue;
          const v = countOf(query, s, above);
          if (v !== undefined) total = (total ?? 0) + v;
        }
        return total;
      }
      case 'latency-quantile': {
        const covered: StepData[] = [];
        for (let i = from; i <= to; i++) {
          const s = steps[i];
          if (s) covered.push(s);
        }
        return this.#quantile(covered, query.quantile);
      }
      case 'cpu':
        return newest?.cpu;
      case 'memory':
        return newest?.memory;
      case 'ready':
        return newest?.ready;
    }
  }

  /** The quantile of merged histograms, interpolated within the bucket like histogram_quantile. */
  #quantile(covered: readonly StepData[], q: number): number | undefined {
    const merged = new Array<number>(this.#buckets.length + 1).fill(0);
    let any = false;
    for (const s of covered) {
      if (!s.latencyHistogram) continue;
      any = true;
      s.latencyHistogram.forEach((c, i) => {
        if (i < merged.length) merged[i] = (merged[i] as number) + c;
      });
    }
    if (!any) {
      const p99s = covered.map((s) => s.latencyP99Ms).filter((v): v is number => typeof v === 'number');
      if (p99s.length === 0) return undefined;
      return Math.max(...p99s);
    }
    const total = merged.reduce((a, b) => a + b, 0);
    if (total === 0) return Number.NaN;
    const rank = q * total;
    let cumulative = 0;
    for (let i = 0; i < merged.length; i++) {
      const count = merged[i] as number;
      if (cumulative + count >= rank && count > 0) {
        if (i === this.#buckets.length) return this.#buckets.at(-1) ?? Number.POSITIVE_INFINITY;
        const upper = this.#buckets[i] as number;
        const lower = i === 0 ? 0 : (this.#buckets[i - 1] as number);
        return lower + ((upper - lower) * (rank - cumulative)) / count;
      }
      cumulative += count;
    }
    return this.#buckets.at(-1);
  }
}

/** One step's count for a count query (`above`: the first histogram bucket above the threshold). */
function countOf(query: MetricQuery, s: StepData, above: number): number | undefined {
  switch (query.measure) {
    case 'requests':
      return s.requests;
    case 'errors':
      return s.errors;
    case 'restarts':
      return s.restarts;
    case 'latency-exceedances': {
      const histogram = s.latencyHistogram;
      if (!histogram) return undefined;
      let slow = 0;
      for (let i = above; i < histogram.length; i++) slow += histogram[i] as number;
      return slow;
    }
    case 'raw':
      return s.raw?.[query.query];
    default:
      return undefined;
  }
}

function error(code: RollgateError['code'], message: string, retryable: boolean): ReadResult {
  return {
    status: 'error',
    error: new RollgateError(code, message, { retryable, component: 'memory-source' }),
  };
}

/** Builds step data from parallel arrays (`{ requests: [...], errors: [...] }`). */
export function stepsFromArrays(
  arrays: { readonly [K in keyof StepData]?: readonly (StepData[K] | undefined)[] },
): StepData[] {
  const length = Math.max(0, ...Object.values(arrays).map((a) => a?.length ?? 0));
  const steps: StepData[] = [];
  for (let i = 0; i < length; i++) {
    const step: Record<string, unknown> = {};
    for (const [key, values] of Object.entries(arrays)) {
      const v = values?.[i];
      if (v !== undefined) step[key] = v;
    }
    steps.push(step as StepData);
  }
  return steps;
}
