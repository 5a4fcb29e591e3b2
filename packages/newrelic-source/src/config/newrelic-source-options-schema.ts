import { type Clock, type OptionsOf, secretOption, textOption, wholeNumberOption } from '@rollgate/core';
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { identifierProblem } from '../nrql/nrql-literals';

/**
 * The options of the New Relic source, as a configuration file writes them (`sources.<name>`
 * without `type`) and as `createNewRelicSource` checks them: the one description of every field,
 * its bounds and its secret (`apiKey`). The option types (`NewRelicSourceOptions` and its parts)
 * are derived from it, with the doc comments written on its fields. Runtime-only options
 * (`dispatcher`, `clock`, `name`) are checked by the factory.
 */

/** The NerdGraph endpoint of each region (docs/adapters/newrelic.md). */
export const NERDGRAPH_ENDPOINTS = Object.freeze({
  us: 'https://api.newrelic.com/graphql',
  eu: 'https://api.eu.newrelic.com/graphql',
} as const);

/** NerdGraph accepts at most 25 requests in flight per user key; more are answered 429. */
export const MAX_CONCURRENT_REQUESTS = 25;

/** NerdGraph's `$timeout` range in seconds. */
export const NRQL_TIMEOUT_RANGE = { min: 5, max: 120 } as const;

// Header values must be visible ASCII: anything else would be rejected by undici (whose error
// could quote the header) or would split the header.
const API_KEY_SHAPE = /^[\x21-\x7e]+$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: NRQL fragments must stay on their line
const CONTROL_EXCEPT_WHITESPACE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

const FRAGMENT = 'a non-empty NRQL fragment without control characters';

/** An NRQL condition or expression, inserted as written (trimmed). */
const nrqlFragment = () =>
  z
    .string({ error: `expected ${FRAGMENT}` })
    .refine((value) => value.trim().length > 0 && !CONTROL_EXCEPT_WHITESPACE.test(value), {
      error: `must be ${FRAGMENT}`,
    });

/** An event type or attribute name, quoted as an NRQL identifier. */
const identifier = () =>
  z.string({ error: 'expected a New Relic event type or attribute name' }).superRefine((value, ctx) => {
    const problem = identifierProblem(value);
    if (problem !== undefined) {
      ctx.addIssue({ code: 'custom', message: `${problem}; use the name exactly as New Relic reports it` });
    }
  });

const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of ${values.map((v) => `'${v}'`).join(', ')}` });

const ACCOUNT_ID =
  'a whole number from 1 to 9007199254740991: the positive integer account id shown in New Relic, e.g. 1234567';

/** Where `requests`, `errors` and the latency measures are read from. */
const transactions = z.strictObject({
  /** Event type holding one event per request, with `duration` in seconds. Default `Transaction`. */
  eventType: identifier().optional(),
  /**
   * NRQL condition that marks a request as failed, used inside `filter(count(*), WHERE ...)`.
   * Trusted operator configuration: it is inserted into the NRQL as written.
   * Default: ``(`error` IS TRUE OR `http.statusCode` >= 500)``.
   */
  errorWhere: nrqlFragment().optional(),
});

/** Where `memory` (bytes) and `cpu` (cores) are read from. */
const resources = z.strictObject({
  /** Infrastructure sample to read. Default `SystemSample` (per host); `ProcessSample` reads per process. */
  eventType: oneOf(['SystemSample', 'ProcessSample']).optional(),
  /** How the samples of one step are combined. Default `average`. */
  aggregation: oneOf(['average', 'max', 'latest']).optional(),
  /** NRQL expression in bytes; overrides the default for the event type. Trusted configuration. */
  memoryExpression: nrqlFragment().optional(),
  /** NRQL expression in cores; overrides the default for the event type. Trusted configuration. */
  cpuExpression: nrqlFragment().optional(),
});

/**
 * Where the `ready` measure (fraction 0..1 of healthy instances or checks) comes from.
 * - `event`: `percentage(count(*), WHERE <readyWhere>)` over a custom or synthetic event type;
 * - `metric`: `average(<metricName>)` over `Metric`, for a 0/1 gauge per instance.
 */
const health = z.discriminatedUnion(
  'source',
  [
    z.strictObject({ source: z.literal('event'), eventType: identifier(), readyWhere: nrqlFragment() }),
    z.strictObject({ source: z.literal('metric'), metricName: identifier() }),
  ],
  { error: "must be 'event' or 'metric'" },
);

/** The two New Relic data centres NerdGraph serves from. */
const region = oneOf(['us', 'eu']);

/** `sources.<name>` of `type: newrelic`, and the options of `createNewRelicSource`. */
export const NewRelicSourceOptionsSchema = z.strictObject({
  /** The New Relic account to query: a positive integer. */
  accountId: z
    .number({ error: `expected ${ACCOUNT_ID}` })
    .int({ error: `must be ${ACCOUNT_ID}` })
    .min(1, { error: `must be ${ACCOUNT_ID}` })
    .max(Number.MAX_SAFE_INTEGER, { error: `must be ${ACCOUNT_ID}` }),
  /** A New Relic user key (`NRAK-...`). Sent only in the `API-Key` header; never logged or echoed. */
  apiKey: secretOption(
    textOption('a New Relic user key (NRAK-...)').regex(API_KEY_SHAPE, {
      error:
        'contains whitespace or characters that cannot go in an HTTP header; copy the user key again without surrounding spaces or line breaks',
    }),
  ),
  /**
   * Picks the endpoint: `us` → api.newrelic.com, `eu` → api.eu.newrelic.com. A configuration
   * file defaults it to `us`; `createNewRelicSource` requires it.
   */
  region: region.default('us'),
  /** Overrides the regional endpoint (a proxy, a test double). http(s) URL without credentials. */
  endpoint: z
    .string({ error: 'expected an http(s) URL' })
    .superRefine((value, ctx) => {
      const problem = endpointProblem(value);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
  /**
   * Upper bound for the NerdGraph `$timeout` variable, in seconds (5..120, default 30). Each read
   * sends the smaller of this and the time left before its deadline (never below 5).
   */
  timeoutSeconds: wholeNumberOption(NRQL_TIMEOUT_RANGE.min, NRQL_TIMEOUT_RANGE.max, ' of seconds').optional(),
  /** Requests in flight at once (1..25, default 25); further reads wait in a queue. */
  maxConcurrent: wholeNumberOption(1, MAX_CONCURRENT_REQUESTS).optional(),
  /** Largest reply body accepted, in bytes (default 16 MiB); a larger one is `SOURCE_BAD_RESPONSE`. */
  maxResponseBytes: wholeNumberOption(1024, 2 ** 31, ' of bytes').optional(),
  transactions: transactions.optional(),
  resources: resources.optional(),
  /** Default: `event` over `SyntheticCheck` with ``readyWhere: "`result` = 'SUCCESS'"``. */
  health: health.optional(),
});

/** The options as written. */
export type NewRelicSourceOptionsInput = z.input<typeof NewRelicSourceOptionsSchema>;
/** The options after the schema, `region` defaulted. */
export type NewRelicSourceOptionsParsed = z.output<typeof NewRelicSourceOptionsSchema>;

/** The two New Relic data centres NerdGraph serves from. */
export type NewRelicRegion = z.output<typeof region>;
/** Where `requests`, `errors` and the latency measures are read from. */
export type TransactionQueryOptions = OptionsOf<typeof transactions>;
/** Where `memory` (bytes) and `cpu` (cores) are read from. */
export type ResourceQueryOptions = OptionsOf<typeof resources>;
/** Where the `ready` measure comes from: an `event` type's condition, or a 0/1 `metric`. */
export type HealthQueryOptions = OptionsOf<typeof health>;

/** Options of `createNewRelicSource`: the schema's fields and the runtime-only ones. */
export type NewRelicSourceOptions = Omit<OptionsOf<typeof NewRelicSourceOptionsSchema>, 'region'> & {
  /** Picks the endpoint: `us` → api.newrelic.com, `eu` → api.eu.newrelic.com. */
  readonly region: NewRelicRegion;
  /** An undici dispatcher to send requests through. Used as is and never closed by the source. */
  readonly dispatcher?: Dispatcher;
  /** Clock that `ctx.deadline` is measured by. Default `systemClock` from `@rollgate/core/node`. */
  readonly clock?: Clock;
  /** The source's name in logs and audit records. Default `newrelic`. */
  readonly name?: string;
};

/** What is wrong with an endpoint URL, or undefined; never repeats it (it may hold the key). */
function endpointProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a valid URL; give a full URL such as https://api.newrelic.com/graphql';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must use http or https';
  if (url.username !== '' || url.password !== '') {
    return 'must not carry credentials: remove them from the URL and pass the key as `apiKey`';
  }
  return undefined;
}
