import { fail, ok, type Result, RollgateError, type RollgateErrorCode } from '@rollgate/core';
import { parseRetryAfter } from '@rollgate/core/node';
import { headerValue, type ReplyHeaders } from '../reply/header-value';
import { redact } from '../reply/redact';
import { type ExpositionParseResult, parseExposition } from './exposition-parser';

/** The component name on every error the exposition source creates. */
export const EXPOSITION_COMPONENT = 'exposition-source';

/** What {@link classifyScrape} may use besides the reply. */
export interface ScrapeClassifyContext {
  /** The target URL as shown (no credentials, no query string). */
  readonly url: string;
  /** Epoch ms, to turn an HTTP-date `Retry-After` into a delay. */
  readonly now?: number;
  /** Values to scrub from anything the target sent. */
  readonly secrets?: readonly string[];
}

const SNIPPET_CHARS = 120;

function snippet(text: string, secrets: readonly string[]): string {
  const plain = redact(
    text
      .replace(/<[^>]*>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
    secrets,
  );
  return plain.length > SNIPPET_CHARS ? `${plain.slice(0, SNIPPET_CHARS)}...` : plain;
}

function failure(
  code: RollgateErrorCode,
  message: string,
  retryable: boolean,
  status: number,
  extra: { retryAfterMs?: number } = {},
): Result<ExpositionParseResult> {
  return fail(
    new RollgateError(code, message, {
      component: EXPOSITION_COMPONENT,
      retryable,
      details: { status },
      ...(extra.retryAfterMs === undefined ? {} : { retryAfterMs: extra.retryAfterMs }),
    }),
  );
}

/**
 * Maps one `/metrics` reply to its parsed exposition or a RollgateError, without I/O:
 * - 2xx with text exposition that parses cleanly: `ok`;
 * - 2xx that is protobuf, or text with any unreadable line: `SOURCE_BAD_RESPONSE` (like
 *   Prometheus, a partly readable exposition is a failed scrape, never half the data);
 * - 401/403 `SOURCE_AUTH`; 404/405 `SOURCE_BAD_QUERY` (the path is wrong); 408 `TIMEOUT`;
 *   429 `SOURCE_RATE_LIMITED` (with `Retry-After`); 5xx `SOURCE_UNAVAILABLE`; anything else
 *   `SOURCE_BAD_RESPONSE`.
 */
export function classifyScrape(
  status: number,
  body: string | Uint8Array,
  headers: ReplyHeaders,
  context: ScrapeClassifyContext,
): Result<ExpositionParseResult> {
  const secrets = context.secrets ?? [];
  const text = typeof body === 'string' ? body : new TextDecoder('utf-8', { fatal: false }).decode(body);
  const where = `The metrics endpoint ${context.url}`;
  if (status >= 200 && status <= 299) {
    const type = (headerValue(headers, 'content-type') ?? '').toLowerCase();
    if (type.includes('protobuf')) {
      return failure(
        'SOURCE_BAD_RESPONSE',
        `${where} answered protobuf; Rollgate reads the text format (it asks for text/plain).`,
        false,
        status,
      );
    }
    const parsed = parseExposition(text);
    if (parsed.errors.length > 0) {
      const first = parsed.errors[0];
      const more = parsed.errors.length > 1 ? ` (and ${parsed.errors.length - 1} more)` : '';
      return failure(
        'SOURCE_BAD_RESPONSE',
        `${where} did not answer valid Prometheus text exposition: line ${first?.line}: ${redact(first?.message ?? '', secrets)}${more}. Check that the URL is the exporter's /metrics endpoint.`,
        false,
        status,
      );
    }
    return ok(parsed);
  }
  const said = snippet(text, secrets);
  const quoted = said.length > 0 ? `: ${said}` : '';
  if (status === 401 || status === 403) {
    return failure(
      'SOURCE_AUTH',
      `${where} refused the scrape (HTTP ${status}${quoted}); pass the credentials it needs in headers.`,
      false,
      status,
    );
  }
  if (status === 404 || status === 405) {
    return failure(
      'SOURCE_BAD_QUERY',
      `${where} answered HTTP ${status}; check the target URL's path (usually /metrics).`,
      false,
      status,
    );
  }
  if (status === 408) {
    return failure('TIMEOUT', `${where} timed out (HTTP 408).`, true, status);
  }
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(headerValue(headers, 'retry-after'), context.now);
    return failure(
      'SOURCE_RATE_LIMITED',
      `${where} is rate limiting scrapes (HTTP 429); scrape less often (scrapeIntervalMs).`,
      true,
      status,
      retryAfterMs === undefined ? {} : { retryAfterMs },
    );
  }
  if (status >= 500 && status <= 599) {
    return failure(
      'SOURCE_UNAVAILABLE',
      `${where} is unavailable (HTTP ${status}${quoted}); check that the service is running.`,
      true,
      status,
    );
  }
  return failure('SOURCE_BAD_RESPONSE', `${where} answered HTTP ${status}${quoted}.`, false, status);
}
