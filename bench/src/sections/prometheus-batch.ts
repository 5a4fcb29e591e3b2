/**
 * Batched reads against a real Prometheus: one tick of 1,000 count signals (500 services, each
 * with an error-rate and a latency signal, the default contract's two count signals), read once
 * through `batchingSource` (the tick's reads coalesced into `readMany`, which Prometheus answers
 * with one `sum by (service)` query per measure and at most 200 services) and once with one
 * query per read, alternately in the same run.
 */
import {
  batchingSource,
  type MetricQuery,
  type MetricRequest,
  type MetricSource,
  type PortContext,
  type ReadResult,
} from '@rollgate/core';
import { systemClock } from '@rollgate/core/node';
import { createPrometheusSource } from '@rollgate/prometheus-source';
import { startPrometheus, startTestExporter } from '@rollgate/testkit/prometheus';
import { Pool } from 'undici';
import type { BenchModule, BenchSection } from '../section';

const SERVICES = 500;
const SIGNALS_PER_SERVICE = 2;
const WARMUP_SCRAPES = 4;
const STEP_MS = 5_000;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function ctx(): PortContext {
  return { signal: new AbortController().signal, deadline: Date.now() + 120_000 };
}

/**
 * The reads one evaluation tick issues for the services' count signals: error-rate reads
 * errors and requests, latency reads requests slower than its threshold and requests.
 */
function tickRequests(end: number): MetricRequest[] {
  const requests: MetricRequest[] = [];
  for (let s = 0; s < SERVICES; s++) {
    const selector = { service: `svc-${s}` };
    const queries: MetricQuery[] = [
      { measure: 'errors', selector },
      { measure: 'requests', selector },
      { measure: 'latency-exceedances', selector, thresholdMs: 250 },
      { measure: 'requests', selector },
    ];
    for (const query of queries) requests.push({ query, start: end, end, stepMs: STEP_MS });
  }
  return requests;
}

/** The value of every read; a read that is not `ok` stops the benchmark (it would measure failures). */
function values(results: readonly ReadResult[]): number[] {
  return results.map((r) => {
    if (r.status !== 'ok') {
      throw new Error(`benchmark read did not succeed: ${r.status === 'error' ? r.error.message : r.reason}`);
    }
    return r.series[0]?.samples[0]?.v ?? Number.NaN;
  });
}

/** Issues every read of a tick at once, as the evaluator does, and waits for all. */
async function tick(source: MetricSource, requests: readonly MetricRequest[]): Promise<ReadResult[]> {
  const context = ctx();
  return Promise.all(requests.map((r) => source.read(r, context)));
}

export const prometheusBatchBench: BenchModule = async (bench) => {
  const exporter = await startTestExporter();
  const prometheus = await startPrometheus({ scrapeTargets: [exporter.address], scrapeIntervalSeconds: 1 });
  // Queries counted at the dispatcher: what each mode sends to Prometheus.
  const pool = new Pool(new URL(prometheus.url).origin, { connections: 16, pipelining: 1 });
  let queries = 0;
  const request = pool.request.bind(pool);
  pool.request = ((...args: Parameters<typeof request>) => {
    queries += 1;
    return request(...args);
  }) as typeof pool.request;
  const prom = createPrometheusSource({ url: prometheus.url, dispatcher: pool });
  const batched = batchingSource(prom, { clock: systemClock });
  try {
    await prometheus.waitForTargetsUp();
    bench.log(`prometheus-batch: ${SERVICES} services' series, warming up with ${WARMUP_SCRAPES} scrapes`);
    let lastTraffic = 0;
    for (let w = 0; w < WARMUP_SCRAPES + 6; w++) {
      for (let s = 0; s < SERVICES; s++) {
        const labels = { service: `svc-${s}` };
        exporter.recordRequests({ code: 200, count: 20 + (s % 7), seconds: 0.02, labels });
        exporter.recordRequests({ code: 500, count: s % 3, seconds: 0.3, labels });
      }
      lastTraffic = (await exporter.nextScrape()).at;
    }
    await exporter.nextScrape();
    // Every tick reads this instant, just before the last scrape of traffic: its data is final.
    // (Under 2,000 queries in flight a 1 s scrape can miss its deadline, and a missed scrape
    // marks every series stale; reads of "now" would then measure no-data, not reads.)
    const instant = lastTraffic - 500;

    const rounds = bench.quick ? 3 : 10;
    const reads = SERVICES * 4;
    bench.log(`prometheus-batch: ${rounds} rounds of one ${reads}-read tick, batched and one query per read`);
    // One warm-up tick each, so neither mode pays for cold sockets or a cold query engine.
    await tick(batched, tickRequests(instant));
    await tick(prom, tickRequests(instant));
    const batchedMs: number[] = [];
    const singleMs: number[] = [];
    let batchedQueries = 0;
    let singleQueries = 0;
    for (let r = 0; r < rounds; r++) {
      // Both modes, in alternating order, must agree on every value.
      const requests = tickRequests(instant);
      const order = r % 2 === 0 ? (['batched', 'single'] as const) : (['single', 'batched'] as const);
      const seen: Record<string, number[]> = {};
      for (const mode of order) {
        const before = queries;
        const started = performance.now();
        const results = await tick(mode === 'batched' ? batched : prom, requests);
        const ms = performance.now() - started;
        seen[mode] = values(results);
        if (mode === 'batched') {
          batchedMs.push(ms);
          batchedQueries = queries - before;
        } else {
          singleMs.push(ms);
          singleQueries = queries - before;
        }
      }
      if (JSON.stringify(seen.batched) !== JSON.stringify(seen.single)) {
        throw new Error('batched and single reads disagree on the same instant');
      }
    }
    const batchedTick = median(batchedMs);
    const singleTick = median(singleMs);
    const section: BenchSection = {
      title: `Prometheus source: ${SERVICES * SIGNALS_PER_SERVICE} signals read per tick, batched vs one query per read`,
      description:
        `One tick of ${SERVICES} services x ${SIGNALS_PER_SERVICE} count signals (error-rate: errors and requests; latency: ` +
        `requests over 250 ms and requests), ${reads} instant reads over a 5 s step issued at once, against a local ` +
        `Prometheus (1 s scrapes, one exporter serving every service's series). "Batched" wraps the source in ` +
        `batchingSource, so the tick's reads reach it as readMany, answered with one sum by (service) query per ` +
        `measure and at most 200 services; "one query per read" calls read for each. Every tick reads the same ` +
        `instant, whose data is final. Median of ${rounds} rounds, the modes alternating in each round (their ` +
        'values must agree, or the run fails).',
      columns: ['mode', 'HTTP queries per tick', 'tick ms (median)', 'min', 'max', 'reads/s'],
      rows: [
        [
          'batched (batchingSource + readMany)',
          batchedQueries,
          round(batchedTick, 1),
          round(Math.min(...batchedMs), 1),
          round(Math.max(...batchedMs), 1),
          round(reads / (batchedTick / 1000), 0),
        ],
        [
          'one query per read',
          singleQueries,
          round(singleTick, 1),
          round(Math.min(...singleMs), 1),
          round(Math.max(...singleMs), 1),
          round(reads / (singleTick / 1000), 0),
        ],
      ],
      notes: [
        `Batched / one-query-per-read tick time: ${round(batchedTick / singleTick, 3)} (${round(singleTick / batchedTick, 1)}x faster), measured side by side.`,
        'Prometheus runs on the same machine (2 CPU shared with the benchmark): the figures are client plus query-engine cost, no network.',
        'HTTP queries are counted at the dispatcher. batchingSource sends at most maxBatch (default 1,000) reads per readMany, so a 2,000-read tick is two readMany calls; each sends one grouped query per measure for every 200 services (the two requests reads of a service share one series).',
      ],
    };
    return [section];
  } finally {
    await prom.dispose();
    await pool.close();
    await prometheus.stop();
    await exporter.stop();
  }
};
