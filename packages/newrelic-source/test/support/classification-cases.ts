import type { RollgateErrorCode } from '@rollgate/core';
import { type CannedReply, replies } from './nerdgraph-double';

/** What a reply must classify as. */
export type ExpectedOutcome =
  /** `rows`: what classify returns; `read`: what a single-sample `requests` read then resolves to. */
  | { readonly ok: true; readonly rows: number; readonly read: 'ok' | 'no-data' }
  | {
      readonly ok: false;
      readonly code: RollgateErrorCode;
      readonly retryable: boolean;
      /** Exact ms, a [min, max] range (HTTP-date), or absent: the error must have none. */
      readonly retryAfterMs?: number | readonly [number, number];
    };

export interface ClassificationCase {
  readonly name: string;
  readonly reply: CannedReply;
  readonly expected: ExpectedOutcome;
}

const row = { requests: 5 };
const auth = { ok: false, code: 'SOURCE_AUTH', retryable: false } as const;
const badQuery = { ok: false, code: 'SOURCE_BAD_QUERY', retryable: false } as const;
const badResponse = { ok: false, code: 'SOURCE_BAD_RESPONSE', retryable: false } as const;
const unavailable = { ok: false, code: 'SOURCE_UNAVAILABLE', retryable: true } as const;
const rateLimited = { ok: false, code: 'SOURCE_RATE_LIMITED', retryable: true } as const;
const timeout = { ok: false, code: 'TIMEOUT', retryable: true } as const;

function json(status: number, body: unknown, headers: Record<string, string> = {}): CannedReply {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/**
 * The classification table: every documented NerdGraph reply (docs/adapters/newrelic.md, "Errors") and the outcome the
 * source must give it. Run through `classify` directly and end to end through the double.
 * `httpDateIn30s` is an HTTP-date about 30 s after the moment the table is built.
 */
export function classificationCases(httpDateIn30s: string): readonly ClassificationCase[] {
  return [
    // Success and the documented empty forms.
    {
      name: 'results with one row',
      reply: replies.results([row]),
      expected: { ok: true, rows: 1, read: 'ok' },
    },
    { name: 'results: []', reply: replies.results([]), expected: { ok: true, rows: 0, read: 'no-data' } },
    { name: 'results: [{}]', reply: replies.results([{}]), expected: { ok: true, rows: 1, read: 'no-data' } },
    { name: 'results: null', reply: replies.results(null), expected: { ok: true, rows: 0, read: 'no-data' } },
    {
      name: 'errors: [] with results',
      reply: json(200, { data: { actor: { account: { nrql: { results: [row] } } } }, errors: [] }),
      expected: { ok: true, rows: 1, read: 'ok' },
    },

    // GraphQL errors with HTTP 200.
    {
      name: 'GraphQL error without data',
      reply: replies.graphqlError({ message: 'Something went wrong' }),
      expected: badQuery,
    },
    {
      name: 'GraphQL error with partial data',
      reply: replies.graphqlError({ message: 'Something went wrong', partialRows: [row] }),
      expected: badQuery,
    },
    { name: 'NRQL syntax error', reply: replies.nrqlSyntaxError(), expected: badQuery },
    {
      name: 'NRQL syntax error with partial data',
      reply: replies.graphqlError({ message: 'NRQL Syntax Error: unexpected end', partialRows: [row] }),
      expected: badQuery,
    },
    {
      name: 'errorClass TOO_MANY_REQUESTS on HTTP 200',
      reply: replies.graphqlError({ message: 'Too many requests', errorClass: 'TOO_MANY_REQUESTS' }),
      expected: rateLimited,
    },
    {
      name: 'errorClass TOO_MANY_REQUESTS with Retry-After',
      reply: replies.graphqlError({
        message: 'slow down',
        errorClass: 'TOO_MANY_REQUESTS',
        headers: { 'retry-after': '12' },
      }),
      expected: { ...rateLimited, retryAfterMs: 12_000 },
    },
    {
      name: 'errorClass TIMEOUT on HTTP 200 with partial data',
      reply: replies.graphqlError({
        message: 'NRDB query timed out',
        errorClass: 'TIMEOUT',
        partialRows: [row],
      }),
      expected: timeout,
    },
    {
      name: 'errorClass INTERNAL_SERVER_ERROR on HTTP 200',
      reply: replies.graphqlError({ message: 'internal', errorClass: 'INTERNAL_SERVER_ERROR' }),
      expected: unavailable,
    },
    {
      name: 'errorClass SERVER_ERROR on HTTP 200',
      reply: replies.graphqlError({ message: 'server', errorClass: 'SERVER_ERROR' }),
      expected: unavailable,
    },
    {
      name: 'a syntax error outranks a retryable error in the same reply',
      reply: json(200, {
        data: null,
        errors: [
          { message: 'busy', extensions: { errorClass: 'TOO_MANY_REQUESTS' } },
          { message: 'NRQL Syntax Error: bad' },
        ],
      }),
      expected: badQuery,
    },
    {
      name: 'BAD_API_KEY error code on HTTP 200',
      reply: replies.graphqlError({ message: 'Invalid API key', errorCode: 'BAD_API_KEY' }),
      expected: auth,
    },

    // HTTP-level failures.
    { name: 'HTTP 401 BAD_API_KEY', reply: replies.badApiKey(), expected: auth },
    { name: 'HTTP 401 with an HTML body', reply: replies.status(401), expected: auth },
    { name: 'HTTP 403', reply: replies.status(403), expected: auth },
    { name: 'HTTP 429 without Retry-After', reply: replies.rateLimited(), expected: rateLimited },
    {
      name: 'HTTP 429 with Retry-After seconds',
      reply: replies.rateLimited('7'),
      expected: { ...rateLimited, retryAfterMs: 7000 },
    },
    {
      name: 'HTTP 429 with Retry-After HTTP-date',
      reply: replies.rateLimited(httpDateIn30s),
      expected: { ...rateLimited, retryAfterMs: [25_000, 30_000] },
    },
    {
      name: 'HTTP 429 with a malformed Retry-After',
      reply: replies.rateLimited('soon'),
      expected: rateLimited,
    },
    { name: 'HTTP 500', reply: replies.status(500), expected: unavailable },
    {
      name: 'HTTP 500 with a GraphQL error body',
      reply: replies.graphqlError({ message: 'boom', errorClass: 'INTERNAL_SERVER_ERROR', status: 500 }),
      expected: unavailable,
    },
    { name: 'HTTP 502', reply: replies.status(502), expected: unavailable },
    { name: 'HTTP 503', reply: replies.status(503), expected: unavailable },
    {
      name: 'HTTP 503 with Retry-After',
      reply: replies.status(503, { 'retry-after': '3' }),
      expected: { ...unavailable, retryAfterMs: 3000 },
    },
    { name: 'HTTP 504', reply: replies.status(504), expected: timeout },
    { name: 'HTTP 501', reply: replies.status(501), expected: { ...unavailable, retryable: false } },
    {
      name: 'HTTP 404 (wrong endpoint)',
      reply: replies.status(404),
      expected: { ...unavailable, retryable: false },
    },
    {
      name: 'HTTP 400 with a GraphQL error',
      reply: replies.graphqlError({ message: 'Variable $nrql invalid', status: 400 }),
      expected: badQuery,
    },
    { name: 'HTTP 400 without a body', reply: { status: 400, body: '' }, expected: badQuery },

    // Bodies that are not the GraphQL envelope.
    { name: 'HTML with HTTP 200', reply: replies.html(), expected: badResponse },
    { name: 'malformed JSON', reply: replies.malformedJson(), expected: badResponse },
    { name: 'empty body', reply: { status: 200, body: '' }, expected: badResponse },
    { name: 'a JSON array', reply: json(200, []), expected: badResponse },
    { name: 'a JSON string', reply: json(200, 'ok'), expected: badResponse },
    { name: 'an object without data', reply: json(200, { foo: 1 }), expected: badResponse },
    {
      name: 'data.actor null without errors',
      reply: json(200, { data: { actor: null } }),
      expected: badResponse,
    },
    {
      name: 'nrql null without errors',
      reply: json(200, { data: { actor: { account: { nrql: null } } } }),
      expected: badResponse,
    },
    {
      name: 'results is an object',
      reply: json(200, { data: { actor: { account: { nrql: { results: { a: 1 } } } } } }),
      expected: badResponse,
    },
    { name: 'a result row that is a number', reply: replies.results([1, 2]), expected: badResponse },
    { name: 'errors is a string', reply: json(200, { data: null, errors: 'bad' }), expected: badResponse },
    {
      name: 'HTTP 302 redirect',
      reply: { status: 302, headers: { location: 'https://example.com/' }, body: '' },
      expected: badResponse,
    },
  ];
}
