import type { RollgateError } from '../errors/rollgate-error';

/**
 * What port methods resolve to instead of throwing: backend failures are values, so the
 * caller (core) decides about retries, holds and escalation in one place.
 */
export type Result<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: RollgateError };

/** Builds a successful {@link Result}. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** Builds a failed {@link Result}. */
export function fail<T = never>(error: RollgateError): Result<T> {
  return { ok: false, error };
}
