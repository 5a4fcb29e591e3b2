import type { MetricRequest } from '@rollgate/core';
import { type LabelMatcher, QueryBuildError, selectorMatchers } from '../promql/label-matchers';
import { implicitMatchers, type ResolvedMetricNames } from '../promql/metric-names';
import type { PrometheusReply, RawSample, RawSeries } from '../reply/envelope';
import { parseSampleValue } from '../reply/sample-value';
import { type HistogramBucket, histogramQuantile } from './histogram-quantile';
import { parseRawSelector } from './raw-selector';
import type { SeriesStore, StoredSeries } from './series-store';

/** A per-segment value at one evaluation time (segment `""` when there is no `segmentBy`). */
type Vector = Map<string, number>;

type LabelTest = (labels: Readonly<Record<string, string>>) => boolean;

/** A label's value, `""` when the series does not have it (as in PromQL); own keys only. */
function labelValue(labels: Readonly<Record<string, string>>, name: string): string {
  return Object.hasOwn(labels, name) ? (labels[name] ?? '') : '';
}

function compileMatcher(m: LabelMatcher): LabelTest {
  const get = (labels: Readonly<Record<string, string>>) => labelValue(labels, m.name);
  if (m.op === '=') return (labels) => get(labels) === m.value;
  if (m.op === '!=') return (labels) => get(labels) !== m.value;
  let pattern: RegExp;
  try {
    // PromQL regexes are fully anchored.
    pattern = new RegExp(`^(?:${m.value})$`);
  } catch (error) {
    throw new QueryBuildError(
      `matcher ${m.name}`,
      `${JSON.stringify(m.value)} is not a valid regular expression for ${m.name} (${error instanceof Error ? error.message : String(error)}).`,
    );
  }
  return m.op === '=~' ? (labels) => pattern.test(get(labels)) : (labels) => !pattern.test(get(labels));
}

/** The series of `metric` matching every matcher (plus the implicit ones the metric needs). */
function select(e: Evaluation, metric: string, matchers: readonly LabelMatcher[]): StoredSeries[] {
  const { store } = e;
  e.metrics.add(metric);
  const tests = [...matchers, ...implicitMatchers(metric)].map(compileMatcher);
  const out: StoredSeries[] = [];
  for (const series of store.byName(metric)) if (tests.every((t) => t(series.labels))) out.push(series);
  return out;
}

/** Everything one read needs to evaluate its measure at each time. */
interface Evaluation {
  readonly store: SeriesStore;
  readonly lookbackMs: number;
  readonly windowMs: number;
  readonly segmentBy: string | undefined;
  /** The metric names the read looked up, so the caller can tell whether any was capped. */
  readonly metrics: Set<string>;
}

function segmentOf(e: Evaluation, series: StoredSeries): string {
  return e.segmentBy === undefined ? '' : labelValue(series.labels, e.segmentBy);
}

/**
 * The exact increase of one counter series over `(t - window, t]`, exactly as
 * `counterIncrease` computes it in PromQL: the last value at `t` minus the last value at
 * `t - window`; after a reset (a smaller value) the current value; nothing when either end has
 * no sample (a new series, a target that was down).
 */
function increase(e: Evaluation, series: StoredSeries, t: number): number | undefined {
  const now = series.ring.valueAt(t, e.lookbackMs);
  const before = series.ring.valueAt(t - e.windowMs, e.lookbackMs);
  if (now === undefined || before === undefined || Number.isNaN(now) || Number.isNaN(before))
    return undefined;
  return now >= before ? now - before : now;
}

function add(vector: Vector, key: string, value: number): void {
  vector.set(key, (vector.get(key) ?? 0) + value);
}

/** `sum by (segment) (increase(series))` at `t`. */
function sumIncreases(e: Evaluation, series: readonly StoredSeries[], t: number): Vector {
  const out: Vector = new Map();
  for (const s of series) {
    const inc = increase(e, s, t);
    if (inc !== undefined) add(out, segmentOf(e, s), inc);
  }
  return out;
}

/** `sum by (segment) (series)` at `t` (gauges). */
function sumValues(e: Evaluation, series: readonly StoredSeries[], t: number): Vector {
  const out: Vector = new Map();
  for (const s of series) {
    const v = s.ring.valueAt(t, e.lookbackMs);
    if (v !== undefined) add(out, segmentOf(e, s), v);
  }
  return out;
}

/** `avg by (segment) (series)` at `t`. */
function avgValues(e: Evaluation, series: readonly StoredSeries[], t: number): Vector {
  const sums: Vector = new Map();
  const counts: Vector = new Map();
  for (const s of series) {
    const v = s.ring.valueAt(t, e.lookbackMs);
    if (v === undefined) continue;
    add(sums, segmentOf(e, s), v);
    add(counts, segmentOf(e, s), 1);
  }
  const out: Vector = new Map();
  for (const [key, sum] of sums) out.set(key, sum / (counts.get(key) ?? 1));
  return out;
}

/** `histogram_quantile(q, sum by (le, segment) (increase(buckets)))` at `t`. */
function quantile(e: Evaluation, buckets: readonly StoredSeries[], q: number, t: number): Vector {
  const bySegment = new Map<string, Map<number, number>>();
  for (const s of buckets) {
    const bound = parseSampleValue(labelValue(s.labels, 'le'));
    if (bound === undefined || Number.isNaN(bound)) continue;
    const inc = increase(e, s, t);
    if (inc === undefined) continue;
    const key = segmentOf(e, s);
    let les = bySegment.get(key);
    if (les === undefined) {
      les = new Map();
      bySegment.set(key, les);
    }
    les.set(bound, (les.get(bound) ?? 0) + inc);
  }
  const out: Vector = new Map();
  for (const [key, les] of bySegment) {
    const list: HistogramBucket[] = [...les].map(([upperBound, count]) => ({ upperBound, count }));
    out.set(key, histogramQuantile(q, list));
  }
  return out;
}

/** `count by (segment) (S != S offset W) or (0 * count by (segment) (S))` at `t`. */
function changedStartTimes(e: Evaluation, series: readonly StoredSeries[], t: number): Vector {
  const out: Vector = new Map();
  for (const s of series) {
    const now = s.ring.valueAt(t, e.lookbackMs);
    if (now === undefined) continue;
    const key = segmentOf(e, s);
    const before = s.ring.valueAt(t - e.windowMs, e.lookbackMs);
    const changed = before !== undefined && now !== before ? 1 : 0;
    add(out, key, changed);
  }
  return out;
}

function leBound(thresholdMs: number, names: ResolvedMetricNames): number {
  return names.latencyUnit === 'seconds' ? thresholdMs / 1000 : thresholdMs;
}

/**
 * A function from an evaluation time to the per-segment result, for one request. Everything
 * that depends only on the request (series selection, regexes) is done once, here.
 */
function planRequest(
  e: Evaluation,
  request: MetricRequest,
  names: ResolvedMetricNames,
): (t: number) => Vector {
  const query = request.query;
  if (query.measure === 'raw') {
    const selector = parseRawSelector(query.query);
    const series = select(e, selector.metric, selector.matchers);
    return query.valueType === 'count' ? (t) => sumIncreases(e, series, t) : (t) => sumValues(e, series, t);
  }
  const selector = selectorMatchers(query.selector ?? {});
  const of = (metric: string, extra: readonly LabelMatcher[] = []) =>
    select(e, metric, [...selector, ...extra]);
  switch (query.measure) {
    case 'requests': {
      const series = of(names.requests);
      return (t) => sumIncreases(e, series, t);
    }
    case 'errors': {
      const all = of(names.requests);
      const failed = of(names.requests, [
        { name: names.statusLabel, op: '=~', value: names.errorStatusPattern },
      ]);
      return (t) => {
        const errors = sumIncreases(e, failed, t);
        // `errors or (0 * requests)`: traffic without any 5xx series is a real zero.
        for (const key of sumIncreases(e, all, t).keys()) if (!errors.has(key)) errors.set(key, 0);
        return errors;
      };
    }
    case 'latency-quantile': {
      const buckets = of(`${names.latencyHistogram}_bucket`);
      const scale = names.latencyUnit === 'seconds' ? 1000 : 1;
      return (t) => {
        const out = quantile(e, buckets, query.quantile, t);
        for (const [key, v] of out) out.set(key, v * scale);
        return out;
      };
    }
    case 'latency-exceedances': {
      const bound = leBound(query.thresholdMs, names);
      const counts = of(`${names.latencyHistogram}_count`);
      // Any spelling of the boundary (`0.25`, `0.250`, `2.5e-01`) is the same number.
      const fast = of(`${names.latencyHistogram}_bucket`).filter(
        (s) => parseSampleValue(labelValue(s.labels, 'le')) === bound,
      );
      return (t) => {
        const all = sumIncreases(e, counts, t);
        const within = sumIncreases(e, fast, t);
        const out: Vector = new Map();
        for (const [key, n] of all) {
          const w = within.get(key);
          if (w !== undefined) out.set(key, n - w);
        }
        return out;
      };
    }
    case 'memory': {
      const series = of(names.memory);
      return (t) => sumValues(e, series, t);
    }
    case 'cpu': {
      const series = of(names.cpu);
      const seconds = request.stepMs / 1000;
      return (t) => {
        const out = sumIncreases(e, series, t);
        for (const [key, v] of out) out.set(key, v / seconds);
        return out;
      };
    }
    case 'ready': {
      const series = of(names.ready);
      return (t) => avgValues(e, series, t);
    }
    case 'restarts': {
      const series = of(names.restarts);
      if (names.restarts === 'process_start_time_seconds') return (t) => changedStartTimes(e, series, t);
      return (t) => sumIncreases(e, series, t);
    }
    default: {
      const unknown: { measure?: unknown } = query;
      throw new QueryBuildError('query.measure', `Unknown measure ${JSON.stringify(unknown.measure)}.`);
    }
  }
}

/** A reply evaluated from the stored scrapes, with the metric names it read. */
export interface ExpositionReply extends PrometheusReply {
  readonly metrics: readonly string[];
}

/**
 * Evaluates a request over the stored scrapes with the same semantics as the PromQL that
 * `buildPromql` writes for it (counts as exact per-step increments with reset handling,
 * quantiles in ms from bucket increments, gauges at `t`, `segmentBy` as `sum by`), at
 * `start, start + stepMs, ..., end`. Returns the result in the shape of a Prometheus matrix
 * reply, one series per segment, NaN samples included (the caller drops them). Throws
 * {@link QueryBuildError} for a request it cannot evaluate (a bad regex, a raw query that is not
 * a series selector).
 */
export function evaluateRequest(
  store: SeriesStore,
  request: MetricRequest,
  names: ResolvedMetricNames,
  lookbackMs: number,
): ExpositionReply {
  const e: Evaluation = {
    store,
    lookbackMs,
    windowMs: request.stepMs,
    segmentBy: request.segmentBy,
    metrics: new Set(),
  };
  const at = planRequest(e, request, names);
  const bySegment = new Map<string, RawSample[]>();
  for (let k = 0; ; k++) {
    const t = request.start + k * request.stepMs;
    if (t > request.end) break;
    for (const [key, v] of at(t)) {
      let samples = bySegment.get(key);
      if (samples === undefined) {
        samples = [];
        bySegment.set(key, samples);
      }
      samples.push({ t, v });
    }
    if (request.start === request.end) break;
  }
  const series: RawSeries[] = [...bySegment].map(([key, samples]) => ({
    metric: request.segmentBy === undefined ? {} : { [request.segmentBy]: key },
    samples,
  }));
  return { resultType: 'matrix', series, warnings: [], infos: [], metrics: [...e.metrics] };
}
