import type { Clock } from '@rollgate/core';
import type { Dispatcher } from 'undici';
import type { PrometheusAuth } from '../options/prometheus-source-options';
import type { PrometheusMetricNames } from '../promql/metric-names';

/**
 * A `/metrics` endpoint to scrape: its full URL, or the URL with extra target labels (added to
 * every series it exposes, like `static_configs[].labels` in Prometheus).
 */
export type ExpositionTarget =
  | string
  | { readonly url: string; readonly labels?: Readonly<Record<string, string>> };

/** Options of `createExpositionSource`. */
export interface ExpositionSourceOptions {
  /**
   * The endpoints to scrape, e.g. `['http://127.0.0.1:8080/metrics']` (http or https, no
   * credentials in the URL: use `auth` or `headers`). Each target's series get the labels
   * `job` and `instance` (`host:port`), as Prometheus adds them.
   */
  readonly targets: readonly ExpositionTarget[];
  /** The `job` label of every target (default `exposition`). */
  readonly job?: string;
  /** Time between scrapes, ms (default 1000). Reads' `stepMs` should be a multiple of it. */
  readonly scrapeIntervalMs?: number;
  /** Per-scrape limit, ms (default: the interval, at most 10 000; never above the interval). */
  readonly scrapeTimeoutMs?: number;
  /**
   * How much history is kept, ms (default 2 hours). Each series keeps at most
   * `retentionMs / scrapeIntervalMs + 1` entries; reads further back find nothing.
   */
  readonly retentionMs?: number;
  /**
   * Series kept at most (default 1000). A new series beyond it is dropped and reads say so in
   * their warnings: a label with unbounded values must not grow memory forever.
   */
  readonly maxSeries?: number;
  /** How far back a sample still counts as current, ms (PromQL's lookback delta; default 300 000). */
  readonly lookbackMs?: number;
  /** Largest `/metrics` body accepted, bytes (default 16 MiB); larger fails the scrape. */
  readonly maxScrapeBytes?: number;
  /** Credentials for the endpoints (never shown). */
  readonly auth?: PrometheusAuth;
  /** Extra scrape request headers. Values that look secret are never shown. */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * An undici Dispatcher used as is and never closed (custom TLS, a proxy). Without it the source
   * creates its own keep-alive Agent and closes it in `dispose()`.
   */
  readonly dispatcher?: Dispatcher;
  /** Metric names of the built-in measures; the same option as `createPrometheusSource`'s. */
  readonly metrics?: PrometheusMetricNames;
  /** Time for scrape stamps, scheduling and `ctx.deadline` (default `systemClock`). */
  readonly clock?: Clock;
}
