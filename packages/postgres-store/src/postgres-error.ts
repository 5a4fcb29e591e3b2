import { RollgateError } from '@rollgate/core';
import type { ConnectionTarget } from './connection-target';

/** SQLSTATE classes and codes that a later attempt can get past. */
const RETRYABLE_SQLSTATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '53300', // too_many_connections
  '55P03', // lock_not_available
  '57014', // query_canceled (statement timeout)
  '57P01', // admin_shutdown: the server is restarting
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: the server is starting
]);

const RETRYABLE_SYSTEM_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

interface PgLikeError {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly name?: unknown;
}

/** Whether a driver error is worth another attempt (a restart, a dropped connection, a conflict). */
export function isRetryable(error: unknown): boolean {
  const e = (error ?? {}) as PgLikeError;
  const code = typeof e.code === 'string' ? e.code : '';
  if (RETRYABLE_SQLSTATES.has(code) || code.startsWith('08') || RETRYABLE_SYSTEM_CODES.has(code)) return true;
  const message = typeof e.message === 'string' ? e.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|terminating connection/i.test(
    message,
  );
}

/**
 * Turns a driver error into a `STORE_FAILED` RollgateError: what was being done, where (the
 * URL without its password), the SQLSTATE or system code, and the server's message, with every
 * secret of the connection string redacted. The cause is a scrubbed copy, never the driver's
 * object, so nothing that logs the cause can leak the password either.
 */
export function storeError(
  error: unknown,
  what: string,
  target: ConnectionTarget,
  component: string,
): RollgateError {
  if (RollgateError.is(error)) return error;
  const e = (error ?? {}) as PgLikeError;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const raw = typeof e.message === 'string' ? e.message : String(error);
  const message = target.redact(raw).slice(0, 500);
  const retryable = isRetryable(error);
  const hint =
    code === '28P01' || code === '28000'
      ? ' Check the user and password of the connection URL.'
      : code === '3D000'
        ? ' Create the database, or fix its name in the connection URL.'
        : code === '42501'
          ? ' Grant the user the rights the store needs (docs/stores.md), or run the migrations as an owner.'
          : retryable
            ? ' The server may be restarting; the call can be retried.'
            : '';
  const scrubbed = new Error(message);
  scrubbed.name = typeof e.name === 'string' ? e.name : 'Error';
  return new RollgateError(
    'STORE_FAILED',
    `${what} on ${target.display} failed (${code ?? 'no code'}: ${message}).${hint}`,
    {
      component,
      retryable,
      cause: Object.assign(scrubbed, code ? { code } : {}),
      details: { code: code ?? null },
    },
  );
}
