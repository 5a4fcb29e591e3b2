import type { MetricQuery, MetricRequest } from '@rollgate/core';
import { bucketBoundaryPattern } from './bucket-boundary';
import { promqlDuration } from './duration';
import {
  checkLabelName,
  type LabelMatcher,
  QueryBuildError,
  selectorMatchers,
  vectorSelector,
} from './label-matchers';
import { implicitMatchers, type ResolvedMetricNames } from './metric-names';

/**
 * The exact increase of every counter series in `selector` over the last `window`, per series.
 *
 * Why not `increase(x[window])`: it extrapolates to the window edges, so it returns fractions
 * (3 errors read as 3.75) and, with a window of one or two scrape intervals, often nothing at
 * all (it needs two samples inside the window). Consecutive windows also neither add up to the
 * total nor line up with scrapes. The sequential tests need whole events per step.
 *
 * So the increase is the difference of the counter's last scraped value at `t` and at
 * `t - window` (`x - x offset window`). For samples spaced exactly `window` apart these
 * differences telescope: the steps add up to the exact total, with each scraped event in
 * exactly one step (the step holding the scrape that first saw it).
 *
 * Counter resets (a restarted process): the difference is negative, so that series contributes
 * its current value instead, the events counted since the restart (a lower bound).
 *
 * A series with no sample at `t - window` (it is new, or its target was down then) contributes
 * nothing for that step. Counting its whole value instead would turn one missed scrape of a
 * long-running counter into a burst of millions of "events" and a false rollback; the price is
 * that a series created lazily on its first event misses those first events (initialise status
 * code series at 0, as Prometheus advises).
 */
export function counterIncrease(selector: string, window: string): string {
  return `((${selector} - ${selector} offset ${window}) >= 0 or (${selector} and ${selector} < ${selector} offset ${window}))`;
}

function aggregate(op: 'sum' | 'avg' | 'count', by: readonly string[], expr: string): string {
  return by.length === 0 ? `${op}(${expr})` : `${op} by (${by.join(', ')}) (${expr})`;
}

function formatNumber(value: number): string {
  return String(value);
}

function checkFinite(value: number, field: string, rule: (v: number) => boolean, expectation: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || !rule(value)) {
    throw new QueryBuildError(field, `${field} must be ${expectation} (got ${String(value)}).`);
  }
}

/** Prometheus refuses range queries with more points than this per series. */
export const MAX_RANGE_POINTS = 11_000;

/**
 * Checks the request fields PromQL cannot express or Prometheus would refuse, throwing
 * {@link QueryBuildError} that names the field.
 */
export function checkRequest(request: MetricRequest): void {
  checkFinite(request.start, 'start', () => true, 'a finite epoch ms');
  checkFinite(request.end, 'end', (v) => v >= request.start, 'a finite epoch ms >= start');
  checkFinite(request.stepMs, 'stepMs', (v) => v >= 1, 'at least 1 (ms)');
  const points = Math.floor((request.end - request.start) / request.stepMs) + 1;
  if (points > MAX_RANGE_POINTS) {
    throw new QueryBuildError(
      'stepMs',
      `The range asks for ${points} samples per series; Prometheus answers at most ${MAX_RANGE_POINTS}. Raise stepMs or shorten the range.`,
    );
  }
  if (request.segmentBy !== undefined) {
    checkLabelName(request.segmentBy, 'segmentBy');
    if (request.segmentBy === 'le' || request.segmentBy === '__name__') {
      throw new QueryBuildError(
        'segmentBy',
        `segmentBy cannot be ${request.segmentBy}: it is not a segment label.`,
      );
    }
  }
}

function seriesOf(
  metric: string,
  selectorMatchersList: readonly LabelMatcher[],
  extra: readonly LabelMatcher[] = [],
): string {
  return vectorSelector(metric, [...selectorMatchersList, ...implicitMatchers(metric), ...extra]);
}

function leValue(thresholdMs: number, names: ResolvedMetricNames): number {
  return names.latencyUnit === 'seconds' ? thresholdMs / 1000 : thresholdMs;
}

/**
 * Many requests that differ only in the value of one selector label, read as one query: the
 * label's equality matcher becomes `label=~"v1|v2|..."` and every aggregation keeps the label
 * (`sum by (label, ...)`), so the reply holds one series per value, each the series the
 * request for that value alone would get.
 */
export interface LabelGroup {
  readonly label: string;
  /** Distinct, non-empty values. */
  readonly values: readonly string[];
}

/** Escapes every RE2 metacharacter, as Go's `regexp.QuoteMeta` does: the value matches itself only. */
export function quoteRegex(value: string): string {
  return value.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

function groupMatcher(group: LabelGroup): LabelMatcher {
  // Prometheus anchors label regexes at both ends, so each alternative matches a whole value.
  return { name: group.label, op: '=~', value: group.values.map(quoteRegex).join('|') };
}

/**
 * The PromQL a request turns into. Every built-in measure aggregates to one series, or one per
 * `segmentBy` value (`sum by (<label>)`), and follows the sample semantics of `MetricQuery`:
 * counts are exact increments per step (see {@link counterIncrease}), quantiles are in ms,
 * gauges are values at `t`. Throws {@link QueryBuildError} for a request PromQL cannot express.
 * With `group` (a label of the request's selector), the query answers every value of the group
 * at once, one series per value (see {@link LabelGroup}).
 */
export function buildPromql(request: MetricRequest, names: ResolvedMetricNames, group?: LabelGroup): string {
  checkRequest(request);
  const segments = request.segmentBy === undefined ? [] : [request.segmentBy];
  const by = group === undefined ? segments : [group.label, ...segments];
  const window = promqlDuration(request.stepMs);
  const query: MetricQuery = request.query;
  if (query.measure === 'raw') {
    if (typeof query.query !== 'string' || query.query.trim().length === 0) {
      throw new QueryBuildError('query.query', 'query.query must be a non-empty PromQL expression.');
    }
    return query.query;
  }
  const selector = selectorMatchers(query.selector ?? {}).map((m) =>
    group !== undefined && m.name === group.label ? groupMatcher(group) : m,
  );
  const increments = (metric: string, extra: readonly LabelMatcher[] = []): string =>
    counterIncrease(seriesOf(metric, selector, extra), window);

  switch (query.measure) {
    case 'requests':
      return aggregate('sum', by, increments(names.requests));
    case 'errors': {
      const errors = aggregate(
        'sum',
        by,
        increments(names.requests, [{ name: names.statusLabel, op: '=~', value: names.errorStatusPattern }]),
      );
      // With traffic but no error series yet, `sum` over nothing is empty, which would read as
      // no-data; `0 * requests` turns it into a real zero while no traffic stays no-data.
      return `${errors} or (0 * ${aggregate('sum', by, increments(names.requests))})`;
    }
    case 'latency-quantile': {
      checkFinite(query.quantile, 'query.quantile', (v) => v >= 0 && v <= 1, 'between 0 and 1');
      // histogram_quantile only needs bucket ratios, so exact per-step bucket increments give
      // the same quantile as rate() would, and also work when a step holds a single scrape.
      const buckets = aggregate('sum', ['le', ...by], increments(`${names.latencyHistogram}_bucket`));
      const quantile = `histogram_quantile(${formatNumber(query.quantile)}, ${buckets})`;
      return names.latencyUnit === 'seconds' ? `${quantile} * 1000` : quantile;
    }
    case 'latency-exceedances': {
      checkFinite(query.thresholdMs, 'query.thresholdMs', (v) => v > 0, 'a positive number of ms');
      const le: LabelMatcher = {
        name: 'le',
        op: '=~',
        value: bucketBoundaryPattern(leValue(query.thresholdMs, names)),
      };
      const all = aggregate('sum', by, increments(`${names.latencyHistogram}_count`));
      const fast = aggregate('sum', by, increments(`${names.latencyHistogram}_bucket`, [le]));
      return `${all} - ${fast}`;
    }
    case 'memory':
      return aggregate('sum', by, seriesOf(names.memory, selector));
    case 'cpu':
      // Cores = CPU-seconds used in the step / seconds in the step, from the same exact increments.
      return `${aggregate('sum', by, increments(names.cpu))} / ${formatNumber(request.stepMs / 1000)}`;
    case 'ready':
      return aggregate('avg', by, seriesOf(names.ready, selector));
    case 'restarts': {
      if (names.restarts === 'process_start_time_seconds') {
        const start = seriesOf(names.restarts, selector);
        const changed = aggregate('count', by, `${start} != ${start} offset ${window}`);
        return `${changed} or (0 * ${aggregate('count', by, start)})`;
      }
      return aggregate('sum', by, increments(names.restarts));
    }
    default: {
      const unknown: { measure?: unknown } = query;
      throw new QueryBuildError('query.measure', `Unknown measure ${JSON.stringify(unknown.measure)}.`);
    }
  }
}
