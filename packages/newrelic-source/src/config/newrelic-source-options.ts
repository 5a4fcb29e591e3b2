import type { Clock } from '@rollgate/core';
import type { Dispatcher } from 'undici';

/** The two New Relic data centres NerdGraph serves from. */
export type NewRelicRegion = 'us' | 'eu';

/** The NerdGraph endpoint of each region (PROTOCOLS.md "New Relic NerdGraph"). */
export const NERDGRAPH_ENDPOINTS: Readonly<Record<NewRelicRegion, string>> = Object.freeze({
  us: 'https://api.newrelic.com/graphql',
  eu: 'https://api.eu.newrelic.com/graphql',
});

/** NerdGraph accepts at most 25 requests in flight per user key; more are answered 429. */
export const MAX_CONCURRENT_REQUESTS = 25;

/** Where `requests`, `errors` and the latency measures are read from. */
export interface TransactionQueryOptions {
  /** Event type holding one event per request, with `duration` in seconds. Default `Transaction`. */
  readonly eventType?: string;
  /**
   * NRQL condition that marks a request as failed, used inside `filter(count(*), WHERE ...)`.
   * Trusted operator configuration: it is inserted into the NRQL as written.
   * Default: ``(`error` IS TRUE OR `http.statusCode` >= 500)``.
   */
  readonly errorWhere?: string;
}

/** Where `memory` (bytes) and `cpu` (cores) are read from. */
export interface ResourceQueryOptions {
  /** Infrastructure sample to read. Default `SystemSample` (per host); `ProcessSample` reads per process. */
  readonly eventType?: 'SystemSample' | 'ProcessSample';
  /** How the samples of one step are combined. Default `average`. */
  readonly aggregation?: 'average' | 'max' | 'latest';
  /** NRQL expression in bytes; overrides the default for the event type. Trusted configuration. */
  readonly memoryExpression?: string;
  /** NRQL expression in cores; overrides the default for the event type. Trusted configuration. */
  readonly cpuExpression?: string;
}

/**
 * Where the `ready` measure (fraction 0..1 of healthy instances or checks) comes from.
 * - `event`: `percentage(count(*), WHERE <readyWhere>)` over a custom or synthetic event type;
 * - `metric`: `average(<metricName>)` over `Metric`, for a 0/1 gauge per instance.
 */
export type HealthQueryOptions =
  | { readonly source: 'event'; readonly eventType: string; readonly readyWhere: string }
  | { readonly source: 'metric'; readonly metricName: string };

/** Options of {@link createNewRelicSource}. */
export interface NewRelicSourceOptions {
  /** The New Relic account to query: a positive integer. */
  readonly accountId: number;
  /** A New Relic user key (`NRAK-...`). Sent only in the `API-Key` header; never logged or echoed. */
  readonly apiKey: string;
  /** Picks the endpoint: `us` → api.newrelic.com, `eu` → api.eu.newrelic.com. */
  readonly region: NewRelicRegion;
  /** Overrides the regional endpoint (a proxy, a test double). http(s) URL without credentials. */
  readonly endpoint?: string;
  /**
   * Upper bound for the NerdGraph `$timeout` variable, in seconds (5..120, default 30). Each read
   * sends the smaller of this and the time left before its deadline (never below 5).
   */
  readonly timeoutSeconds?: number;
  /** An undici dispatcher to send requests through. Used as is and never closed by the source. */
  readonly dispatcher?: Dispatcher;
  /** Clock that `ctx.deadline` is measured by. Default `systemClock` from `@rollgate/core/node`. */
  readonly clock?: Clock;
  /** Requests in flight at once (1..25, default 25); further reads wait in a queue. */
  readonly maxConcurrent?: number;
  /** The source's name in logs and audit records. Default `newrelic`. */
  readonly name?: string;
  readonly transactions?: TransactionQueryOptions;
  readonly resources?: ResourceQueryOptions;
  /** Default: `event` over `SyntheticCheck` with ``readyWhere: "`result` = 'SUCCESS'"``. */
  readonly health?: HealthQueryOptions;
  /** Largest reply body accepted, in bytes (default 16 MiB); a larger one is `SOURCE_BAD_RESPONSE`. */
  readonly maxResponseBytes?: number;
}
