import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricQuery, MetricRequest, ReadResult } from '@rollgate/core';
import { startTestExporter, type TestExporter } from '@rollgate/testkit/prometheus';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  buildPromql,
  createExpositionSource,
  DEFAULT_METRIC_NAMES,
  type ExpositionSource,
} from '../../src/index';

const ctx = () => ({ signal: new AbortController().signal, deadline: Date.now() + 10_000 });

function read(source: ExpositionSource, request: MetricRequest): Promise<ReadResult> {
  return source.read(request, ctx());
}

function values(result: ReadResult): number[] {
  expect(result.status, JSON.stringify(result)).toBe('ok');
  if (result.status !== 'ok') return [];
  expect(result.series).toHaveLength(1);
  return result.series[0]?.samples.map((s) => s.v) ?? [];
}

/** One instant read covering `(from, to]`: the step is exactly the time between two scrapes. */
function between(query: MetricQuery, from: number, to: number): MetricRequest {
  return { query, start: to, end: to, stepMs: to - from };
}

const requests: MetricQuery = { measure: 'requests', selector: {} };

describe('createExpositionSource against a local exporter', () => {
  let exporter: TestExporter;
  const sources: ExpositionSource[] = [];
  const open = (options: Partial<Parameters<typeof createExpositionSource>[0]> = {}) => {
    const source = createExpositionSource({ targets: [exporter.url], scrapeIntervalMs: 200, ...options });
    sources.push(source);
    return source;
  };

  beforeAll(async () => {
    exporter = await startTestExporter();
  });
  afterEach(async () => {
    await Promise.all(sources.splice(0).map((s) => s.dispose()));
  });
  afterAll(async () => {
    await exporter.stop();
  });

  it('reads exact request and error counts per scrape interval and as one total', async () => {
    const source = open({ job: 'shop' });
    const stamps = [(await source.waitForScrape()).at];
    const batches = [7, 0, 13, 1, 29];
    for (const [i, n] of batches.entries()) {
      exporter.recordRequests({ code: 200, count: n });
      if (i % 2 === 0) exporter.recordRequests({ code: 500, count: i + 1 });
      stamps.push((await source.waitForScrape()).at);
    }
    const errors: MetricQuery = { measure: 'errors', selector: { job: 'shop' } };
    for (let i = 0; i < batches.length; i++) {
      const from = stamps[i] as number;
      const to = stamps[i + 1] as number;
      const errorsInStep = i % 2 === 0 ? i + 1 : 0;
      expect(values(await read(source, between(requests, from, to)))).toEqual([
        (batches[i] as number) + errorsInStep,
      ]);
      // A step with traffic but no new 5xx is a real 0, not no-data.
      expect(values(await read(source, between(errors, from, to)))).toEqual([errorsInStep]);
    }
    const first = stamps[0] as number;
    const last = stamps.at(-1) as number;
    expect(values(await read(source, between(requests, first, last)))).toEqual([50 + 1 + 3 + 5]);
    // A range read with step = interval telescopes: its steps add up to the exact total
    // whatever the phase of the steps against the scrapes.
    const range = await read(source, { query: requests, start: first + 200, end: last, stepMs: 200 });
    expect(values(range).reduce((x, y) => x + y, 0)).toBe(59);
    // Scrapes are stamped on their schedule (when on time), so each step then holds one scrape.
    const onSchedule = stamps.every((t, i) => t === first + 200 * i);
    if (onSchedule) expect(values(range)).toEqual([7 + 1, 0, 13 + 3, 1, 29 + 5]);
  });

  it('computes latency quantiles from bucket increments like histogram_quantile, in ms', async () => {
    const source = open();
    exporter.observeLatency(0.02, 0); // the histogram's series exist (at 0) before the window
    const from = (await source.waitForScrape()).at;
    exporter.recordRequests({ code: 200, count: 90, seconds: 0.02 }); // bucket (0.01, 0.025]
    exporter.recordRequests({ code: 200, count: 10, seconds: 0.3 }); // bucket (0.25, 0.5]
    const to = (await source.waitForScrape()).at;
    const p = (quantile: number) =>
      read(source, between({ measure: 'latency-quantile', selector: {}, quantile }, from, to));
    // rank 99 of 100: 9 of the 10 in (0.25, 0.5] -> 0.25 + 0.25 * 9/10 s.
    expect(values(await p(0.99))[0]).toBeCloseTo(475, 9);
    // rank 50: 50 of the 90 in (0.01, 0.025] -> 0.01 + 0.015 * 50/90 s.
    expect(values(await p(0.5))[0]).toBeCloseTo(10 + (15 * 50) / 90, 9);
    const slow = await read(
      source,
      between({ measure: 'latency-exceedances', selector: {}, thresholdMs: 250 }, from, to),
    );
    expect(values(slow)).toEqual([10]);
    const notABound = await read(
      source,
      between({ measure: 'latency-exceedances', selector: {}, thresholdMs: 300 }, from, to),
    );
    expect(notABound.status).toBe('no-data');
    if (notABound.status === 'no-data') expect(notABound.reason).toContain('bucket boundary');
    // No request completed in a later step: the quantile is NaN, so no-data, never a pass.
    const next = (await source.waitForScrape()).at;
    expect(
      (await read(source, between({ measure: 'latency-quantile', selector: {}, quantile: 0.99 }, to, next)))
        .status,
    ).toBe('no-data');
  });

  it('counts a counter reset as the events since the restart, and the restart itself', async () => {
    const source = open();
    const s0 = (await source.waitForScrape()).at;
    exporter.recordRequests({ code: 200, count: 40 });
    const s1 = (await source.waitForScrape()).at;
    exporter.restart();
    exporter.recordRequests({ code: 200, count: 6 });
    const s2 = (await source.waitForScrape()).at;
    expect(values(await read(source, between(requests, s0, s1)))).toEqual([40]);
    expect(values(await read(source, between(requests, s1, s2)))).toEqual([6]);
    const byStart = createExpositionSource({
      targets: [exporter.url],
      scrapeIntervalMs: 200,
      metrics: { restarts: 'process_start_time_seconds' },
    });
    sources.push(byStart);
    const r0 = (await byStart.waitForScrape()).at;
    const r1 = (await byStart.waitForScrape()).at;
    await new Promise((r) => setTimeout(r, 5));
    exporter.restart();
    const r2 = (await byStart.waitForScrape()).at;
    const restarts: MetricQuery = { measure: 'restarts', selector: {} };
    expect(values(await read(byStart, between(restarts, r0, r1)))).toEqual([0]);
    expect(values(await read(byStart, between(restarts, r1, r2)))).toEqual([1]);
  });

  it('reads gauges, cpu cores and readiness; segments by label; matches target labels', async () => {
    const source = createExpositionSource({
      targets: [{ url: exporter.url, labels: { region: 'eu', job: 'web' } }],
      job: 'shop',
      scrapeIntervalMs: 200,
    });
    sources.push(source);
    exporter.setMemoryBytes(123_456_789);
    // Series that exist (at 0) before the window, as a well-behaved exporter initialises them.
    exporter.recordRequests({ code: 200, count: 0, labels: { route: '/b' } });
    const from = (await source.waitForScrape()).at;
    exporter.addCpuSeconds(0.1);
    exporter.recordRequests({ code: 200, count: 3, labels: { route: '/a' } });
    exporter.recordRequests({ code: 200, count: 5, labels: { route: '/b' } });
    const to = (await source.waitForScrape()).at;
    // Target labels win over the job option, as in a Prometheus static config.
    expect(source.targets()[0]?.labels).toEqual({ job: 'web', instance: exporter.address, region: 'eu' });
    const memory = await read(source, between({ measure: 'memory', selector: { region: 'eu' } }, from, to));
    expect(values(memory)).toEqual([123_456_789]);
    const cpu = await read(source, between({ measure: 'cpu', selector: {} }, from, to));
    expect(values(cpu)[0]).toBeCloseTo(0.1 / ((to - from) / 1000), 9);
    expect(
      values(await read(source, between({ measure: 'ready', selector: { region: 'eu' } }, from, to))),
    ).toEqual([1]);
    const segmented = await read(source, { ...between(requests, from, to), segmentBy: 'route' });
    expect(segmented.status).toBe('ok');
    if (segmented.status === 'ok') {
      // Series without the label form the segment "" (the code series created at 0).
      expect(segmented.series.map((s) => [s.labels.route, s.samples[0]?.v])).toEqual([
        ['', 0],
        ['/b', 5],
      ]);
    }
    // '/a' appeared in this scrape: a new series has no earlier sample and contributes nothing
    // until its second scrape (the documented price of exact increments).
    exporter.recordRequests({ code: 200, count: 2, labels: { route: '/a' } });
    const later = (await source.waitForScrape()).at;
    const next = await read(source, { ...between(requests, to, later), segmentBy: 'route' });
    expect(next.status === 'ok' && next.series.find((s) => s.labels.route === '/a')?.samples[0]?.v).toBe(2);
    expect((await read(source, between(requests, from, to))).status).toBe('ok');
    expect(
      (await read(source, between({ measure: 'requests', selector: { region: 'us' } }, from, to))).status,
    ).toBe('no-data');
  });

  it('evaluates a raw series selector, and refuses PromQL it cannot evaluate', async () => {
    const source = open();
    exporter.setMemoryBytes(5_000_000);
    const from = (await source.waitForScrape()).at;
    exporter.recordRequests({ code: 500, count: 4 });
    exporter.recordRequests({ code: 200, count: 9 });
    const to = (await source.waitForScrape()).at;
    const raw = (query: string, valueType: 'count' | 'gauge' = 'count') =>
      read(source, between({ measure: 'raw', query, valueType }, from, to));
    expect(values(await raw('http_requests_total{code=~"5.."}'))).toEqual([4]);
    expect(values(await raw('{__name__="http_requests_total", code!="500"}'))).toEqual([9]);
    expect(values(await raw('process_resident_memory_bytes', 'gauge'))).toEqual([5_000_000]);
    const promql = await raw('sum(rate(http_requests_total[1m]))');
    expect(promql.status).toBe('error');
    if (promql.status === 'error') {
      expect(promql.error.code).toBe('SOURCE_BAD_QUERY');
      expect(promql.error.message).toContain('series selector');
    }
  });

  it('reports a stopped target as up = 0 and its series as no-data or an error, never a pass', async () => {
    const own = await startTestExporter();
    const source = createExpositionSource({ targets: [own.url], scrapeIntervalMs: 200 });
    sources.push(source);
    own.recordRequests({ code: 200, count: 10 });
    const s0 = (await source.waitForScrape()).at;
    own.recordRequests({ code: 200, count: 10 });
    const s1 = (await source.waitForScrape()).at;
    expect(values(await read(source, between(requests, s0, s1)))).toEqual([10]);
    own.setAvailable(false);
    const s2 = (await source.waitForScrape()).at;
    expect(source.targets()[0]).toMatchObject({ up: false, consecutiveFailures: 1 });
    expect(source.targets()[0]?.lastError).toContain('HTTP 503');
    const ready = await read(source, between({ measure: 'ready', selector: {} }, s1, s2));
    expect(values(ready)).toEqual([0]);
    // The down target is in the readiness data itself (up = 0): that read is complete, not
    // partial, so it carries no warning (core would treat a warned read as partial data).
    expect(ready.status === 'ok' && ready.partial).toBeUndefined();
    const failed = await read(source, between(requests, s1, s2));
    expect(failed.status).toBe('error');
    if (failed.status === 'error') {
      expect(failed.error.code).toBe('SOURCE_UNAVAILABLE');
      expect(failed.error.retryable).toBe(true);
      expect(failed.error.message).toContain(own.url);
    }
    // The earlier window is still history, complete before the failure: ok, no warning.
    const earlier = await read(source, between(requests, s0, s1));
    expect(values(earlier)).toEqual([10]);
    expect(earlier.status === 'ok' && earlier.partial).toBeUndefined();
    await own.stop();
    const s3 = (await source.waitForScrape()).at;
    expect(source.targets()[0]?.lastError).toContain('Could not scrape');
    expect(values(await read(source, between({ measure: 'ready', selector: {} }, s2, s3)))).toEqual([0]);
    const range = await read(source, { query: requests, start: s1, end: s3, stepMs: s1 - s0 });
    // Only the step before the failure has a value: the rest are gaps, not zeros.
    expect(range.status === 'ok' && range.series[0]?.samples.every((s) => s.t <= s1)).toBe(true);
  });

  it('warns that a count read is partial while one of several targets is down in its window', async () => {
    const other = await startTestExporter();
    const source = createExpositionSource({ targets: [exporter.url, other.url], scrapeIntervalMs: 200 });
    sources.push(source);
    // Rounds overlap, so a slow one can finish after a newer one: wait for a newer round.
    const after = async (t: number) => {
      for (;;) {
        const { at } = await source.waitForScrape();
        if (at > t) return at;
      }
    };
    try {
      exporter.recordRequests({ code: 200, count: 5 });
      other.recordRequests({ code: 200, count: 5 });
      const s0 = await after(0);
      exporter.recordRequests({ code: 200, count: 5 });
      other.recordRequests({ code: 200, count: 5 });
      const s1 = await after(s0);
      other.setAvailable(false);
      exporter.recordRequests({ code: 200, count: 5 });
      const s2 = await after(s1);
      const before = await read(source, between(requests, s0, s1));
      expect(values(before)).toEqual([10]);
      expect(before.status === 'ok' && before.partial).toBeUndefined();
      const during = await read(source, between(requests, s1, s2));
      expect(during.status).toBe('ok');
      expect(during.status === 'ok' && during.partial?.[0]).toContain('scrape failing');
      const ready = await read(source, between({ measure: 'ready', selector: {} }, s1, s2));
      expect(values(ready)).toEqual([0.5]);
      expect(ready.status === 'ok' && ready.partial).toBeUndefined();
    } finally {
      await other.stop();
    }
  });

  it('keeps memory bounded: a fixed ring per series, series capped, gone series forgotten', async () => {
    const source = open({ scrapeIntervalMs: 20, retentionMs: 200, maxSeries: 40 });
    for (let i = 0; i < 30; i++) await source.waitForScrape();
    const stats = source.stats();
    expect(stats.maxEntriesPerSeries).toBe(11);
    expect(stats.rounds).toBeGreaterThanOrEqual(30);
    expect(stats.entries).toBeLessThanOrEqual(stats.series * stats.maxEntriesPerSeries);
    const steady = stats.series;
    for (let i = 0; i < 60; i++) exporter.setGauge('tenant_bytes', i, { tenant: `t${i}` });
    const round = await source.waitForScrape();
    expect(source.stats().series).toBe(40);
    expect(source.stats().droppedSeries).toBeGreaterThan(0);
    const r = await read(source, {
      query: { measure: 'ready', selector: {} },
      start: round.at,
      end: round.at,
      stepMs: 20,
    });
    // Readiness is never dropped, so its read is complete: no warning.
    expect(r.status === 'ok' && r.partial).toBeUndefined();
    expect(r.status === 'ok' && r.series[0]?.samples[0]?.v).toBe(1);
    // A read of the metric whose series were dropped is partial, and says so.
    const tenants = await read(source, {
      query: { measure: 'raw', query: 'tenant_bytes', valueType: 'gauge' },
      start: round.at,
      end: round.at,
      stepMs: 20,
    });
    expect(tenants.status === 'ok' && tenants.partial?.some((w) => w.includes('maxSeries'))).toBe(true);
    // A fresh source sees the same exporter: with the gauges gone for longer than the
    // retention, their series are evicted and memory goes back down.
    const other = open({ scrapeIntervalMs: 20, retentionMs: 100, maxSeries: 1000 });
    await other.waitForScrape();
    const withGauges = other.stats().series;
    expect(withGauges).toBeGreaterThan(60);
    const fresh = await startTestExporter();
    const moving = open({ targets: [fresh.url], scrapeIntervalMs: 20, retentionMs: 100 });
    fresh.recordRequests({ code: 200, count: 1, labels: { route: '/gone' } });
    await moving.waitForScrape();
    const before = moving.stats().series;
    fresh.restart(); // the /gone series is no longer exposed
    for (let i = 0; i < 10; i++) await moving.waitForScrape();
    expect(moving.stats().series).toBe(before - 1);
    expect(steady).toBeLessThan(40);
    await fresh.stop();
  });

  it('describes a read as the equivalent PromQL and the endpoints it scrapes; never shows secret headers', async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(String(req.headers['x-metrics-token']));
      res
        .writeHead(401, { 'content-type': 'text/plain' })
        .end(`bad token ${String(req.headers['x-metrics-token'])}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics?module=http`;
    const secret = 'scrape-token-7f3a9c1e5b2d';
    const source = open({ targets: [url], headers: { 'X-Metrics-Token': secret } });
    await source.waitForScrape();
    expect(seen[0]).toBe(secret);
    const request: MetricRequest = { query: requests, start: 1_000, end: 1_000, stepMs: 1_000 };
    const text = source.describe(request);
    expect(text.startsWith(buildPromql(request, DEFAULT_METRIC_NAMES))).toBe(true);
    expect(text).toContain('/metrics every 200 ms');
    expect(text).not.toContain('module=http');
    const result = await read(source, { ...request, start: Date.now(), end: Date.now() });
    expect(result.status).toBe('error');
    if (result.status === 'error') expect(result.error.code).toBe('SOURCE_AUTH');
    expect(source.targets()[0]?.lastError).toContain('bad token [redacted]');
    const error = result.status === 'error' ? result.error : null;
    const shown = JSON.stringify([
      result,
      source.targets(),
      error?.message,
      error?.details,
      String(error?.cause),
    ]);
    expect(shown).not.toContain(secret);
    await new Promise((resolve) => server.close(resolve));
  });

  it('validates options at the factory with CONFIG_INVALID naming the option', () => {
    const bad = (options: unknown, field: string) => {
      expect(() => createExpositionSource(options as Parameters<typeof createExpositionSource>[0])).toThrow(
        expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining(field) }),
      );
    };
    bad({ targets: [] }, 'targets');
    bad({ targets: ['ftp://x/metrics'] }, 'targets[0].url');
    bad({ targets: ['http://user:pw@x/metrics'] }, 'targets[0].url');
    bad({ targets: [exporter.url], scrapeIntervalMs: 1000, scrapeTimeoutMs: 2000 }, 'scrapeTimeoutMs');
    bad({ targets: [exporter.url], metrics: { latencyHistogram: 'x_bucket' } }, 'metrics.latencyHistogram');
    bad({ targets: [exporter.url], url: 'http://prometheus:9090' }, 'url');
    bad({ targets: [exporter.url, exporter.url] }, 'targets[1]');
  });

  it('answers SOURCE_UNAVAILABLE after dispose and stops scraping', async () => {
    const source = createExpositionSource({ targets: [exporter.url], scrapeIntervalMs: 50 });
    await source.waitForScrape();
    await source.dispose();
    const scrapes = exporter.scrapes;
    await new Promise((r) => setTimeout(r, 200));
    expect(exporter.scrapes).toBe(scrapes);
    const result = await read(source, { query: requests, start: Date.now(), end: Date.now(), stepMs: 1000 });
    expect(result.status === 'error' && result.error.code).toBe('SOURCE_UNAVAILABLE');
    await expect(source.waitForScrape()).rejects.toMatchObject({ code: 'SOURCE_UNAVAILABLE' });
  });
});
