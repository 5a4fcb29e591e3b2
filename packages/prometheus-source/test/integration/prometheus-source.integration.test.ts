import type { MetricQuery, MetricRequest, PortContext, ReadResult } from '@rollgate/core';
import {
  type RunningPrometheus,
  type ScrapeInfo,
  startPrometheus,
  startTestExporter,
  type TestExporter,
} from '@rollgate/testkit/prometheus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusSource, type PrometheusSource } from '../../src/index';

/**
 * A real Prometheus (the Debian binary, 1 s scrapes, temporary storage, free loopback port)
 * scraping exporters whose counters this test drives between scrapes, so every expected count
 * is known exactly. A missing binary fails `startPrometheus` with the install hint.
 */

const WEIRD_ROUTE = 'we"ird\\path{x="1"},#\n\u00e9';
const HOSTILE = 'x"} or vector(1) or up{a="';

/** Requests added before each scrape: [ok, 5xx] per route, plus `weird` 200s on WEIRD_ROUTE. */
const BATCHES = [
  { a: [30, 0], b: [10, 0], weird: 1 },
  { a: [50, 3], b: [20, 2], weird: 2 },
  { a: [20, 1], b: [0, 0], weird: 0 },
  { a: [40, 5], b: [30, 4], weird: 3 },
] as const;
const FAST_SECONDS = 0.02;
const SLOW_SECONDS = 0.3;
const MEMORY_BYTES = 123_456_789;
const CPU_SECONDS_PER_BATCH = 0.5;

const perStepRequests = BATCHES.map((b) => b.a[0] + b.a[1] + b.b[0] + b.b[1] + b.weird);
const perStepErrors = BATCHES.map((b) => b.a[1] + b.b[1]);
const totalRequests = perStepRequests.reduce((x, y) => x + y, 0);
const totalErrors = perStepErrors.reduce((x, y) => x + y, 0);

let prometheus: RunningPrometheus;
let main: TestExporter;
let spare: TestExporter;
let source: PrometheusSource;
let baseline: ScrapeInfo;
const scrapes: ScrapeInfo[] = [];

const ctx = (): PortContext => ({ signal: new AbortController().signal, deadline: Date.now() + 10_000 });
const selector = () => ({ instance: main.address });
/** Midway between scrapes, so a millisecond of scrape jitter cannot move a sample across a step. */
const mid = (scrape: ScrapeInfo) => scrape.at + 500;

function at(index: number): number {
  const scrape = index === 0 ? baseline : scrapes[index - 1];
  if (scrape === undefined) throw new Error(`no scrape ${index}`);
  return mid(scrape);
}

/** One sample covering everything the batches added. */
function wholeWindow(query: MetricQuery, extra: Partial<MetricRequest> = {}): MetricRequest {
  return {
    query,
    start: at(BATCHES.length),
    end: at(BATCHES.length),
    stepMs: at(BATCHES.length) - at(0),
    ...extra,
  };
}

function values(result: ReadResult): number[] {
  expect(result.status).toBe('ok');
  if (result.status !== 'ok') return [];
  expect(result.series).toHaveLength(1);
  return result.series[0]?.samples.map((s) => s.v) ?? [];
}

function segments(result: ReadResult, label: string): Record<string, number[]> {
  expect(result.status).toBe('ok');
  if (result.status !== 'ok') return {};
  return Object.fromEntries(result.series.map((s) => [s.labels[label] ?? '?', s.samples.map((x) => x.v)]));
}

async function poll(
  read: () => Promise<ReadResult>,
  until: (r: ReadResult) => boolean,
  timeoutMs = 8_000,
): Promise<ReadResult> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (!until(last) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    last = await read();
  }
  return last;
}

beforeAll(async () => {
  main = await startTestExporter({ memoryBytes: MEMORY_BYTES });
  spare = await startTestExporter();
  prometheus = await startPrometheus({
    scrapeTargets: [main.address, spare.address],
    scrapeIntervalSeconds: 1,
  });
  source = createPrometheusSource({ url: prometheus.url });
  await prometheus.waitForTargetsUp();
  // Create every series before the baseline so each batch is an increment of a known series.
  for (const route of ['/a', '/b']) {
    main.recordRequests({ code: 200, count: 0, seconds: FAST_SECONDS, labels: { route } });
    main.recordRequests({ code: 500, count: 0, labels: { route } });
  }
  main.recordRequests({ code: 200, count: 0, seconds: FAST_SECONDS, labels: { route: WEIRD_ROUTE } });
  spare.recordRequests({ code: 200, count: 50 });
  await main.nextScrape();
  baseline = await main.nextScrape();
  for (const batch of BATCHES) {
    for (const [route, [ok, errors]] of [
      ['/a', batch.a],
      ['/b', batch.b],
    ] as const) {
      main.recordRequests({ code: 200, count: ok, seconds: FAST_SECONDS, labels: { route } });
      main.recordRequests({ code: 500, count: errors, seconds: SLOW_SECONDS, labels: { route } });
    }
    main.recordRequests({
      code: 200,
      count: batch.weird,
      seconds: FAST_SECONDS,
      labels: { route: WEIRD_ROUTE },
    });
    main.addCpuSeconds(CPU_SECONDS_PER_BATCH);
    scrapes.push(await main.nextScrape());
  }
  // The scrape after the last batch proves the last batch's samples are committed.
  scrapes.push(await main.nextScrape());
}, 45_000);

afterAll(async () => {
  await source?.dispose();
  await prometheus?.stop();
  await main?.stop();
  await spare?.stop();
});

describe('counts against a real Prometheus', () => {
  it('reads exact request and error counts per 1 s step (range query)', async () => {
    const range = { start: at(1), end: at(1) + 3_000, stepMs: 1_000 };
    const requests = await source.read(
      { query: { measure: 'requests', selector: selector() }, ...range },
      ctx(),
    );
    expect(values(requests)).toEqual(perStepRequests);
    const errors = await source.read({ query: { measure: 'errors', selector: selector() }, ...range }, ctx());
    expect(values(errors)).toEqual(perStepErrors);
  });

  it('reads the exact totals and error rate over the whole window (instant query)', async () => {
    const requests = values(
      await source.read(wholeWindow({ measure: 'requests', selector: selector() }), ctx()),
    );
    const errors = values(await source.read(wholeWindow({ measure: 'errors', selector: selector() }), ctx()));
    expect(requests).toEqual([totalRequests]);
    expect(errors).toEqual([totalErrors]);
    expect((errors[0] ?? Number.NaN) / (requests[0] ?? Number.NaN)).toBeCloseTo(15 / 221, 12);
  });

  it('reads zero errors, not no-data, for a segment with traffic and no errors', async () => {
    const result = await source.read(
      wholeWindow({ measure: 'errors', selector: selector() }, { segmentBy: 'route' }),
      ctx(),
    );
    expect(segments(result, 'route')).toEqual({
      // The exporter's initial code="200"/"500" series have no route label: segment "".
      '': [0],
      '/a': [BATCHES.reduce((s, b) => s + b.a[1], 0)],
      '/b': [BATCHES.reduce((s, b) => s + b.b[1], 0)],
      [WEIRD_ROUTE]: [0],
    });
  });

  it('counts exceedances above a bucket boundary exactly', async () => {
    const result = await source.read(
      wholeWindow({ measure: 'latency-exceedances', selector: selector(), thresholdMs: 250 }),
      ctx(),
    );
    expect(values(result)).toEqual([totalErrors]);
  });

  it('gives no-data with a hint when the threshold is not a bucket boundary', async () => {
    const result = await source.read(
      wholeWindow({ measure: 'latency-exceedances', selector: selector(), thresholdMs: 300 }),
      ctx(),
    );
    expect(result.status).toBe('no-data');
    if (result.status === 'no-data') expect(result.reason).toMatch(/bucket boundary/);
  });

  it('counts from the reset after a restart, and counts the restart', async () => {
    const before = await spare.nextScrape();
    spare.restart();
    spare.recordRequests({ code: 200, count: 7 });
    const after = await spare.nextScrape();
    await spare.nextScrape();
    const request = (query: MetricQuery): MetricRequest => ({
      query,
      start: mid(after),
      end: mid(after),
      stepMs: mid(after) - mid(before),
    });
    const requests = await source.read(
      request({ measure: 'requests', selector: { instance: spare.address } }),
      ctx(),
    );
    expect(values(requests)).toEqual([7]);
    const restarts = createPrometheusSource({
      url: prometheus.url,
      metrics: { restarts: 'process_start_time_seconds' },
    });
    const restarted = await restarts.read(
      request({ measure: 'restarts', selector: { instance: spare.address } }),
      ctx(),
    );
    expect(values(restarted)).toEqual([1]);
    const steady = await restarts.read(wholeWindow({ measure: 'restarts', selector: selector() }), ctx());
    expect(values(steady)).toEqual([0]);
    await restarts.dispose();
  });
});

describe('quantiles and gauges against a real Prometheus', () => {
  it('reads p99 in milliseconds, interpolated inside the bucket as histogram_quantile does', async () => {
    const result = await source.read(
      wholeWindow({ measure: 'latency-quantile', selector: selector(), quantile: 0.99 }),
      ctx(),
    );
    // 206 requests at or below 0.025 s, 15 in (0.25, 0.5]: rank 0.99 * 221 falls in the second.
    const fast = totalRequests - totalErrors;
    const expected = 250 + 250 * ((0.99 * totalRequests - fast) / totalErrors);
    const [p99] = values(result);
    expect(p99).toBeCloseTo(expected, 6);
  });

  it('maps a quantile over a step without requests (NaN) to no-data', async () => {
    const last = scrapes[scrapes.length - 1];
    if (last === undefined) throw new Error('no scrapes recorded');
    const result = await source.read(
      {
        query: { measure: 'latency-quantile', selector: selector(), quantile: 0.99 },
        start: mid(last),
        end: mid(last),
        stepMs: 1_000,
      },
      ctx(),
    );
    expect(result.status).toBe('no-data');
    if (result.status === 'no-data') expect(result.reason).toMatch(/NaN/);
  });

  it('reads memory, cpu cores and readiness', async () => {
    const end = at(BATCHES.length);
    const gauge = (query: MetricQuery) => source.read({ query, start: end, end, stepMs: 1_000 }, ctx());
    expect(values(await gauge({ measure: 'memory', selector: selector() }))).toEqual([MEMORY_BYTES]);
    expect(values(await gauge({ measure: 'ready', selector: selector() }))).toEqual([1]);
    const cpu = await source.read(
      { query: { measure: 'cpu', selector: selector() }, start: at(1), end: at(1) + 3_000, stepMs: 1_000 },
      ctx(),
    );
    expect(values(cpu)).toEqual([0.5, 0.5, 0.5, 0.5]);
  });

  it('parses +Inf, -Inf, NaN and scalar results from the real server', async () => {
    const end = at(BATCHES.length);
    const raw = (query: string) =>
      source.read(
        { query: { measure: 'raw', query, valueType: 'gauge' }, start: end, end, stepMs: 1_000 },
        ctx(),
      );
    expect(values(await raw('vector(+Inf)'))).toEqual([Number.POSITIVE_INFINITY]);
    expect(values(await raw('vector(-Inf)'))).toEqual([Number.NEGATIVE_INFINITY]);
    expect((await raw('vector(NaN)')).status).toBe('no-data');
    expect(values(await raw('scalar(vector(2.5))'))).toEqual([2.5]);
  });
});

describe('selectors against a real Prometheus', () => {
  it('matches a label value with quotes, backslashes, braces and a newline exactly', async () => {
    const result = await source.read(
      wholeWindow({ measure: 'requests', selector: { instance: main.address, route: WEIRD_ROUTE } }),
      ctx(),
    );
    expect(values(result)).toEqual([BATCHES.reduce((s, b) => s + b.weird, 0)]);
  });

  it('cannot be turned into another query by a hostile value', async () => {
    for (const measure of ['requests', 'errors', 'memory', 'ready'] as const) {
      const result = await source.read(wholeWindow({ measure, selector: { route: HOSTILE } }), ctx());
      expect(result.status).toBe('no-data');
    }
    expect(source.describe(wholeWindow({ measure: 'ready', selector: { route: HOSTILE } }))).toBe(
      'avg(up{route="x\\"} or vector(1) or up{a=\\""})',
    );
  });
});

describe('the testkit launcher', () => {
  // Prometheus applies target changes at most every 5 s, so this test gets a longer timeout.
  it('reloads new scrape targets with labels', { timeout: 20_000 }, async () => {
    const extra = await startTestExporter();
    try {
      await prometheus.setScrapeTargets([
        main.address,
        spare.address,
        { address: extra.address, labels: { version: 'canary' } },
      ]);
      await prometheus.waitForTargetsUp({ addresses: [extra.address] });
      const result = await poll(
        () => {
          const end = Date.now();
          return source.read(
            { query: { measure: 'ready', selector: { version: 'canary' } }, start: end, end, stepMs: 1_000 },
            ctx(),
          );
        },
        (r) => r.status === 'ok',
      );
      expect(values(result)).toEqual([1]);
    } finally {
      await extra.stop();
    }
  });
});

describe('failures against a real Prometheus', () => {
  it('reports bad PromQL as SOURCE_BAD_QUERY with the parser message', async () => {
    const end = at(BATCHES.length);
    const result = await source.read(
      {
        query: { measure: 'raw', query: 'sum(rate(http_requests_total[1m]', valueType: 'count' },
        start: end,
        end,
        stepMs: 1_000,
      },
      ctx(),
    );
    expect(result.status).toBe('error');
    if (result.status !== 'error') return;
    expect(result.error.code).toBe('SOURCE_BAD_QUERY');
    expect(result.error.retryable).toBe(false);
    expect(result.error.message).toMatch(/parse error/);
  });

  it('turns a stopped target into no-data (stale series) and readiness 0', async () => {
    await spare.stop();
    const read = (measure: 'requests' | 'ready') => {
      const end = Date.now();
      return source.read(
        { query: { measure, selector: { instance: spare.address } }, start: end, end, stepMs: 1_000 },
        ctx(),
      );
    };
    const requests = await poll(
      () => read('requests'),
      (r) => r.status === 'no-data',
    );
    expect(requests.status).toBe('no-data');
    if (requests.status === 'no-data') expect(requests.reason).toMatch(/no series/);
    const ready = await poll(
      () => read('ready'),
      (r) => r.status === 'ok' && r.series[0]?.samples[0]?.v === 0,
    );
    expect(values(ready)).toEqual([0]);
  });
});
