import type { Scenario } from '@rollgate/testkit/scenarios';
import { histogramQuantile, sumHistograms } from '../stats/histogram-quantile';

/**
 * The per-minute view the peer tools get from Prometheus: each of their 1-minute checks reads
 * `sum(increase(x[1m]))`-style aggregates over the minute that just ended. Minutes are counted
 * from the deploy (bake) or from step 0 (baseline); a minute is `stepsPerMinute` steps.
 */
export interface MinuteWindow {
  /** First and last step (inclusive) of the minute. */
  readonly from: number;
  readonly to: number;
  readonly requests: number;
  readonly errors: number;
  /** `errors / requests`, null without requests (the query returns no value). */
  readonly errorRate: number | null;
  /** `histogram_quantile(0.99, ...)` over the minute, null without requests. */
  readonly p99Ms: number | null;
  /** max_over_time of memory; null when the scenario has no memory series. */
  readonly memoryMaxBytes: number | null;
  /** mean memory (Kayenta's per-minute point); null without the series. */
  readonly memoryMeanBytes: number | null;
  /** min_over_time of the ready fraction; null without the series. */
  readonly readyMin: number | null;
  /** increase of restarts; null without the series. */
  readonly restarts: number | null;
}

/** Steps in one minute (at least 1). */
export function stepsPerMinute(s: Scenario): number {
  return Math.max(1, Math.round(60 / s.stepSeconds));
}

/** Aggregates steps [from, to] into one minute window. */
export function window(s: Scenario, from: number, to: number): MinuteWindow {
  const { series } = s;
  let requests = 0;
  let errors = 0;
  for (let t = from; t <= to; t++) {
    requests += series.requests[t] ?? 0;
    errors += series.errors[t] ?? 0;
  }
  const width = s.latencyBucketsMs.length + 1;
  const hist = sumHistograms(series.latencyHistogram.slice(from, to + 1), width);
  const slice = <T>(xs: readonly T[] | undefined) => (xs ? xs.slice(from, to + 1) : null);
  const mem = slice(series.memoryBytes);
  const ready = slice(series.ready);
  const restarts = slice(series.restarts);
  return {
    from,
    to,
    requests,
    errors,
    errorRate: requests > 0 ? errors / requests : null,
    p99Ms: histogramQuantile(0.99, s.latencyBucketsMs, hist),
    memoryMaxBytes: mem && mem.length > 0 ? Math.max(...mem) : null,
    memoryMeanBytes: mem && mem.length > 0 ? mem.reduce((a, b) => a + b, 0) / mem.length : null,
    readyMin: ready && ready.length > 0 ? Math.min(...ready) : null,
    restarts: restarts ? restarts.reduce((a, b) => a + b, 0) : null,
  };
}

/** The complete minutes of the bake, from the deploy; the last partial minute is dropped. */
export function bakeMinutes(s: Scenario): MinuteWindow[] {
  const m = stepsPerMinute(s);
  const steps = s.series.requests.length;
  const out: MinuteWindow[] = [];
  for (let from = s.deployAtStep; from + m - 1 < steps; from += m) out.push(window(s, from, from + m - 1));
  return out;
}

/** Complete minutes in [0, end), aligned to end (the minute just before `end` is the last). */
export function minutesBefore(s: Scenario, end: number): MinuteWindow[] {
  const m = stepsPerMinute(s);
  const out: MinuteWindow[] = [];
  for (let to = end - 1; to - m + 1 >= 0; to -= m) out.unshift(window(s, to - m + 1, to));
  return out;
}
