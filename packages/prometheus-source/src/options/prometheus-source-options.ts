import type { Clock } from '@rollgate/core';
import type { Dispatcher } from 'undici';
import type { PrometheusMetricNames } from '../promql/metric-names';

/** Credentials sent with every query. They never appear in errors, details or `describe()`. */
export type PrometheusAuth =
  | { readonly type: 'bearer'; readonly token: string }
  | { readonly type: 'basic'; readonly username: string; readonly password: string };

/** PEM material: one string or buffer, or several. */
export type PemInput = string | Uint8Array | readonly (string | Uint8Array)[];

/** TLS settings for the connection pool the source creates (ignored shape for `http:` urls: rejected). */
export interface PrometheusTlsOptions {
  /** CA certificates to trust instead of the system store (a private CA, a self-signed server). */
  readonly ca?: PemInput;
  /** A file holding `ca`, read when the source is created (instead of `ca`). */
  readonly caFile?: string;
  /** Client certificate for mutual TLS. */
  readonly cert?: PemInput;
  /** A file holding `cert`, read when the source is created. */
  readonly certFile?: string;
  /** Client private key for mutual TLS. */
  readonly key?: PemInput;
  /** A file holding `key`, read when the source is created. */
  readonly keyFile?: string;
  /** Passphrase of `key`. */
  readonly passphrase?: string;
  /** Default true. Setting false accepts any certificate: for local experiments only. */
  readonly rejectUnauthorized?: boolean;
  /** SNI and certificate host name, when it differs from the url's host. */
  readonly servername?: string;
}

/** Options of `createPrometheusSource`. */
export interface PrometheusSourceOptions {
  /**
   * Base URL of the Prometheus HTTP API, without `/api/v1` (`http://prometheus:9090`, or with a
   * path prefix such as `https://mimir.example.com/prometheus`). No credentials or query string.
   */
  readonly url: string;
  readonly auth?: PrometheusAuth;
  /** Extra request headers, e.g. `{ 'X-Scope-OrgID': 'team-a' }` for Mimir, Cortex or Loki. */
  readonly headers?: Readonly<Record<string, string>>;
  /** TLS for the pool the source creates; not allowed together with `dispatcher`. */
  readonly tls?: PrometheusTlsOptions;
  /**
   * Upper bound per read in ms (default 30 000). The effective limit is the earlier of this and
   * the caller's `ctx.deadline`; it is also sent to Prometheus as the query `timeout`.
   */
  readonly timeoutMs?: number;
  /** Maximum sockets of the keep-alive pool the source creates (default 16). */
  readonly connections?: number;
  /** Largest reply body accepted, in bytes (default 32 MiB); larger is `SOURCE_BAD_RESPONSE`. */
  readonly maxResponseBytes?: number;
  /**
   * An undici Dispatcher (Agent, Pool, ProxyAgent, MockAgent) used as is and never closed by
   * `dispose()`. Without it the source creates its own keep-alive Pool and closes it in `dispose()`.
   */
  readonly dispatcher?: Dispatcher;
  /** Metric names of the built-in measures (see the README for the PromQL they produce). */
  readonly metrics?: PrometheusMetricNames;
  /** The clock `ctx.deadline` is measured by (default `systemClock`). */
  readonly clock?: Clock;
}
