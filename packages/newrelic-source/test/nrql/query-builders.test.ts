import type { MetricQuery, MetricRequest } from '@rollgate/core';
import { RollgateError } from '@rollgate/core';
import { describe, expect, it } from 'vitest';
import type { NewRelicSourceOptions } from '../../src/config/newrelic-source-options-schema';
import { resolveOptions } from '../../src/config/resolve-options';
import { buildNrql, MAX_TIMESERIES_BUCKETS } from '../../src/nrql/query-builders';

const T = 1_700_000_400_000;
const base = { accountId: 1, apiKey: 'NRAK-X', region: 'us' } as const;

function settings(extra: Partial<NewRelicSourceOptions> = {}) {
  return resolveOptions({ ...base, ...extra }).nrql;
}

function single(query: MetricQuery, extra: Partial<MetricRequest> = {}): MetricRequest {
  return { query, start: T, end: T, stepMs: 60_000, ...extra };
}

function range(query: MetricQuery, extra: Partial<MetricRequest> = {}): MetricRequest {
  return { query, start: T - 4 * 60_000, end: T, stepMs: 60_000, ...extra };
}

const app = { appName: 'checkout' };
const since = T - 60_000;

function badQuery(fn: () => unknown): RollgateError {
  try {
    fn();
  } catch (error) {
    expect(RollgateError.is(error)).toBe(true);
    expect((error as RollgateError).code).toBe('SOURCE_BAD_QUERY');
    return error as RollgateError;
  }
  throw new Error('expected SOURCE_BAD_QUERY');
}

describe('buildNrql: the NRQL per measure', () => {
  const s = settings();
  it.each([
    [
      'requests',
      { measure: 'requests', selector: app },
      `SELECT count(*) AS 'requests' FROM \`Transaction\` WHERE \`appName\` = 'checkout' SINCE ${since} UNTIL ${T}`,
    ],
    [
      'errors (error IS TRUE or HTTP status >= 500)',
      { measure: 'errors', selector: app },
      `SELECT filter(count(*), WHERE (\`error\` IS TRUE OR \`http.statusCode\` >= 500)) AS 'errors' FROM \`Transaction\` WHERE \`appName\` = 'checkout' SINCE ${since} UNTIL ${T}`,
    ],
    [
      'latency-quantile 0.99',
      { measure: 'latency-quantile', selector: app, quantile: 0.99 },
      `SELECT percentile(\`duration\`, 99) AS 'latency' FROM \`Transaction\` WHERE \`appName\` = 'checkout' SINCE ${since} UNTIL ${T}`,
    ],
    [
      'latency-quantile 0.999',
      { measure: 'latency-quantile', selector: app, quantile: 0.999 },
      `SELECT percentile(\`duration\`, 99.9) AS 'latency' FROM \`Transaction\` WHERE \`appName\` = 'checkout' SINCE ${since} UNTIL ${T}`,
    ],
    [
      'latency-exceedances 250 ms → 0.25 s',
      { measure: 'latency-exceedances', selector: app, thresholdMs: 250 },
      `SELECT filter(count(*), WHERE \`duration\` > 0.25) AS 'exceedances' FROM \`Transaction\` WHERE \`appName\` = 'checkout' SINCE ${since} UNTIL ${T}`,
    ],
    [
      'latency-exceedances with a tiny threshold stays in plain decimals',
      { measure: 'latency-exceedances', selector: app, thresholdMs: 0.0001 },
      `SELECT filter(count(*), WHERE \`duration\` > 0.0000001) AS 'exceedances' FROM \`Transaction\` WHERE \`appName\` = 'checkout' SINCE ${since} UNTIL ${T}`,
    ],
    [
      'memory from SystemSample',
      { measure: 'memory', selector: { hostname: 'web-1' } },
      `SELECT average(\`memoryUsedBytes\`) AS 'memory' FROM \`SystemSample\` WHERE \`hostname\` = 'web-1' SINCE ${since} UNTIL ${T}`,
    ],
    [
      'cpu from SystemSample, in cores',
      { measure: 'cpu', selector: { hostname: 'web-1' } },
      `SELECT average(\`cpuPercent\` * \`coreCount\` / 100) AS 'cpu' FROM \`SystemSample\` WHERE \`hostname\` = 'web-1' SINCE ${since} UNTIL ${T}`,
    ],
    [
      'ready from SyntheticCheck by default',
      { measure: 'ready', selector: { monitorName: 'checkout-health' } },
      `SELECT percentage(count(*), WHERE \`result\` = 'SUCCESS') AS 'ready' FROM \`SyntheticCheck\` WHERE \`monitorName\` = 'checkout-health' SINCE ${since} UNTIL ${T}`,
    ],
    [
      'raw NRQL gets the window appended',
      { measure: 'raw', query: 'SELECT max(duration) FROM Transaction', valueType: 'gauge' },
      `SELECT max(duration) FROM Transaction SINCE ${since} UNTIL ${T}`,
    ],
    [
      'no selector, no WHERE',
      { measure: 'requests', selector: {} },
      `SELECT count(*) AS 'requests' FROM \`Transaction\` SINCE ${since} UNTIL ${T}`,
    ],
    [
      'selector keys sorted and joined with AND',
      { measure: 'requests', selector: { region: 'eu', appName: 'checkout' } },
      `SELECT count(*) AS 'requests' FROM \`Transaction\` WHERE \`appName\` = 'checkout' AND \`region\` = 'eu' SINCE ${since} UNTIL ${T}`,
    ],
  ] as const)('%s', (_name, query, expected) => {
    expect(buildNrql(single(query as MetricQuery), s).nrql).toBe(expected);
  });

  it('reads memory and CPU from ProcessSample when configured', () => {
    const p = settings({ resources: { eventType: 'ProcessSample', aggregation: 'max' } });
    expect(buildNrql(single({ measure: 'memory', selector: {} }), p).nrql).toBe(
      `SELECT max(\`memoryResidentSizeBytes\`) AS 'memory' FROM \`ProcessSample\` SINCE ${since} UNTIL ${T}`,
    );
    expect(buildNrql(single({ measure: 'cpu', selector: {} }), p).nrql).toBe(
      `SELECT max(\`cpuPercent\` / 100) AS 'cpu' FROM \`ProcessSample\` SINCE ${since} UNTIL ${T}`,
    );
  });

  it('reads health from a custom event or a metric when configured', () => {
    const event = settings({
      health: { source: 'event', eventType: 'DeployProbe', readyWhere: '`ok` IS TRUE' },
    });
    expect(buildNrql(single({ measure: 'ready', selector: {} }), event).nrql).toBe(
      `SELECT percentage(count(*), WHERE \`ok\` IS TRUE) AS 'ready' FROM \`DeployProbe\` SINCE ${since} UNTIL ${T}`,
    );
    const metric = settings({ health: { source: 'metric', metricName: 'k8s.pod.ready' } });
    const plan = buildNrql(single({ measure: 'ready', selector: { service: 'checkout' } }), metric);
    expect(plan.nrql).toBe(
      `SELECT average(\`k8s.pod.ready\`) AS 'ready' FROM Metric WHERE \`service\` = 'checkout' SINCE ${since} UNTIL ${T}`,
    );
    expect(plan.unit).toBe('as-is');
  });

  it('uses a custom transaction event type and error condition', () => {
    const custom = settings({
      transactions: { eventType: 'Span', errorWhere: "`otel.status_code` = 'ERROR'" },
    });
    expect(buildNrql(single({ measure: 'errors', selector: {} }), custom).nrql).toBe(
      `SELECT filter(count(*), WHERE \`otel.status_code\` = 'ERROR') AS 'errors' FROM \`Span\` SINCE ${since} UNTIL ${T}`,
    );
  });

  it('records the unit conversion and the percentile threshold in the plan', () => {
    expect(
      buildNrql(single({ measure: 'latency-quantile', selector: app, quantile: 0.95 }), s),
    ).toMatchObject({
      unit: 'seconds-to-ms',
      threshold: '95',
      alias: 'latency',
    });
    expect(buildNrql(single({ measure: 'ready', selector: app }), s).unit).toBe('percent-to-fraction');
    expect(buildNrql(single({ measure: 'requests', selector: app }), s).unit).toBe('as-is');
    expect(
      buildNrql(single({ measure: 'raw', query: 'SELECT 1 FROM X', valueType: 'gauge' }), s).alias,
    ).toBeUndefined();
  });
});

describe('buildNrql: time window', () => {
  const s = settings();
  it('reads a single sample over (end - step, end] without TIMESERIES', () => {
    const plan = buildNrql(single({ measure: 'requests', selector: app }, { stepMs: 300_000 }), s);
    expect(plan.nrql.endsWith(`SINCE ${T - 300_000} UNTIL ${T}`)).toBe(true);
    expect(plan.timeseries).toBe(false);
    expect(plan.sampleTime).toBe(T);
  });

  it('allows a single-sample step in milliseconds', () => {
    const plan = buildNrql(single({ measure: 'requests', selector: app }, { stepMs: 1500 }), s);
    expect(plan.nrql.endsWith(`SINCE ${T - 1500} UNTIL ${T}`)).toBe(true);
  });

  it('reads a range as TIMESERIES starting one step before start, so the first bucket ends at start', () => {
    const plan = buildNrql(range({ measure: 'requests', selector: app }), s);
    expect(plan.nrql.endsWith(`SINCE ${T - 5 * 60_000} UNTIL ${T} TIMESERIES 60 seconds`)).toBe(true);
    expect(plan.timeseries).toBe(true);
  });

  it(`accepts ${MAX_TIMESERIES_BUCKETS} buckets and refuses one more`, () => {
    const query: MetricQuery = { measure: 'requests', selector: app };
    const ok = buildNrql({ query, start: T - 365 * 10_000, end: T, stepMs: 10_000 }, s);
    expect(ok.nrql).toContain('TIMESERIES 10 seconds');
    const error = badQuery(() => buildNrql({ query, start: T - 366 * 10_000, end: T, stepMs: 10_000 }, s));
    expect(error.message).toContain('366');
    expect(error.details).toMatchObject({ buckets: 367 });
  });

  it('refuses a TIMESERIES step that is not whole seconds', () => {
    badQuery(() => buildNrql(range({ measure: 'requests', selector: app }, { stepMs: 1500 }), s));
  });

  it('refuses malformed windows', () => {
    const query: MetricQuery = { measure: 'requests', selector: app };
    badQuery(() => buildNrql({ query, start: T, end: T - 1, stepMs: 1000 }, s));
    badQuery(() => buildNrql({ query, start: T, end: T, stepMs: 0 }, s));
    badQuery(() => buildNrql({ query, start: Number.NaN, end: T, stepMs: 1000 }, s));
    badQuery(() => buildNrql({ query, start: T + 0.5, end: T + 0.5, stepMs: 1000 }, s));
  });
});

describe('buildNrql: segments', () => {
  const s = settings();
  it('turns segmentBy into FACET with the maximum facet limit', () => {
    const plan = buildNrql(range({ measure: 'requests', selector: app }, { segmentBy: 'region' }), s);
    expect(plan.nrql).toBe(
      `SELECT count(*) AS 'requests' FROM \`Transaction\` WHERE \`appName\` = 'checkout' FACET \`region\` LIMIT MAX SINCE ${T - 5 * 60_000} UNTIL ${T} TIMESERIES 60 seconds`,
    );
    expect(plan.facet).toBe('region');
  });

  it('backticks facet names with spaces and dots', () => {
    const plan = buildNrql(
      single({ measure: 'requests', selector: {} }, { segmentBy: 'user agent.name' }),
      s,
    );
    expect(plan.nrql).toContain('FACET `user agent.name` LIMIT MAX');
  });
});

describe('buildNrql: what it refuses', () => {
  const s = settings();
  it('has no built-in NRQL for restarts and says what to use instead', () => {
    const error = badQuery(() => buildNrql(single({ measure: 'restarts', selector: app }), s));
    expect(error.message).toContain("measure 'raw'");
  });

  it('refuses quantiles outside (0, 1]', () => {
    for (const quantile of [0, -0.5, 1.5, 99, Number.NaN]) {
      badQuery(() => buildNrql(single({ measure: 'latency-quantile', selector: app, quantile }), s));
    }
    expect(buildNrql(single({ measure: 'latency-quantile', selector: app, quantile: 1 }), s).nrql).toContain(
      'percentile(`duration`, 100)',
    );
  });

  it('refuses a negative or non-finite exceedance threshold', () => {
    badQuery(() => buildNrql(single({ measure: 'latency-exceedances', selector: app, thresholdMs: -1 }), s));
    badQuery(() =>
      buildNrql(
        single({ measure: 'latency-exceedances', selector: app, thresholdMs: Number.POSITIVE_INFINITY }),
        s,
      ),
    );
  });

  it('refuses attribute names NRQL cannot quote and values with control characters', () => {
    badQuery(() => buildNrql(single({ measure: 'requests', selector: { 'app`Name': 'x' } }), s));
    badQuery(() => buildNrql(single({ measure: 'requests', selector: { appName: 'a\nb' } }), s));
    badQuery(() => buildNrql(single({ measure: 'requests', selector: {} }, { segmentBy: '`' }), s));
    badQuery(() => buildNrql(single({ measure: 'raw', query: '   ', valueType: 'count' }), s));
  });

  it('refuses NRQL of 4 KB or more', () => {
    const error = badQuery(() =>
      buildNrql(single({ measure: 'requests', selector: { appName: 'x'.repeat(4100) } }), s),
    );
    expect(error.message).toContain('4 KB');
  });

  it('refuses an unknown measure', () => {
    badQuery(() => buildNrql(single({ measure: 'latency' } as unknown as MetricQuery), s));
  });
});
