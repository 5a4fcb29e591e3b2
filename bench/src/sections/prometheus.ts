import type { MetricRequest, PortContext } from '@rollgate/core';
import { createPrometheusSource, type PrometheusSource } from '@rollgate/prometheus-source';
import { startPrometheus, startTestExporter } from '@rollgate/testkit/prometheus';
import type { BenchModule, BenchSection } from '../section';

const CONCURRENT_READS = 100;
const WARMUP_SCRAPES = 11;

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function ctx(): PortContext {
  return { signal: new AbortController().signal, deadline: Date.now() + 30_000 };
}

/** Reads once and returns the number of samples; anything but `ok` aborts the benchmark. */
async function expectOk(source: PrometheusSource, request: MetricRequest): Promise<number> {
  const result = await source.read(request, ctx());
  if (result.status !== 'ok') {
    throw new Error(
      `benchmark read did not succeed: ${result.status === 'error' ? result.error.message : result.reason}`,
    );
  }
  return result.series.reduce((n, s) => n + s.samples.length, 0);
}

async function latencies(
  source: PrometheusSource,
  makeRequest: () => MetricRequest,
  count: number,
): Promise<{ times: number[]; samples: number }> {
  const times: number[] = [];
  let samples = 0;
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    samples = await expectOk(source, makeRequest());
    times.push(performance.now() - started);
  }
  return { times: times.sort((a, b) => a - b), samples };
}

/**
 * Reads through `@rollgate/prometheus-source` against a real local Prometheus (started with the
 * testkit launcher, scraping a test exporter every second): latency of one signal read, and
 * throughput of 100 reads in flight at once through one keep-alive pool versus a fresh
 * connection (a new source and pool) per read.
 */
export const prometheusBench: BenchModule = async (bench) => {
  const exporter = await startTestExporter();
  const prometheus = await startPrometheus({ scrapeTargets: [exporter.address], scrapeIntervalSeconds: 1 });
  const source = createPrometheusSource({ url: prometheus.url });
  try {
    await prometheus.waitForTargetsUp();
    // Eleven scrapes of traffic, so a 10-step range read finds a sample in every step.
    bench.log(
      `prometheus bench: Prometheus ${prometheus.url}, warming up with ${WARMUP_SCRAPES} scrapes of traffic`,
    );
    for (let i = 0; i < WARMUP_SCRAPES; i++) {
      exporter.recordRequests({ code: 200, count: 95, seconds: 0.02 });
      exporter.recordRequests({ code: 500, count: 5, seconds: 0.3 });
      await exporter.nextScrape();
    }
    await exporter.nextScrape();

    const selector = { job: 'rollgate-test' };
    const instant = (): MetricRequest => {
      const end = Date.now();
      return { query: { measure: 'errors', selector }, start: end, end, stepMs: 1_000 };
    };
    const range = (): MetricRequest => {
      const end = Date.now();
      return { query: { measure: 'errors', selector }, start: end - 9_000, end, stepMs: 1_000 };
    };
    const quantile = (): MetricRequest => {
      const end = Date.now();
      return {
        query: { measure: 'latency-quantile', selector, quantile: 0.99 },
        start: end,
        end,
        stepMs: 5_000,
      };
    };

    const sequential = bench.quick ? 60 : 400;
    await latencies(source, instant, 20);
    bench.log(`prometheus bench: ${sequential} sequential reads per query shape`);
    const rows: (string | number)[][] = [];
    for (const [name, make] of [
      ['errors, instant (1 sample)', instant],
      ['errors, range 10 x 1 s steps', range],
      ['p99 latency, instant over 5 s', quantile],
    ] as const) {
      const { times, samples } = await latencies(source, make, sequential);
      rows.push([
        name,
        sequential,
        samples,
        round(percentile(times, 0.5), 2),
        round(percentile(times, 0.99), 2),
      ]);
    }

    const rounds = bench.quick ? 3 : 10;
    bench.log(
      `prometheus bench: ${rounds} rounds of ${CONCURRENT_READS} concurrent reads, pooled and unpooled`,
    );
    const pooled: number[] = [];
    const unpooled: number[] = [];
    for (let r = 0; r < rounds; r++) {
      let started = performance.now();
      await Promise.all(Array.from({ length: CONCURRENT_READS }, () => expectOk(source, instant())));
      pooled.push(CONCURRENT_READS / ((performance.now() - started) / 1000));

      started = performance.now();
      await Promise.all(
        Array.from({ length: CONCURRENT_READS }, async () => {
          const fresh = createPrometheusSource({ url: prometheus.url });
          try {
            await expectOk(fresh, instant());
          } finally {
            await fresh.dispose();
          }
        }),
      );
      unpooled.push(CONCURRENT_READS / ((performance.now() - started) / 1000));
    }
    const pooledRate = median(pooled);
    const unpooledRate = median(unpooled);

    const latency: BenchSection = {
      title: 'Prometheus source: latency of one signal read',
      description:
        'Sequential reads through one PrometheusSource (keep-alive pool) against a local Prometheus 1 s scrape, ' +
        'one target; wall time from read() to the shaped result, after 20 warm-up reads.',
      columns: ['read', 'reads', 'samples in last reply', 'median ms', 'p99 ms'],
      rows,
      notes: [
        'Prometheus runs on the same machine as the benchmark, so this is the client plus query-engine cost, no network.',
        'A read is one HTTP POST; count queries read every counter at t and at t - step (docs/adapters/prometheus.md).',
      ],
    };
    const throughput: BenchSection = {
      title: 'Prometheus source: 100 concurrent reads, pooled vs new connection per read',
      description:
        `${CONCURRENT_READS} instant error-count reads in flight at once; reads per second is ${CONCURRENT_READS} / wall time, ` +
        `median of ${rounds} rounds. "New connection" creates a source (and its pool) per read and disposes it after.` +
        ' Prometheus evaluates at most 20 queries at once (--query.max-concurrency), for both.',
      columns: ['connection handling', 'reads/s (median)', 'min', 'max'],
      rows: [
        [
          'one keep-alive pool (16 sockets)',
          round(pooledRate, 0),
          round(Math.min(...pooled), 0),
          round(Math.max(...pooled), 0),
        ],
        [
          'new connection per read',
          round(unpooledRate, 0),
          round(Math.min(...unpooled), 0),
          round(Math.max(...unpooled), 0),
        ],
      ],
      notes: [`Pooled / new-connection throughput ratio: ${round(pooledRate / unpooledRate, 2)}x.`],
    };
    return [latency, throughput];
  } finally {
    await source.dispose();
    await prometheus.stop();
    await exporter.stop();
  }
};
