import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** client_golang's `DefBuckets`, in seconds: the conventional latency histogram boundaries. */
export const DEFAULT_LATENCY_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Extra labels on a request series, e.g. `{ route: '/checkout' }`. */
export type ExporterLabels = Readonly<Record<string, string>>;

/** Options of {@link startTestExporter}. */
export interface TestExporterOptions {
  /** Histogram upper bounds in seconds, ascending (default {@link DEFAULT_LATENCY_BUCKETS}). */
  readonly buckets?: readonly number[];
  /**
   * Status codes whose `http_requests_total` series exist (at 0) from the start, as Prometheus
   * advises, so the first errors are an increment rather than a new series (default `200`, `500`).
   */
  readonly initialCodes?: readonly (string | number)[];
  /** Resident memory reported until `setMemoryBytes` (default 64 MiB). */
  readonly memoryBytes?: number;
}

/** One request for `/metrics`, as the exporter saw it. */
export interface ScrapeInfo {
  /** 1 for the first scrape. */
  readonly index: number;
  /** Epoch ms the request arrived (Prometheus stamps the samples a few ms earlier). */
  readonly at: number;
  /** False when the exporter answered 503 (see `setAvailable`). */
  readonly served: boolean;
}

/** A request batch for {@link TestExporter.recordRequests}. */
export interface RequestBatch {
  /** HTTP status code label (default `200`). */
  readonly code?: string | number;
  /** How many requests (default 1). */
  readonly count?: number;
  /** When set, each request is also observed in the latency histogram with this duration. */
  readonly seconds?: number;
  /** Extra labels on both the counter and the histogram, e.g. `{ route: '/checkout' }`. */
  readonly labels?: ExporterLabels;
}

/**
 * A small HTTP server on 127.0.0.1 serving Prometheus text exposition whose values the caller
 * drives. It exposes the conventional names Rollgate's Prometheus source reads by default:
 * `http_requests_total{code}`, the `http_request_duration_seconds` histogram,
 * `process_resident_memory_bytes`, `process_cpu_seconds_total`, `process_start_time_seconds`,
 * plus any gauge set with `setGauge`.
 */
export interface TestExporter {
  /** `http://127.0.0.1:<port>/metrics`. */
  readonly url: string;
  /** `127.0.0.1:<port>`, the form `startPrometheus({ scrapeTargets })` takes. */
  readonly address: string;
  readonly port: number;
  /** Completed scrapes so far. */
  readonly scrapes: number;
  /** Counts requests in `http_requests_total` (and the histogram when `seconds` is set). */
  recordRequests(batch: RequestBatch): void;
  /** Observes `count` durations of `seconds` in the histogram only. */
  observeLatency(seconds: number, count?: number, labels?: ExporterLabels): void;
  setMemoryBytes(bytes: number): void;
  addCpuSeconds(seconds: number): void;
  /** Sets any gauge (`name` must be a valid metric name). */
  setGauge(name: string, value: number, labels?: ExporterLabels): void;
  /** Simulates a process restart: counters and histograms back to 0, a new start time. */
  restart(): void;
  /** While false, `/metrics` answers 503, so Prometheus records `up == 0` and marks series stale. */
  setAvailable(available: boolean): void;
  /** Resolves after the next scrape has been answered (rejects after `timeoutMs`, default 10 000). */
  nextScrape(timeoutMs?: number): Promise<ScrapeInfo>;
  /** The exposition text the next scrape would get. */
  metricsText(): string;
  /** Closes the server (Prometheus then sees the target down). Idempotent. */
  stop(): Promise<void>;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

function formatLabels(labels: ExporterLabels): string {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return '';
  return `{${keys.map((k) => `${k}="${escapeLabelValue(labels[k] ?? '')}"`).join(',')}}`;
}

function checkLabels(labels: ExporterLabels): void {
  for (const name of Object.keys(labels)) {
    if (!LABEL_NAME.test(name) || name === 'le') throw new Error(`test exporter: invalid label name ${name}`);
  }
}

function keyOf(labels: ExporterLabels): string {
  return JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((k) => [k, labels[k]]),
  );
}

interface HistogramSeries {
  readonly labels: ExporterLabels;
  readonly bucketCounts: number[];
  count: number;
  sum: number;
}

/** Starts a {@link TestExporter} on a free loopback port. */
export async function startTestExporter(options: TestExporterOptions = {}): Promise<TestExporter> {
  const buckets = [...(options.buckets ?? DEFAULT_LATENCY_BUCKETS)];
  for (let i = 1; i < buckets.length; i++) {
    if (!((buckets[i] ?? 0) > (buckets[i - 1] ?? 0))) throw new Error('test exporter: buckets must ascend');
  }
  const initialCodes = (options.initialCodes ?? ['200', '500']).map(String);
  const counters = new Map<string, { labels: ExporterLabels; value: number }>();
  const histograms = new Map<string, HistogramSeries>();
  const gauges = new Map<string, Map<string, { labels: ExporterLabels; value: number }>>();
  let memoryBytes = options.memoryBytes ?? 64 * 1024 * 1024;
  let cpuSeconds = 0;
  let startTime = Date.now() / 1000;
  let available = true;
  let scrapes = 0;
  let waiters: { resolve: (info: ScrapeInfo) => void }[] = [];

  const resetCounters = (): void => {
    counters.clear();
    histograms.clear();
    for (const code of initialCodes) counters.set(keyOf({ code }), { labels: { code }, value: 0 });
  };
  resetCounters();

  const addRequests = (code: string, count: number, labels: ExporterLabels): void => {
    const all = { ...labels, code };
    const key = keyOf(all);
    const series = counters.get(key) ?? { labels: all, value: 0 };
    series.value += count;
    counters.set(key, series);
  };

  const observe = (seconds: number, count: number, labels: ExporterLabels): void => {
    const key = keyOf(labels);
    let series = histograms.get(key);
    if (series === undefined) {
      series = { labels, bucketCounts: buckets.map(() => 0), count: 0, sum: 0 };
      histograms.set(key, series);
    }
    for (let i = 0; i < buckets.length; i++) {
      if (seconds <= (buckets[i] ?? 0)) series.bucketCounts[i] = (series.bucketCounts[i] ?? 0) + count;
    }
    series.count += count;
    series.sum += seconds * count;
  };

  const metricsText = (): string => {
    const lines: string[] = [];
    lines.push('# HELP http_requests_total Requests handled, by status code.');
    lines.push('# TYPE http_requests_total counter');
    for (const { labels, value } of counters.values()) {
      lines.push(`http_requests_total${formatLabels(labels)} ${formatValue(value)}`);
    }
    lines.push('# HELP http_request_duration_seconds Request duration.');
    lines.push('# TYPE http_request_duration_seconds histogram');
    for (const series of histograms.values()) {
      buckets.forEach((bound, i) => {
        const labels = formatLabels({ ...series.labels, le: formatValue(bound) });
        lines.push(`http_request_duration_seconds_bucket${labels} ${series.bucketCounts[i] ?? 0}`);
      });
      lines.push(
        `http_request_duration_seconds_bucket${formatLabels({ ...series.labels, le: '+Inf' })} ${series.count}`,
      );
      lines.push(
        `http_request_duration_seconds_sum${formatLabels(series.labels)} ${formatValue(series.sum)}`,
      );
      lines.push(`http_request_duration_seconds_count${formatLabels(series.labels)} ${series.count}`);
    }
    lines.push('# TYPE process_resident_memory_bytes gauge');
    lines.push(`process_resident_memory_bytes ${formatValue(memoryBytes)}`);
    lines.push('# TYPE process_cpu_seconds_total counter');
    lines.push(`process_cpu_seconds_total ${formatValue(cpuSeconds)}`);
    lines.push('# TYPE process_start_time_seconds gauge');
    lines.push(`process_start_time_seconds ${formatValue(startTime)}`);
    for (const [name, series] of gauges) {
      lines.push(`# TYPE ${name} gauge`);
      for (const { labels, value } of series.values())
        lines.push(`${name}${formatLabels(labels)} ${formatValue(value)}`);
    }
    return `${lines.join('\n')}\n`;
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const at = Date.now();
    if (req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    const served = available;
    res.on('finish', () => {
      scrapes += 1;
      const info: ScrapeInfo = { index: scrapes, at, served };
      const pending = waiters;
      waiters = [];
      for (const waiter of pending) waiter.resolve(info);
    });
    if (!served) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(metricsText());
  };

  const server = createServer(handle);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let stopping: Promise<void> | undefined;

  return {
    url: `http://127.0.0.1:${port}/metrics`,
    address: `127.0.0.1:${port}`,
    port,
    get scrapes() {
      return scrapes;
    },
    recordRequests(batch) {
      const labels = batch.labels ?? {};
      checkLabels(labels);
      const count = batch.count ?? 1;
      if (!(count >= 0)) throw new Error('test exporter: count must be >= 0');
      addRequests(String(batch.code ?? 200), count, labels);
      if (batch.seconds !== undefined) observe(batch.seconds, count, labels);
    },
    observeLatency(seconds, count = 1, labels = {}) {
      checkLabels(labels);
      observe(seconds, count, labels);
    },
    setMemoryBytes(bytes) {
      memoryBytes = bytes;
    },
    addCpuSeconds(seconds) {
      cpuSeconds += seconds;
    },
    setGauge(name, value, labels = {}) {
      if (!METRIC_NAME.test(name)) throw new Error(`test exporter: invalid metric name ${name}`);
      checkLabels(labels);
      const series = gauges.get(name) ?? new Map<string, { labels: ExporterLabels; value: number }>();
      series.set(keyOf(labels), { labels, value });
      gauges.set(name, series);
    },
    restart() {
      resetCounters();
      cpuSeconds = 0;
      startTime = Date.now() / 1000;
    },
    setAvailable(value) {
      available = value;
    },
    nextScrape(timeoutMs = 10_000) {
      return new Promise<ScrapeInfo>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w !== waiter);
          reject(new Error(`test exporter: no scrape within ${timeoutMs} ms`));
        }, timeoutMs);
        const waiter = {
          resolve: (info: ScrapeInfo) => {
            clearTimeout(timer);
            resolve(info);
          },
        };
        waiters.push(waiter);
      });
    },
    metricsText,
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopping;
    },
  };
}
