import type { Result, RollgateErrorCode } from '@rollgate/core';
import { fail, ok, RollgateError } from '@rollgate/core';
import { parseRetryAfter } from '@rollgate/core/node';
import { redactKeyPatterns } from './redact';

const COMPONENT = 'newrelic-source';

/** One row of `actor.account.nrql.results`. */
export type NrqlRow = Readonly<Record<string, unknown>>;

/** Reply headers as undici gives them (lower-case names); looked up case-insensitively. */
export type ReplyHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/** What {@link classify} needs besides the reply: `now` (epoch ms) to read an HTTP-date `Retry-After`. */
export interface ClassifyContext {
  readonly now?: number;
}

/** One entry of a GraphQL `errors[]`, reduced to what decides the outcome. */
interface GraphQlErrorInfo {
  readonly message: string;
  readonly errorClass: string | undefined;
  readonly errorCode: string | undefined;
}

type ErrorKind = 'auth' | 'syntax' | 'rate-limited' | 'timeout' | 'unavailable' | 'other';

/** Decisive first: a bad key or a bad query will not get better by retrying. */
const KIND_PRIORITY: readonly ErrorKind[] = [
  'auth',
  'syntax',
  'rate-limited',
  'timeout',
  'unavailable',
  'other',
];

const AUTH_CODES = new Set(['BAD_API_KEY']);
const AUTH_CLASSES = new Set(['UNAUTHORIZED', 'UNAUTHENTICATED', 'FORBIDDEN']);
const MAX_MESSAGE_CHARS = 300;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function header(headers: ReplyHeaders, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() !== name) continue;
    if (typeof value === 'string') return value;
    if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  }
  return undefined;
}

function clip(text: string, max = MAX_MESSAGE_CHARS): string {
  const clean = redactKeyPatterns(text).replace(/\s+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

function stringField(record: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = record?.[key];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** `errors[]` as info, `undefined` when absent or empty, `'malformed'` when not a GraphQL errors list. */
function graphQlErrors(
  envelope: Record<string, unknown> | undefined,
): readonly GraphQlErrorInfo[] | 'malformed' | undefined {
  if (envelope === undefined || !('errors' in envelope) || envelope.errors === null) return undefined;
  const { errors } = envelope;
  if (!Array.isArray(errors)) return 'malformed';
  if (errors.length === 0) return undefined;
  const infos: GraphQlErrorInfo[] = [];
  for (const entry of errors) {
    if (!isRecord(entry)) return 'malformed';
    const extensions = isRecord(entry.extensions) ? entry.extensions : undefined;
    infos.push({
      message: clip(typeof entry.message === 'string' ? entry.message : '(no message)'),
      errorClass: stringField(extensions, 'errorClass'),
      errorCode: stringField(extensions, 'error_code') ?? stringField(extensions, 'code'),
    });
  }
  return infos;
}

function kindOf(info: GraphQlErrorInfo): ErrorKind {
  if (
    (info.errorCode && AUTH_CODES.has(info.errorCode)) ||
    (info.errorClass && AUTH_CLASSES.has(info.errorClass))
  ) {
    return 'auth';
  }
  if (/syntax error/i.test(info.message)) return 'syntax';
  switch (info.errorClass) {
    case 'TOO_MANY_REQUESTS':
      return 'rate-limited';
    case 'TIMEOUT':
      return 'timeout';
    case 'INTERNAL_SERVER_ERROR':
    case 'SERVER_ERROR':
      return 'unavailable';
    default:
      return 'other';
  }
}

interface Failure {
  readonly code: RollgateErrorCode;
  readonly retryable: boolean;
  readonly message: string;
}

function failureFor(kind: ErrorKind, summary: string): Failure {
  switch (kind) {
    case 'auth':
      return {
        code: 'SOURCE_AUTH',
        retryable: false,
        message: `NerdGraph rejected the API key (${summary}). Check that \`apiKey\` is a valid user key (NRAK-...) with access to the account and the right \`region\`.`,
      };
    case 'syntax':
      return {
        code: 'SOURCE_BAD_QUERY',
        retryable: false,
        message: `NerdGraph rejected the NRQL (${summary}). Fix the query; describe() shows the NRQL that was sent.`,
      };
    case 'rate-limited':
      return {
        code: 'SOURCE_RATE_LIMITED',
        retryable: true,
        message: `NerdGraph is rate limiting this key (${summary}): at most 25 requests in flight and 3,000 NRQL queries per minute per account. Retry later.`,
      };
    case 'timeout':
      return {
        code: 'TIMEOUT',
        retryable: true,
        message: `The NRQL query timed out in New Relic (${summary}). Retry, or raise \`timeoutSeconds\` (up to 120).`,
      };
    case 'unavailable':
      return {
        code: 'SOURCE_UNAVAILABLE',
        retryable: true,
        message: `New Relic failed to run the query (${summary}). Retry later.`,
      };
    case 'other':
      return {
        code: 'SOURCE_BAD_QUERY',
        retryable: false,
        message: `NerdGraph returned an error for the query (${summary}). Check the query and the account id.`,
      };
  }
}

function failureForStatus(status: number): Failure | undefined {
  const summary = `HTTP ${status}`;
  if (status === 401 || status === 403) return failureFor('auth', summary);
  if (status === 429) return failureFor('rate-limited', summary);
  if (status === 408 || status === 504) return failureFor('timeout', summary);
  if (status === 500 || status === 502 || status === 503) return failureFor('unavailable', summary);
  if (status >= 500) {
    return {
      code: 'SOURCE_UNAVAILABLE',
      retryable: false,
      message: `NerdGraph answered HTTP ${status}; this status is not one New Relic documents as temporary.`,
    };
  }
  if (status >= 400 && status !== 400 && status !== 413 && status !== 422) {
    return {
      code: 'SOURCE_UNAVAILABLE',
      retryable: false,
      message: `NerdGraph answered HTTP ${status}. Check \`endpoint\`/\`region\`: it should be the NerdGraph /graphql URL.`,
    };
  }
  if (status < 200 || (status >= 300 && status < 400)) {
    return {
      code: 'SOURCE_BAD_RESPONSE',
      retryable: false,
      message: `NerdGraph answered HTTP ${status}, which is not a GraphQL reply. Check \`endpoint\` (redirects are not followed).`,
    };
  }
  return undefined;
}

function errorFrom(
  failure: Failure,
  status: number,
  retryAfterMs: number | undefined,
  infos: readonly GraphQlErrorInfo[],
): RollgateError {
  const details: Record<string, unknown> = { httpStatus: status };
  const first = infos[0];
  if (first?.errorClass !== undefined) details.errorClass = first.errorClass;
  if (first?.errorCode !== undefined) details.errorCode = first.errorCode;
  if (infos.length > 0) details.messages = infos.slice(0, 3).map((i) => i.message);
  return new RollgateError(failure.code, failure.message, {
    component: COMPONENT,
    retryable: failure.retryable,
    details,
    ...(failure.retryable && retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}

function badResponse(message: string, status: number, extra: Record<string, unknown> = {}): Result<never> {
  return fail(
    new RollgateError('SOURCE_BAD_RESPONSE', message, {
      component: COMPONENT,
      details: { httpStatus: status, ...extra },
    }),
  );
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function summarise(infos: readonly GraphQlErrorInfo[], kind: ErrorKind): string {
  const chosen = infos.find((i) => kindOf(i) === kind) ?? infos[0];
  if (chosen === undefined) return 'no detail';
  const tags = [chosen.errorClass, chosen.errorCode].filter((t): t is string => t !== undefined);
  return tags.length > 0 ? `${tags.join('/')}: ${chosen.message}` : chosen.message;
}

/**
 * Maps one NerdGraph reply to the NRQL result rows or a RollgateError. Pure: the same reply
 * always gives the same outcome, and it never throws.
 *
 * - HTTP 401/403, or an error with `extensions.error_code: "BAD_API_KEY"` → `SOURCE_AUTH`.
 * - HTTP 429 or `errorClass: TOO_MANY_REQUESTS` → `SOURCE_RATE_LIMITED` (retryable).
 * - HTTP 500/502/503 or `errorClass: INTERNAL_SERVER_ERROR | SERVER_ERROR` → `SOURCE_UNAVAILABLE`
 *   (retryable); HTTP 504/408 or `errorClass: TIMEOUT` → `TIMEOUT` (retryable). Retryable errors
 *   carry `retryAfterMs` when a `Retry-After` header is present (seconds or HTTP-date).
 * - An NRQL syntax error, or any other GraphQL error → `SOURCE_BAD_QUERY`.
 * - Any non-empty `errors[]` is an error, even when partial `data` came with it.
 * - A body that is not JSON, or JSON that is not the `data.actor.account.nrql.results` envelope
 *   → `SOURCE_BAD_RESPONSE`.
 * - `results: null` is an empty result (the caller maps it to `no-data`).
 *
 * Messages quote New Relic's own error text with anything that looks like an API key removed.
 */
export function classify(
  status: number,
  body: string | Uint8Array,
  headers: ReplyHeaders,
  context: ClassifyContext = {},
): Result<readonly NrqlRow[]> {
  let text: string;
  try {
    text = typeof body === 'string' ? body : new TextDecoder('utf-8', { fatal: false }).decode(body);
  } catch {
    text = '';
  }
  const parsed = parseJson(text);
  const envelope = parsed.ok && isRecord(parsed.value) ? parsed.value : undefined;
  const errors = graphQlErrors(envelope);
  const infos = Array.isArray(errors) ? errors : [];
  const retryAfterMs = parseRetryAfter(header(headers, 'retry-after'), context.now);

  const byStatus = failureForStatus(status);
  if (byStatus !== undefined) {
    // An error body may still say more precisely what went wrong (BAD_API_KEY on a 401).
    const summary = infos.length > 0 ? summarise(infos, kindOf(infos[0] as GraphQlErrorInfo)) : undefined;
    const failure =
      summary === undefined
        ? byStatus
        : { ...byStatus, message: `${byStatus.message} New Relic said: ${summary}` };
    return fail(errorFrom(failure, status, retryAfterMs, infos));
  }

  if (status >= 400 && infos.length === 0) {
    // 400, 413 and 422: NerdGraph refused the request itself without saying why in GraphQL form.
    return fail(
      errorFrom(
        {
          code: 'SOURCE_BAD_QUERY',
          retryable: false,
          message: `NerdGraph refused the request with HTTP ${status}. Check the NRQL (describe() shows it) and the account id.`,
        },
        status,
        undefined,
        infos,
      ),
    );
  }
  if (!parsed.ok) {
    const contentType = header(headers, 'content-type');
    return badResponse(
      `NerdGraph answered HTTP ${status} with a body that is not JSON${contentType ? ` (${clip(contentType, 80)})` : ''}. A proxy or an HTML error page may be in the way; check \`endpoint\`.`,
      status,
      { bodyStart: clip(text, 120) },
    );
  }
  if (envelope === undefined) {
    return badResponse(
      `NerdGraph answered HTTP ${status} with JSON that is not a GraphQL reply object.`,
      status,
    );
  }
  if (errors === 'malformed') {
    return badResponse(
      'NerdGraph answered with an `errors` field that is not a list of GraphQL errors.',
      status,
    );
  }
  if (infos.length > 0) {
    const kinds = new Set(infos.map(kindOf));
    const kind = KIND_PRIORITY.find((k) => kinds.has(k)) ?? 'other';
    return fail(errorFrom(failureFor(kind, summarise(infos, kind)), status, retryAfterMs, infos));
  }

  const nrql = pathRecord(envelope, ['data', 'actor', 'account', 'nrql']);
  if (nrql === undefined || !('results' in nrql)) {
    return badResponse(
      'NerdGraph answered without `data.actor.account.nrql.results` and without errors; the reply is not a NRQL result.',
      status,
    );
  }
  const { results } = nrql;
  if (results === null) return ok([]);
  if (!Array.isArray(results)) {
    return badResponse('NerdGraph answered with `results` that is not a list.', status);
  }
  for (const [index, row] of results.entries()) {
    if (!isRecord(row)) {
      return badResponse(`NRQL result row ${index} is not an object.`, status);
    }
  }
  return ok(results as readonly NrqlRow[]);
}

function pathRecord(
  root: Record<string, unknown>,
  path: readonly string[],
): Record<string, unknown> | undefined {
  let node: unknown = root;
  for (const key of path) {
    if (!isRecord(node)) return undefined;
    node = node[key];
  }
  return isRecord(node) ? node : undefined;
}
