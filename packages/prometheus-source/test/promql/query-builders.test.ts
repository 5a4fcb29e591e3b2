import type { MetricQuery, MetricRequest } from '@rollgate/core';
import { describe, expect, it } from 'vitest';
import { QueryBuildError } from '../../src/promql/label-matchers';
import { DEFAULT_METRIC_NAMES, resolveMetricNames } from '../../src/promql/metric-names';
import { buildPromql, counterIncrease } from '../../src/promql/query-builders';

const sel = { service: 'checkout' };
const req = (query: MetricQuery, extra: Partial<MetricRequest> = {}): MetricRequest => ({
  query,
  start: 1_700_000_000_000,
  end: 1_700_000_060_000,
  stepMs: 10_000,
  ...extra,
});
const build = (query: MetricQuery, extra: Partial<MetricRequest> = {}) =>
  buildPromql(req(query, extra), DEFAULT_METRIC_NAMES);
const inc = (s: string, w = '10s') =>
  `((${s} - ${s} offset ${w}) >= 0 or (${s} and ${s} < ${s} offset ${w}))`;

describe('counterIncrease', () => {
  it('is the offset difference, with the current value after a reset', () => {
    expect(counterIncrease('x{a="1"}', '1m')).toBe(
      '((x{a="1"} - x{a="1"} offset 1m) >= 0 or (x{a="1"} and x{a="1"} < x{a="1"} offset 1m))',
    );
  });
});

describe('buildPromql per measure', () => {
  it('requests: exact per-step increments of http_requests_total', () => {
    expect(build({ measure: 'requests', selector: sel })).toBe(
      `sum(${inc('http_requests_total{service="checkout"}')})`,
    );
  });

  it('errors: 5xx increments, a real zero when there is traffic but no error series', () => {
    const errors = inc('http_requests_total{service="checkout", code=~"5.."}');
    const all = inc('http_requests_total{service="checkout"}');
    expect(build({ measure: 'errors', selector: sel })).toBe(`sum(${errors}) or (0 * sum(${all}))`);
  });

  it('latency-quantile: histogram_quantile over per-step bucket increments, in ms', () => {
    expect(build({ measure: 'latency-quantile', selector: sel, quantile: 0.99 })).toBe(
      `histogram_quantile(0.99, sum by (le) (${inc('http_request_duration_seconds_bucket{service="checkout"}')})) * 1000`,
    );
  });

  it('latency-exceedances: count minus the bucket at the threshold, matched in any spelling', () => {
    expect(build({ measure: 'latency-exceedances', selector: sel, thresholdMs: 250 })).toBe(
      `sum(${inc('http_request_duration_seconds_count{service="checkout"}')}) - sum(${inc(
        'http_request_duration_seconds_bucket{service="checkout", le=~"0[.]25|0[.]250|0[.]2500"}',
      )})`,
    );
  });

  it('memory: the summed gauge', () => {
    expect(build({ measure: 'memory', selector: sel })).toBe(
      'sum(process_resident_memory_bytes{service="checkout"})',
    );
  });

  it('cpu: CPU-seconds used in the step divided by the step in seconds', () => {
    expect(build({ measure: 'cpu', selector: sel })).toBe(
      `sum(${inc('process_cpu_seconds_total{service="checkout"}')}) / 10`,
    );
  });

  it('ready: the fraction of targets up', () => {
    expect(build({ measure: 'ready', selector: sel })).toBe('avg(up{service="checkout"})');
  });

  it('restarts: increments of the kube-state-metrics restart counter', () => {
    expect(build({ measure: 'restarts', selector: sel })).toBe(
      `sum(${inc('kube_pod_container_status_restarts_total{service="checkout"}')})`,
    );
  });

  it('raw: the query verbatim', () => {
    expect(build({ measure: 'raw', query: 'sum(rate(x[1m]))', valueType: 'gauge' })).toBe('sum(rate(x[1m]))');
  });

  it('uses the step as the offset window, in the largest exact unit', () => {
    expect(build({ measure: 'requests', selector: {} }, { stepMs: 60_000 })).toBe(
      `sum(${inc('http_requests_total', '1m')})`,
    );
    expect(build({ measure: 'requests', selector: {} }, { stepMs: 1500 })).toBe(
      `sum(${inc('http_requests_total', '1500ms')})`,
    );
  });
});

describe('segmentBy', () => {
  it('aggregates by the label for every measure', () => {
    const seg = { segmentBy: 'region' };
    expect(build({ measure: 'requests', selector: sel }, seg)).toBe(
      `sum by (region) (${inc('http_requests_total{service="checkout"}')})`,
    );
    expect(build({ measure: 'errors', selector: sel }, seg)).toBe(
      `sum by (region) (${inc('http_requests_total{service="checkout", code=~"5.."}')}) or (0 * sum by (region) (${inc(
        'http_requests_total{service="checkout"}',
      )}))`,
    );
    expect(build({ measure: 'latency-quantile', selector: sel, quantile: 0.5 }, seg)).toContain(
      'sum by (le, region) (',
    );
    expect(build({ measure: 'ready', selector: sel }, seg)).toBe('avg by (region) (up{service="checkout"})');
    expect(build({ measure: 'memory', selector: sel }, seg)).toBe(
      'sum by (region) (process_resident_memory_bytes{service="checkout"})',
    );
  });

  it('refuses a segment label that is not a label name, or le', () => {
    expect(() => build({ measure: 'requests', selector: sel }, { segmentBy: 'a) or vector(1' })).toThrow(
      QueryBuildError,
    );
    expect(() => build({ measure: 'requests', selector: sel }, { segmentBy: 'le' })).toThrow(QueryBuildError);
  });
});

describe('metric name overrides', () => {
  it('uses Kubernetes names with the matchers they need', () => {
    const names = resolveMetricNames({
      memory: 'container_memory_working_set_bytes',
      cpu: 'container_cpu_usage_seconds_total',
      ready: 'kube_pod_status_ready',
    });
    const b = (query: MetricQuery) => buildPromql(req(query), names);
    expect(b({ measure: 'memory', selector: { namespace: 'shop' } })).toBe(
      'sum(container_memory_working_set_bytes{namespace="shop", container!="", container!="POD"})',
    );
    expect(b({ measure: 'cpu', selector: { namespace: 'shop' } })).toContain(
      'container_cpu_usage_seconds_total{namespace="shop", container!="", container!="POD"}',
    );
    expect(b({ measure: 'ready', selector: { namespace: 'shop' } })).toBe(
      'avg(kube_pod_status_ready{namespace="shop", condition="true"})',
    );
  });

  it('reads status labels, error patterns and millisecond histograms as configured', () => {
    const names = resolveMetricNames({
      requests: 'requests_total',
      statusLabel: 'status',
      errorStatusPattern: '5\\d\\d|429',
      latencyHistogram: 'request_latency_milliseconds',
    });
    expect(names.latencyUnit).toBe('milliseconds');
    const b = (query: MetricQuery) => buildPromql(req(query), names);
    expect(b({ measure: 'errors', selector: {} })).toContain('requests_total{status=~"5\\\\d\\\\d|429"}');
    expect(b({ measure: 'latency-quantile', selector: {}, quantile: 0.9 })).not.toContain('* 1000');
    expect(b({ measure: 'latency-exceedances', selector: {}, thresholdMs: 250 })).toContain(
      'le=~"250|250[.]0|250[.]00"',
    );
  });

  it('counts instances whose start time changed when restarts is process_start_time_seconds', () => {
    const names = resolveMetricNames({ restarts: 'process_start_time_seconds' });
    expect(buildPromql(req({ measure: 'restarts', selector: { job: 'api' } }), names)).toBe(
      'count(process_start_time_seconds{job="api"} != process_start_time_seconds{job="api"} offset 10s) or (0 * count(process_start_time_seconds{job="api"}))',
    );
  });
});

describe('request checks', () => {
  it('names the field at fault', () => {
    const cases: [MetricRequest, string][] = [
      [req({ measure: 'requests', selector: {} }, { end: 1 }), 'end'],
      [req({ measure: 'requests', selector: {} }, { stepMs: 0 }), 'stepMs'],
      [req({ measure: 'requests', selector: {} }, { stepMs: Number.NaN }), 'stepMs'],
      [req({ measure: 'requests', selector: {} }, { start: 0, end: 20_000_000, stepMs: 1000 }), 'stepMs'],
      [req({ measure: 'latency-quantile', selector: {}, quantile: 1.5 }), 'query.quantile'],
      [req({ measure: 'latency-exceedances', selector: {}, thresholdMs: 0 }), 'query.thresholdMs'],
      [req({ measure: 'raw', query: '  ', valueType: 'count' }), 'query.query'],
      [req({ measure: 'requests', selector: { 'bad-name': 'x' } }), 'query.selector.bad-name'],
    ];
    for (const [request, field] of cases) {
      try {
        buildPromql(request, DEFAULT_METRIC_NAMES);
        expect.unreachable(`expected ${field} to be refused`);
      } catch (error) {
        expect(error).toBeInstanceOf(QueryBuildError);
        expect((error as QueryBuildError).field).toBe(field);
      }
    }
  });
});
