import { fail, ok, type Result, RollgateError, type RollgateErrorCode } from '@rollgate/core';
import { parseRetryAfter } from '@rollgate/core/node';
import { type PrometheusReply, parseEnvelope } from './envelope';
import { headerValue, type ReplyHeaders } from './header-value';
import { redact } from './redact';

/** The component name on every error this package creates. */
export const COMPONENT = 'prometheus-source';

/** What {@link classify} may use besides the reply itself. All optional. */
export interface ClassifyContext {
  /** Epoch ms, to turn an HTTP-date `Retry-After` into a delay. Without it only seconds count. */
  readonly now?: number;
  /** Values to scrub from anything the server sent before it goes into a message. */
  readonly secrets?: readonly string[];
  /** The (credential-free) base URL, named in messages. */
  readonly url?: string;
}

const SNIPPET_CHARS = 200;

function decode(body: string | Uint8Array): string {
  const text = typeof body === 'string' ? body : new TextDecoder('utf-8', { fatal: false }).decode(body);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** A short, single-line, tag-free excerpt of a body for an error message. */
function snippet(text: string, secrets: readonly string[]): string {
  const plain = text
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const clean = redact(plain, secrets);
  return clean.length > SNIPPET_CHARS ? `${clean.slice(0, SNIPPET_CHARS)}...` : clean;
}

interface ErrorShape {
  readonly code: RollgateErrorCode;
  readonly retryable: boolean;
  readonly advice: string;
}

function shapeForStatus(status: number, errorType: string | undefined): ErrorShape {
  if (status === 400 || status === 422 || errorType === 'bad_data' || errorType === 'execution') {
    return {
      code: 'SOURCE_BAD_QUERY',
      retryable: false,
      advice:
        'Fix the query or the request (selector, range, step); retrying the same query will fail again.',
    };
  }
  if (status === 401) {
    return {
      code: 'SOURCE_AUTH',
      retryable: false,
      advice: 'Check the auth option (token or username/password).',
    };
  }
  if (status === 403) {
    return {
      code: 'SOURCE_AUTH',
      retryable: false,
      advice:
        'The credentials are valid but not allowed to query; check their permissions and tenant headers (X-Scope-OrgID).',
    };
  }
  if (status === 429) {
    return {
      code: 'SOURCE_RATE_LIMITED',
      retryable: true,
      advice: 'Wait as asked (Retry-After) or read less often.',
    };
  }
  if (status === 408 || errorType === 'timeout') {
    return {
      code: 'TIMEOUT',
      retryable: true,
      advice:
        'The query took too long on the server; retry, shorten the range or raise the server query timeout.',
    };
  }
  if (status === 404 || status === 405) {
    return {
      code: 'SOURCE_BAD_QUERY',
      retryable: false,
      advice:
        'No Prometheus query API here: check url, including any path prefix (for example /prometheus for Mimir).',
    };
  }
  if (
    status >= 500 ||
    status === 499 ||
    errorType === 'internal' ||
    errorType === 'unavailable' ||
    errorType === 'canceled'
  ) {
    return {
      code: 'SOURCE_UNAVAILABLE',
      retryable: true,
      advice: 'Prometheus or a proxy in front of it is failing; retry later.',
    };
  }
  if (status >= 400) {
    return {
      code: 'SOURCE_BAD_QUERY',
      retryable: false,
      advice: 'The request was refused; check url, headers and the query.',
    };
  }
  return {
    code: 'SOURCE_BAD_RESPONSE',
    retryable: false,
    advice: 'Check that url points straight at the Prometheus HTTP API (redirects are not followed).',
  };
}

/**
 * Maps one HTTP reply from the Prometheus query API (status, raw body, headers) to the parsed
 * data or a {@link RollgateError}. Pure: no I/O, no clock except `context.now`; never throws.
 *
 * - 2xx with the `success` envelope: the data (vector, matrix, scalar, string).
 * - 400 `bad_data`, 422 `execution`, other 4xx: `SOURCE_BAD_QUERY`, not retryable.
 * - 401/403: `SOURCE_AUTH`, not retryable.
 * - 429: `SOURCE_RATE_LIMITED`, retryable, `retryAfterMs` from `Retry-After` (seconds or HTTP-date).
 * - 5xx (JSON, the plain-text 503 `Service Unavailable`, HTML from a proxy) and 499:
 *   `SOURCE_UNAVAILABLE`, retryable, with `retryAfterMs` when the server sent `Retry-After`.
 * - 408 or `errorType: "timeout"`: `TIMEOUT`, retryable.
 * - A 2xx body that is not the envelope (malformed JSON, HTML, wrong shape) or carries native
 *   histograms, and 1xx/3xx: `SOURCE_BAD_RESPONSE`, not retryable. Never data.
 *
 * Text from the server goes into messages only as a short excerpt with `context.secrets`
 * scrubbed; request credentials never go in at all.
 */
export function classify(
  status: number,
  body: string | Uint8Array,
  headers: ReplyHeaders,
  context: ClassifyContext = {},
): Result<PrometheusReply> {
  const secrets = context.secrets ?? [];
  const where = context.url === undefined ? 'Prometheus' : `Prometheus at ${context.url}`;
  const contentType = headerValue(headers, 'content-type');
  const text = decode(body);
  let json: unknown;
  let isJson = false;
  try {
    json = JSON.parse(text);
    isJson = true;
  } catch {
    isJson = false;
  }
  const parsed = isJson ? parseEnvelope(json) : undefined;
  const baseDetails: Record<string, unknown> = { status };
  if (contentType !== undefined) baseDetails.contentType = redact(contentType, secrets).slice(0, 100);

  const success = status >= 200 && status < 300;
  if (success && parsed?.kind === 'success') return ok(parsed.reply);

  if (success && (parsed === undefined || parsed.kind === 'invalid' || parsed.kind === 'native-histogram')) {
    if (parsed?.kind === 'native-histogram') {
      return fail(
        new RollgateError(
          'SOURCE_BAD_RESPONSE',
          `${where} returned native-histogram samples, which Rollgate cannot judge. Read classic histogram series (..._bucket), or wrap the native histogram in histogram_quantile() or histogram_count() in a raw query so it returns plain numbers.`,
          {
            component: COMPONENT,
            retryable: false,
            details: { ...baseDetails, problem: 'native histogram' },
          },
        ),
      );
    }
    const problem = parsed === undefined ? 'the body is not JSON' : parsed.problem;
    const excerpt = snippet(text, secrets);
    return fail(
      new RollgateError(
        'SOURCE_BAD_RESPONSE',
        `${where} answered HTTP ${status} with a reply that is not the Prometheus API envelope (${problem}${
          excerpt.length > 0 ? `: "${excerpt}"` : ''
        }). Check that url points at the Prometheus HTTP API, not a login page or a different service.`,
        { component: COMPONENT, retryable: false, details: { ...baseDetails, problem } },
      ),
    );
  }

  const errorType = parsed?.kind === 'error' ? parsed.errorType : undefined;
  const serverText =
    parsed?.kind === 'error' ? redact(parsed.error, secrets).slice(0, 500) : snippet(text, secrets);
  const shape = shapeForStatus(success ? 0 : status, errorType);
  const retryAfterMs = shape.retryable
    ? parseRetryAfter(headerValue(headers, 'retry-after'), context.now)
    : undefined;
  const details: Record<string, unknown> = { ...baseDetails };
  if (errorType !== undefined) details.errorType = errorType;
  const reason = serverText.length > 0 ? `: ${serverText}` : '';
  const kind = errorType === undefined ? '' : ` (${errorType})`;
  return fail(
    new RollgateError(shape.code, `${where} answered HTTP ${status}${kind}${reason}. ${shape.advice}`, {
      component: COMPONENT,
      retryable: shape.retryable,
      details,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    }),
  );
}
