import {
  booleanOption,
  type Clock,
  type OptionsOf,
  pathOption,
  secretOption,
  textMapOption,
  textOption,
  wholeNumberOption,
} from '@rollgate/core';
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { LABEL_NAME_PATTERN, METRIC_NAME_PATTERN } from '../promql/label-matchers';

/**
 * The options of the Prometheus source, as a configuration file writes them (`sources.<name>`
 * without `type`) and as `createPrometheusSource` checks them: the one description of every
 * field, its bounds, which fields are paths (`tls.*File`) and which are secrets. The option types
 * (`PrometheusSourceOptions` and its parts) are derived from it, with the doc comments written
 * on its fields. Runtime-only options (`dispatcher`, `clock`) are checked by the factory.
 */

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers the source sets itself or that undici manages. */
const RESERVED_HEADERS = new Set([
  'host',
  'content-length',
  'content-type',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
]);
const LINE_BREAK = /[\r\n\0]/;

/** The largest `timeoutMs`: a single read that takes longer than 10 min is a failure. */
export const MAX_TIMEOUT_MS = 600_000;

/** PEM material: one string or buffer, or several. */
const pem = () =>
  z.union(
    [
      z.string().min(1),
      z.instanceof(Uint8Array),
      z.array(z.union([z.string().min(1), z.instanceof(Uint8Array)])).min(1),
    ],
    {
      error: 'expected PEM text, or a list of PEM texts',
    },
  );

const baseUrl = textOption('the Prometheus base URL, e.g. http://prometheus:9090').superRefine(
  (value, ctx) => {
    const problem = urlProblem(value);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  },
);

/** Credentials sent with every request; they never appear in errors, details or `describe()`. */
export const PrometheusAuthSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('bearer'),
      token: secretOption(
        textOption('a bearer token').refine((t) => !LINE_BREAK.test(t) && t.trim() === t, {
          error: 'must be a token without spaces at the ends or line breaks',
        }),
      ),
    }),
    z.strictObject({
      type: z.literal('basic'),
      username: textOption('a user name').refine((u) => !LINE_BREAK.test(u) && !u.includes(':'), {
        error: 'must be a user name without ":" or line breaks',
      }),
      password: secretOption(
        textOption('a password').refine((p) => !LINE_BREAK.test(p), {
          error: 'must not contain line breaks',
        }),
      ),
    }),
  ],
  { error: 'expected { type: bearer, token } or { type: basic, username, password }' },
);

/** TLS settings for the connection pool the source creates (with an `http:` url: rejected). */
const tls = z.strictObject({
  /** CA certificates to trust instead of the system store (a private CA, a self-signed server). */
  ca: pem().optional(),
  /** A file holding `ca`, read when the source is created (instead of `ca`). */
  caFile: pathOption(textOption('a file path')).optional(),
  /** Client certificate for mutual TLS. */
  cert: pem().optional(),
  /** A file holding `cert`, read when the source is created. */
  certFile: pathOption(textOption('a file path')).optional(),
  /** Client private key for mutual TLS. */
  key: secretOption(pem()).optional(),
  /** A file holding `key`, read when the source is created. */
  keyFile: pathOption(textOption('a file path')).optional(),
  /** Passphrase of `key`. */
  passphrase: secretOption(z.string()).optional(),
  /** Default true. Setting false accepts any certificate: for local experiments only. */
  rejectUnauthorized: booleanOption().optional(),
  /** SNI and certificate host name, when it differs from the url's host. */
  servername: textOption('a server name').optional(),
});

const metricName = () =>
  z.string().regex(METRIC_NAME_PATTERN, {
    error: 'must be a valid Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)',
  });

/**
 * Which series each built-in measure reads. Every field is optional; the defaults are the
 * conventional names client libraries, cAdvisor and kube-state-metrics export.
 */
export const PrometheusMetricNamesSchema = z.strictObject({
  /** Request counter with a status-code label (default `http_requests_total`). */
  requests: metricName().optional(),
  /** The status-code label of `requests` (default `code`; some exporters use `status`). */
  statusLabel: z
    .string()
    .regex(LABEL_NAME_PATTERN, { error: 'must be a valid Prometheus label name' })
    .optional(),
  /** RE2 pattern of status codes that count as errors (default `5..`). */
  errorStatusPattern: textOption('a regular expression')
    .refine(isRegExp, { error: 'is not a valid regular expression' })
    .optional(),
  /**
   * Base name of the classic latency histogram; `_bucket` and `_count` are appended
   * (default `http_request_duration_seconds`).
   */
  latencyHistogram: metricName()
    .refine((name) => !/_(bucket|count|sum)$/.test(name), {
      error: "is the histogram's base name; drop the _bucket, _count or _sum suffix",
    })
    .optional(),
  /**
   * Unit of the histogram's `le` boundaries. Default: `milliseconds` when the base name ends in
   * `_milliseconds` or `_ms`, otherwise `seconds`.
   */
  latencyUnit: z.enum(['seconds', 'milliseconds']).optional(),
  /**
   * Memory gauge in bytes (default `process_resident_memory_bytes`; for Kubernetes use
   * `container_memory_working_set_bytes`, which gets `container!="", container!="POD"` added).
   */
  memory: metricName().optional(),
  /**
   * CPU-seconds counter (default `process_cpu_seconds_total`; for Kubernetes use
   * `container_cpu_usage_seconds_total`, which gets the same container matchers).
   */
  cpu: metricName().optional(),
  /**
   * 0/1 readiness gauge averaged into a fraction (default `up`; for Kubernetes use
   * `kube_pod_status_ready`, which gets `condition="true"` added).
   */
  ready: metricName().optional(),
  /**
   * Restart counter (default `kube_pod_container_status_restarts_total`). Set it to
   * `process_start_time_seconds` to count instances whose start time changed in each step
   * (works with any client library, no Kubernetes needed).
   */
  restarts: metricName().optional(),
});

/** Extra request headers, e.g. `{ 'X-Scope-OrgID': 'team-a' }` for Mimir, Cortex or Loki; every value is a secret. */
export const requestHeaders = () => secretOption(textMapOption());

/**
 * The checks of `headers` beside `auth`, shared with the exposition source: valid names, none the
 * source sets itself, no `authorization` together with `auth`, no line breaks, no name twice.
 */
export function checkRequestHeaders(
  options: { readonly headers?: Readonly<Record<string, string>> | undefined; readonly auth?: unknown },
  ctx: z.RefinementCtx,
): void {
  const seen = new Set<string>();
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    const path = ['headers', name];
    const lower = name.toLowerCase();
    const problem = !HEADER_NAME.test(name)
      ? 'is not a valid HTTP header name'
      : RESERVED_HEADERS.has(lower)
        ? 'is set by the source itself; remove it'
        : lower === 'authorization' && options.auth !== undefined
          ? 'conflicts with the auth option; use one of them'
          : LINE_BREAK.test(value)
            ? 'must be a value without line breaks'
            : seen.has(lower)
              ? 'is given twice (header names are case-insensitive)'
              : undefined;
    seen.add(lower);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', path, message: problem });
  }
}

/** `sources.<name>` of `type: prometheus`, and the options of `createPrometheusSource`. */
export const PrometheusSourceOptionsSchema = z
  .strictObject({
    /**
     * Base URL of the Prometheus HTTP API, without `/api/v1` (`http://prometheus:9090`, or with a
     * path prefix such as `https://mimir.example.com/prometheus`). No credentials or query string.
     */
    url: baseUrl,
    /** Credentials sent with every query. They never appear in errors, details or `describe()`. */
    auth: PrometheusAuthSchema.optional(),
    /** Extra request headers, e.g. `{ 'X-Scope-OrgID': 'team-a' }` for Mimir, Cortex or Loki. */
    headers: requestHeaders().optional(),
    /** TLS for the pool the source creates; not allowed together with `dispatcher`. */
    tls: tls.optional(),
    /**
     * Upper bound per read in ms (default 30 000). The effective limit is the earlier of this and
     * the caller's `ctx.deadline`; it is also sent to Prometheus as the query `timeout`.
     */
    timeoutMs: wholeNumberOption(1, MAX_TIMEOUT_MS, ' of milliseconds').optional(),
    /** Maximum sockets of the keep-alive pool the source creates (default 16). */
    connections: wholeNumberOption(1, 1024).optional(),
    /** Largest reply body accepted, in bytes (default 32 MiB); larger is `SOURCE_BAD_RESPONSE`. */
    maxResponseBytes: wholeNumberOption(1024, 2 ** 31, ' of bytes').optional(),
    /** Metric names of the built-in measures (see the README for the PromQL they produce). */
    metrics: PrometheusMetricNamesSchema.optional(),
  })
  .superRefine((options, ctx) => {
    checkRequestHeaders(options, ctx);
    if (options.tls !== undefined) {
      if (!/^https:/i.test(options.url)) {
        ctx.addIssue({ code: 'custom', path: ['tls'], message: 'needs an https url' });
      }
      const cert = options.tls.cert !== undefined || options.tls.certFile !== undefined;
      const key = options.tls.key !== undefined || options.tls.keyFile !== undefined;
      if (cert !== key) {
        ctx.addIssue({
          code: 'custom',
          path: ['tls', cert ? 'key' : 'cert'],
          message: 'client certificates need both tls.cert and tls.key (or their *File forms)',
        });
      }
    }
  });

/** The options as written (numbers may still be text from `${NAME}`). */
export type PrometheusSourceOptionsInput = z.input<typeof PrometheusSourceOptionsSchema>;
/** The options after the schema. */
export type PrometheusSourceOptionsParsed = z.output<typeof PrometheusSourceOptionsSchema>;

/** Options of `createPrometheusSource`: the schema's fields and the runtime-only ones. */
export type PrometheusSourceOptions = OptionsOf<typeof PrometheusSourceOptionsSchema> & {
  /**
   * An undici Dispatcher (Agent, Pool, ProxyAgent, MockAgent) used as is and never closed by
   * `dispose()`. Without it the source creates its own keep-alive Pool and closes it in `dispose()`.
   */
  readonly dispatcher?: Dispatcher;
  /** The clock `ctx.deadline` is measured by (default `systemClock`). */
  readonly clock?: Clock;
};
/** Credentials sent with every query. They never appear in errors, details or `describe()`. */
export type PrometheusAuth = OptionsOf<typeof PrometheusAuthSchema>;
/** PEM material: one string or buffer, or several. */
export type PemInput = OptionsOf<ReturnType<typeof pem>>;
/** TLS settings for the connection pool the source creates (with an `http:` url: rejected). */
export type PrometheusTlsOptions = OptionsOf<typeof tls>;
/** Which series each built-in measure reads (every field optional). */
export type PrometheusMetricNames = OptionsOf<typeof PrometheusMetricNamesSchema>;

/** What is wrong with a base URL, or undefined; never repeats the URL (it may hold credentials). */
function urlProblem(value: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return 'is not a valid absolute URL; use e.g. http://prometheus:9090';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return `must use http or https, not ${parsed.protocol.replace(':', '')}`;
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return 'must not contain credentials; pass them as auth: { type: "basic", username, password }';
  }
  if (parsed.search !== '' || parsed.hash !== '') {
    return 'must not contain a query string or fragment; pass API keys as auth or headers';
  }
  return undefined;
}

function isRegExp(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}
