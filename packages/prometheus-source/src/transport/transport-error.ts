import { RollgateError } from '@rollgate/core';
import { COMPONENT } from '../reply/classify';
import { containsSecret, redact } from '../reply/redact';

const TLS_CODES =
  /^(CERT_|ERR_TLS_|ERR_SSL_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT|HOSTNAME_MISMATCH)/;

function codeOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The original error as a `cause`, unless its text holds a secret (a mock or proxy error that
 * quotes request headers): then a scrubbed copy with the same name and code.
 */
export function safeCause(error: unknown, secrets: readonly string[]): unknown {
  const text = error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error);
  if (!containsSecret(text, secrets)) return error;
  const copy = new Error(redact(messageOf(error), secrets));
  copy.name = error instanceof Error ? error.name : 'Error';
  const code = codeOf(error);
  if (code !== undefined) Object.assign(copy, { code });
  return copy;
}

/**
 * Maps what the HTTP stack threw (no reply at all) to a RollgateError: refused, reset or
 * unresolvable connections are `SOURCE_UNAVAILABLE` and retryable; undici's own connect,
 * header and body timeouts are `TIMEOUT`; certificate failures are `SOURCE_UNAVAILABLE` but not
 * retryable, because only a configuration change (`tls.ca`, `tls.servername`) fixes them.
 */
export function transportError(error: unknown, url: string, secrets: readonly string[]): RollgateError {
  const code = codeOf(error);
  const reason = redact(messageOf(error), secrets).slice(0, 300);
  const cause = safeCause(error, secrets);
  const details: Record<string, unknown> = code === undefined ? {} : { errorCode: code };
  if (
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT'
  ) {
    return new RollgateError('TIMEOUT', `Prometheus at ${url} did not answer in time (${reason}).`, {
      component: COMPONENT,
      retryable: true,
      cause,
      details,
    });
  }
  if (code !== undefined && TLS_CODES.test(code)) {
    return new RollgateError(
      'SOURCE_UNAVAILABLE',
      `TLS to Prometheus at ${url} failed (${reason}). Trust its CA with tls.ca, or set tls.servername when the certificate names another host.`,
      { component: COMPONENT, retryable: false, cause, details },
    );
  }
  if (code === 'UND_ERR_DESTROYED' || code === 'UND_ERR_CLOSED') {
    return new RollgateError('SOURCE_UNAVAILABLE', `The connection pool to ${url} is closed (${reason}).`, {
      component: COMPONENT,
      retryable: code === 'UND_ERR_CLOSED',
      cause,
      details,
    });
  }
  return new RollgateError(
    'SOURCE_UNAVAILABLE',
    `Could not reach Prometheus at ${url} (${reason}). Check that it is running and that url is right.`,
    { component: COMPONENT, retryable: true, cause, details },
  );
}
