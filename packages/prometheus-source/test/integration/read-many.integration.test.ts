import type { MetricQuery, MetricRequest, PortContext, ReadResult } from '@rollgate/core';
import {
  type RunningPrometheus,
  type ScrapeInfo,
  startPrometheus,
  startTestExporter,
  type TestExporter,
} from '@rollgate/testkit/prometheus';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusSource, type PrometheusSource } from '../../src/index';

/**
 * readMany against a real Prometheus scraping one exporter that serves the series of many
 * services (a `service` label), with counts driven between two scrapes so every expected value
 * is known. Names full of regex metacharacters prove the grouped `service=~"..."` matcher
 * escapes them: an unescaped `a|b` or `(e)` would match other values and miss its own.
 */

const PLAIN = Array.from({ length: 30 }, (_, i) => `svc-${i}`);
const HOSTILE = [
  'a.b',
  'a|b',
  'c+d',
  '(e)',
  '[f]',
  'g*',
  'h?',
  '^i$',
  'j{2}',
  'back\\slash',
  'quo"te',
  'é€',
  'line\nbreak',
  'x.*',
];
const SERVICES = [...PLAIN, ...HOSTILE];
const MISSING = 'svc-missing';
const FAST_SECONDS = 0.02;
const SLOW_SECONDS = 0.3;

const okCount = (i: number) => 10 + i;
const errorCount = (i: number) => i % 4;

let prometheus: RunningPrometheus;
let exporter: TestExporter;
let pool: Pool;
let queries = 0;
let source: PrometheusSource;
let baseline: ScrapeInfo;
let last: ScrapeInfo;

const ctx = (): PortContext => ({ signal: new AbortController().signal, deadline: Date.now() + 20_000 });
const mid = (scrape: ScrapeInfo) => scrape.at + 500;

function whole(query: MetricQuery, extra: Partial<MetricRequest> = {}): MetricRequest {
  return { query, start: mid(last), end: mid(last), stepMs: mid(last) - mid(baseline), ...extra };
}

function essence(result: ReadResult | undefined): unknown {
  if (result === undefined) return undefined;
  if (result.status === 'ok') return { status: 'ok', series: result.series, partial: result.partial ?? [] };
  if (result.status === 'no-data') return { status: 'no-data', reason: result.reason };
  return { status: 'error', code: result.error.code, message: result.error.message };
}

function value(result: ReadResult | undefined): number | undefined {
  if (result?.status !== 'ok') return undefined;
  return result.series[0]?.samples[0]?.v;
}

beforeAll(async () => {
  exporter = await startTestExporter();
  prometheus = await startPrometheus({ scrapeTargets: [exporter.address], scrapeIntervalSeconds: 1 });
  await prometheus.waitForTargetsUp();
  // Every series exists (at 0) before the baseline scrape, so each count is an exact increment.
  for (const service of SERVICES) {
    exporter.recordRequests({ code: 200, count: 0, seconds: FAST_SECONDS, labels: { service } });
    exporter.recordRequests({ code: 500, count: 0, seconds: SLOW_SECONDS, labels: { service } });
  }
  await exporter.nextScrape();
  baseline = await exporter.nextScrape();
  SERVICES.forEach((service, i) => {
    exporter.recordRequests({ code: 200, count: okCount(i), seconds: FAST_SECONDS, labels: { service } });
    exporter.recordRequests({ code: 500, count: errorCount(i), seconds: SLOW_SECONDS, labels: { service } });
  });
  last = await exporter.nextScrape();
  // One more scrape: the last batch's samples are committed.
  await exporter.nextScrape();
  pool = new Pool(new URL(prometheus.url).origin, { connections: 4 });
  const request = pool.request.bind(pool);
  pool.request = ((...args: Parameters<typeof request>) => {
    queries += 1;
    return request(...args);
  }) as typeof pool.request;
  source = createPrometheusSource({ url: prometheus.url, dispatcher: pool });
}, 60_000);

afterAll(async () => {
  await source?.dispose();
  await pool?.close();
  await prometheus?.stop();
  await exporter?.stop();
});

describe('readMany against a real Prometheus', () => {
  it('answers many services with one query per measure, each exactly what read gives', async () => {
    const measures: MetricQuery[] = [];
    for (const service of [...SERVICES, MISSING]) {
      measures.push({ measure: 'requests', selector: { service } });
      measures.push({ measure: 'errors', selector: { service } });
      measures.push({ measure: 'latency-exceedances', selector: { service }, thresholdMs: 250 });
      measures.push({ measure: 'latency-quantile', selector: { service }, quantile: 0.99 });
    }
    const requests = measures.map((q) => whole(q));
    const before = queries;
    const results = await source.readMany(requests, ctx());
    expect(queries - before).toBe(4);
    expect(results).toHaveLength(requests.length);

    SERVICES.forEach((service, i) => {
      const [requestsRead, errorsRead, slowRead, p99Read] = results.slice(i * 4, i * 4 + 4);
      const label = JSON.stringify(service);
      expect(value(requestsRead), label).toBe(okCount(i) + errorCount(i));
      expect(value(errorsRead), label).toBe(errorCount(i));
      expect(value(slowRead), label).toBe(errorCount(i));
      // p99 lands in the slow bucket when there are errors, in the fast one otherwise.
      expect(value(p99Read), label).toBeGreaterThan(errorCount(i) > 0 ? 250 : 0);
    });
    // A service with no series at all: no-data for every measure, never a zero.
    expect(results.slice(-4).map((r) => r.status)).toEqual(['no-data', 'no-data', 'no-data', 'no-data']);

    const singles: ReadResult[] = [];
    for (const request of requests) singles.push(await source.read(request, ctx()));
    expect(results.map(essence)).toEqual(singles.map(essence));
  }, 60_000);

  it('groups range reads and segmented reads too, equal to read', async () => {
    const range = { start: mid(baseline), end: mid(last), stepMs: 1_000 };
    const picked = ['svc-1', 'svc-10', 'a|b', '(e)', MISSING];
    const requests: MetricRequest[] = [
      ...picked.map((service) => ({
        query: { measure: 'errors' as const, selector: { service } },
        ...range,
      })),
      ...picked.map((service) =>
        whole({ measure: 'requests', selector: { service } }, { segmentBy: 'code' }),
      ),
    ];
    const before = queries;
    const results = await source.readMany(requests, ctx());
    expect(queries - before).toBe(2);
    const singles: ReadResult[] = [];
    for (const request of requests) singles.push(await source.read(request, ctx()));
    expect(results.map(essence)).toEqual(singles.map(essence));
    const segmented = results[picked.length + 1];
    expect(segmented?.status).toBe('ok');
    if (segmented?.status === 'ok') {
      const i = SERVICES.indexOf('svc-10');
      expect(Object.fromEntries(segmented.series.map((s) => [s.labels.code, s.samples[0]?.v]))).toEqual({
        '200': okCount(i),
        '500': errorCount(i),
      });
    }
  }, 60_000);

  it('reads requests that cannot be grouped one by one, with their own errors', async () => {
    const requests: MetricRequest[] = [
      whole({ measure: 'requests', selector: { service: 'svc-3' } }),
      whole({ measure: 'requests', selector: { 'bad-label': 'x' } }),
      whole({ measure: 'raw', query: 'sum(up)', valueType: 'gauge' }),
      whole({ measure: 'requests', selector: { service: 'svc-4' } }),
    ];
    const results = await source.readMany(requests, ctx());
    expect(results.map((r) => r.status)).toEqual(['ok', 'error', 'ok', 'ok']);
    const bad = results[1];
    if (bad?.status === 'error') expect(bad.error.code).toBe('SOURCE_BAD_QUERY');
    expect(value(results[0])).toBe(okCount(3) + errorCount(3));
    expect(value(results[3])).toBe(okCount(4) + errorCount(4));
    expect(value(results[2])).toBe(1);
  }, 60_000);
});
