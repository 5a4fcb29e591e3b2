import type { RollgateError } from '../errors/rollgate-error';
import type { PortContext } from './abort';

/** Equality label matchers (`{ service: 'checkout', env: 'prod' }`). Adapters escape values. */
export type Selector = Readonly<Record<string, string>>;

/**
 * What to read, in source-neutral terms. Each source translates a measure into its own query
 * language (PromQL, NRQL, the Kubernetes API), so one contract works with any source.
 *
 * Sample semantics by measure (every adapter MUST follow them):
 * - count measures (`requests`, `errors`, `latency-exceedances`, `restarts`, `raw` with
 *   `valueType: 'count'`): the sample at time t is the number of events in `(t - stepMs, t]`.
 *   Counter increments per interval, not a per-second rate.
 * - `latency-quantile`: the quantile, in **milliseconds**, of requests completed in
 *   `(t - stepMs, t]`.
 * - gauges (`memory` in bytes, `cpu` in cores, `ready` as a fraction 0..1 of ready instances,
 *   `raw` with `valueType: 'gauge'`): the value at time t.
 *
 * The values each measure can take are defined in `rules/measure-domain.ts`; core turns a read
 * holding a value outside them into a `SOURCE_BAD_RESPONSE` naming it.
 */
export type MetricQuery =
  | { readonly measure: 'requests'; readonly selector: Selector }
  | { readonly measure: 'errors'; readonly selector: Selector }
  /** `quantile` is a fraction in (0, 1): 0.99 for p99. */
  | { readonly measure: 'latency-quantile'; readonly selector: Selector; readonly quantile: number }
  | { readonly measure: 'latency-exceedances'; readonly selector: Selector; readonly thresholdMs: number }
  | { readonly measure: 'memory'; readonly selector: Selector }
  | { readonly measure: 'cpu'; readonly selector: Selector }
  | { readonly measure: 'ready'; readonly selector: Selector }
  | { readonly measure: 'restarts'; readonly selector: Selector }
  | { readonly measure: 'raw'; readonly query: string; readonly valueType: 'count' | 'gauge' };

/** The measure names of {@link MetricQuery}. */
export type Measure = MetricQuery['measure'];

/** Measures whose samples are event counts per step (see {@link MetricQuery}). */
export const COUNT_MEASURES: ReadonlySet<Measure> = new Set([
  'requests',
  'errors',
  'latency-exceedances',
  'restarts',
]);

/**
 * One read: samples at `start, start + stepMs, ..., end` (a single sample when
 * `start === end`; with `stepMs` equal to a window length that sample aggregates the window).
 */
export interface MetricRequest {
  readonly query: MetricQuery;
  /** Epoch ms of the first sample. */
  readonly start: number;
  /** Epoch ms of the last sample; `>= start`. */
  readonly end: number;
  /** Spacing of samples, and the interval each count or quantile sample covers. `> 0`. */
  readonly stepMs: number;
  /** Split the result per value of this label (region, browser, endpoint): one series each. */
  readonly segmentBy?: string;
}

/** One observation: epoch ms and a value that is finite or ±Infinity, never NaN. */
export interface Sample {
  readonly t: number;
  readonly v: number;
}

/**
 * Samples of one series, ascending by `t`. Without `segmentBy` a source returns one series with
 * empty labels; with it, one series per segment with `labels[segmentBy]` set.
 */
export interface Series {
  readonly labels: Readonly<Record<string, string>>;
  readonly samples: readonly Sample[];
}

/**
 * The outcome of a read. Backend failures are values, never exceptions:
 * - `ok`: at least one sample;
 * - `no-data`: the backend answered but there is nothing to judge (empty result, only NaN, no
 *   series). Never healthy;
 * - `error`: the source failed (timeout, 5xx, auth, malformed reply) with a RollgateError
 *   whose code says which, and `retryable`/`retryAfterMs` set.
 *
 * `partial` is the backend's own statement that the answer may be incomplete or wrong (a
 * Prometheus `warnings` entry such as `partial response: store gateway down`). Core treats a
 * read with any `partial` entry as a `SOURCE_PARTIAL_DATA` error: partial data is no evidence,
 * and never verifies an artifact. `warnings` are informational notes about a complete answer
 * (a container's `CrashLoopBackOff` reason, a Prometheus `infos` entry); core does not judge on
 * them.
 */
export type ReadResult =
  | {
      readonly status: 'ok';
      readonly series: readonly Series[];
      readonly warnings?: readonly string[];
      readonly partial?: readonly string[];
    }
  | { readonly status: 'no-data'; readonly reason: string; readonly partial?: readonly string[] }
  | { readonly status: 'error'; readonly error: RollgateError };

/**
 * A metrics backend. Rules for implementers (docs/writing-an-adapter.md has the full list):
 * - `read` MUST NOT throw or reject for backend failures: it resolves to a {@link ReadResult}.
 * - It MUST honour `ctx.signal` (resolve `error` with code `ABORTED`) and `ctx.deadline`
 *   (resolve `error` with code `TIMEOUT`).
 * - It MUST NOT retry or sleep: core owns retries, backoff and holds.
 * - It MUST NOT read environment variables: all configuration comes through its factory.
 * - It MUST drop NaN samples, keep ±Infinity as numbers, and map an empty answer to `no-data`.
 * - Error messages MUST NOT contain secrets (tokens, API keys, passwords).
 * - `readMany` is optional; when present it follows all of the above per request.
 */
export interface MetricSource {
  /** A short name for logs and audit records, e.g. `prometheus`. */
  readonly name: string;
  read(request: MetricRequest, ctx: PortContext): Promise<ReadResult>;
  /**
   * Optional: reads many requests in as few backend queries as the source can (Prometheus
   * answers requests that differ only in one label value with one `sum by (label)` query).
   * Resolves to exactly one {@link ReadResult} per request, in the order of `requests`, each
   * the result `read` would give for it (same codes, same `partial` and `no-data` semantics).
   * The same rules as `read` apply: it never throws or rejects, honours `ctx.signal` and
   * `ctx.deadline`, and never retries. One request's failure (a bad query, a series missing
   * from the reply) is that request's result only; a failed backend query fails exactly the
   * requests it carried. Wrap a source in `batchingSource` to have concurrent `read` calls
   * coalesced into `readMany` calls.
   */
  readMany?(requests: readonly MetricRequest[], ctx: PortContext): Promise<readonly ReadResult[]>;
  /** The backend query a request turns into (PromQL, NRQL), for audit records and debugging. */
  describe(request: MetricRequest): string;
  /** Releases what the source created (connection pools it owns); idempotent. */
  dispose(): Promise<void>;
}
