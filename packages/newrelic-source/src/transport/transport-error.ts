import { RollgateError } from '@rollgate/core';
import { redactKeyPatterns, redactSecret } from '../nerdgraph/redact';
import { ReplyTooLargeError } from './nerdgraph-post';

const COMPONENT = 'newrelic-source';

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

function field(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const found = (value as Record<string, unknown>)[key];
  return typeof found === 'string' ? found : undefined;
}

/**
 * Maps a failure to reach NerdGraph (refused connection, DNS, reset, undici timeout, oversized
 * reply) to a RollgateError. The cause is a secret-free summary (name, code, redacted message),
 * never the raw error, so nothing the HTTP stack captured can carry the key onward.
 */
export function transportError(error: unknown, apiKey: string): RollgateError {
  if (error instanceof ReplyTooLargeError) {
    return new RollgateError(
      'SOURCE_BAD_RESPONSE',
      `NerdGraph's reply is larger than ${error.limitBytes} bytes. Narrow the query (fewer facets or samples) or raise \`maxResponseBytes\`.`,
      { component: COMPONENT, details: { limitBytes: error.limitBytes } },
    );
  }
  const nested =
    typeof error === 'object' && error !== null ? (error as { cause?: unknown }).cause : undefined;
  const code = field(error, 'code') ?? field(nested, 'code');
  const rawMessage = error instanceof Error ? error.message : String(error);
  const message = redactKeyPatterns(redactSecret(rawMessage, apiKey)).slice(0, 300);
  const cause = { name: error instanceof Error ? error.name : typeof error, code, message };
  if (code !== undefined && TIMEOUT_CODES.has(code)) {
    return new RollgateError('TIMEOUT', `NerdGraph did not answer in time (${code}). Retry.`, {
      component: COMPONENT,
      retryable: true,
      cause,
      details: { networkCode: code },
    });
  }
  return new RollgateError(
    'SOURCE_UNAVAILABLE',
    `Could not reach NerdGraph (${code ?? message}). Check network access to the endpoint and retry.`,
    {
      component: COMPONENT,
      retryable: true,
      cause,
      ...(code === undefined ? {} : { details: { networkCode: code } }),
    },
  );
}
