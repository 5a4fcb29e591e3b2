import { type MetricRequest, type ReadResult, RollgateError, type Sample, type Series } from '@rollgate/core';
import { COMPONENT } from './classify';
import type { PrometheusReply } from './envelope';

function noDataHint(request: MetricRequest): string {
  switch (request.query.measure) {
    case 'latency-exceedances':
      return ' For latency-exceedances, also check that the histogram has a bucket boundary at exactly thresholdMs.';
    case 'latency-quantile':
      return ' A quantile is NaN when no request completed in the step.';
    default:
      return '';
  }
}

/**
 * Shapes parsed data into the port's result for `request`: NaN samples dropped (±Infinity kept),
 * samples ascending, one series without `segmentBy` (labels `{}`), one per segment with it
 * (labels `{[segmentBy]: value}`, `""` for series without the label). Nothing left means
 * `no-data` with the reason; several series without `segmentBy`, or two for one segment, is a
 * query that does not aggregate (possible only with `raw`): `SOURCE_BAD_QUERY`. The reply's
 * warnings come along as `partial` on `ok` and `no-data` alike; its infos are informational and
 * are dropped.
 */
export function toReadResult(reply: PrometheusReply, request: MetricRequest): ReadResult {
  if (reply.resultType === 'string') {
    return {
      status: 'error',
      error: new RollgateError(
        'SOURCE_BAD_QUERY',
        'The query returned a string; Rollgate needs a number per sample.',
        {
          component: COMPONENT,
          retryable: false,
        },
      ),
    };
  }
  // The reply's warnings say it may be incomplete: they travel as `partial` on every answer, an
  // empty one included (a partial empty result is no "zero"); core judges no partial read.
  const warned = reply.warnings.length > 0 ? { partial: reply.warnings } : {};
  if (reply.series.length === 0) {
    return {
      status: 'no-data',
      reason: `Prometheus returned no series: no traffic yet, a stopped target whose series went stale, or a selector that matches nothing.${noDataHint(request)}`,
      ...warned,
    };
  }
  const segmentBy = request.segmentBy;
  const series: Series[] = [];
  const seen = new Set<string>();
  for (const raw of reply.series) {
    const samples = usableSamples(raw.samples);
    if (samples.length === 0) continue;
    const segment = segmentBy === undefined ? '' : (raw.metric[segmentBy] ?? '');
    if (seen.has(segment)) {
      const message =
        segmentBy === undefined
          ? `The query returned ${reply.series.length} series; aggregate it to one (for example sum(...)) or set segmentBy.`
          : `The query returned several series for ${segmentBy}=${JSON.stringify(segment)}; aggregate it with sum by (${segmentBy}) (...).`;
      return {
        status: 'error',
        error: new RollgateError('SOURCE_BAD_QUERY', message, { component: COMPONENT, retryable: false }),
      };
    }
    seen.add(segment);
    series.push({ labels: segmentBy === undefined ? {} : { [segmentBy]: segment }, samples });
  }
  if (series.length === 0) {
    return {
      status: 'no-data',
      reason: `Prometheus returned only NaN samples (for example a ratio or quantile with no requests in the step).${noDataHint(request)}`,
      ...warned,
    };
  }
  series.sort((a, b) => {
    const x = segmentBy === undefined ? '' : (a.labels[segmentBy] ?? '');
    const y = segmentBy === undefined ? '' : (b.labels[segmentBy] ?? '');
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return { status: 'ok', series, ...warned };
}

/**
 * A series' samples without NaN, ascending by time (stable for ties). Prometheus answers a range
 * query with every series in time order and most samples are numbers, so the parsed samples
 * (`{t, v}` each, this reply's own: envelope.ts) are kept as they are, array and objects, with
 * no copy and no sort; otherwise the numbers are copied and sorted (docs/benchmarks.md,
 * `alloc15-issue-13`). The same samples either way: a sort of an ordered array moves nothing.
 */
function usableSamples(raw: readonly Sample[]): Sample[] {
  let previous = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < raw.length; i++) {
    const s = raw[i] as Sample;
    if (Number.isNaN(s.v) || s.t < previous) return copyUsable(raw);
    previous = s.t;
  }
  return raw as Sample[];
}

/** The samples with a number value, copied, ascending by time (stable for ties). */
function copyUsable(raw: readonly Sample[]): Sample[] {
  const samples: Sample[] = [];
  for (const s of raw) if (!Number.isNaN(s.v)) samples.push({ t: s.t, v: s.v });
  return samples.sort((a, b) => a.t - b.t);
}
