/**
 * Stable error codes. Users match on `code`, never on message text.
 */
export const ROLLGATE_ERROR_CODES = [
  'CONFIG_INVALID',
  'SOURCE_UNAVAILABLE',
  'SOURCE_RATE_LIMITED',
  'SOURCE_AUTH',
  'SOURCE_BAD_QUERY',
  'SOURCE_BAD_RESPONSE',
  'SOURCE_PARTIAL_DATA',
  'ARTIFACT_NOT_FOUND',
  'ARTIFACT_UNVERIFIED',
  'ARTIFACT_INCOMPATIBLE',
  'SIGNING_KEY_MISSING',
  'EXECUTOR_REFUSED',
  'EXECUTOR_UNAVAILABLE',
  'CUTOVER_FAILED',
  'GATE_FAILED',
  'RECOVERY_NOT_VERIFIED',
  'STATE_CORRUPT',
  'STORE_FAILED',
  'LEASE_HELD',
  'LEASE_LOST',
  'NOTIFY_FAILED',
  'TIMEOUT',
  'ABORTED',
  'INTERNAL',
] as const;

export type RollgateErrorCode = (typeof ROLLGATE_ERROR_CODES)[number];

/** Options for {@link RollgateError}. */
export interface RollgateErrorOptions {
  /** Whether trying the same operation again later may succeed (timeouts, 5xx, 429). */
  retryable?: boolean;
  /** The component that failed, e.g. `prometheus-source`, `deployer-executor`, `contract`. */
  component?: string;
  /** The original error or zod issue list; kept for debugging, never shown with secrets in it. */
  cause?: unknown;
  /** For retryable failures: how long the backend asked us to wait (from `Retry-After`). */
  retryAfterMs?: number;
  /** Structured, secret-free context (field path, HTTP status, ...). */
  details?: Readonly<Record<string, unknown>>;
}

const BRAND = Symbol.for('rollgate.error');

/**
 * The one error class of Rollgate. Every failure a user can see carries a stable `code`,
 * whether it is `retryable`, the `component` that failed and the original `cause`.
 *
 * Messages say what was wrong and what to do, and never contain secrets (API keys, tokens,
 * passwords): adapters redact before constructing one.
 *
 * Recognise one with {@link RollgateError.is} rather than `instanceof`: two copies of the
 * package (a CLI and an adapter resolving different versions) still recognise each other.
 */
export class RollgateError extends Error {
  override readonly name = 'RollgateError';
  readonly code: RollgateErrorCode;
  readonly retryable: boolean;
  readonly component: string;
  readonly retryAfterMs: number | undefined;
  readonly details: Readonly<Record<string, unknown>>;
  readonly [BRAND] = true;

  constructor(code: RollgateErrorCode, message: string, options: RollgateErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.component = options.component ?? 'core';
    this.retryAfterMs = options.retryAfterMs;
    this.details = options.details ?? {};
  }

  /** True for any RollgateError, including one thrown by another copy of this package. */
  static is(value: unknown): value is RollgateError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  /**
   * Wraps anything thrown into a RollgateError. A RollgateError passes through unchanged;
   * anything else becomes `fallbackCode` with the original as `cause`.
   */
  static from(
    value: unknown,
    fallbackCode: RollgateErrorCode = 'INTERNAL',
    component = 'core',
  ): RollgateError {
    if (RollgateError.is(value)) return value;
    const message = value instanceof Error ? value.message : String(value);
    return new RollgateError(fallbackCode, message, { component, cause: value });
  }

  /** A JSON form for audit records and `--json` output: no stack, no cause. */
  toJSON(): SerializedRollgateError {
    const out: SerializedRollgateError = {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      component: this.component,
    };
    if (this.retryAfterMs !== undefined) out.retryAfterMs = this.retryAfterMs;
    if (Object.keys(this.details).length > 0) out.details = this.details;
    return out;
  }
}

/** The JSON shape of a {@link RollgateError}. */
export interface SerializedRollgateError {
  code: RollgateErrorCode;
  message: string;
  retryable: boolean;
  component: string;
  retryAfterMs?: number;
  details?: Readonly<Record<string, unknown>>;
}

/** Turns a serialized error back into a RollgateError (used when a snapshot is resumed). */
export function reviveRollgateError(json: SerializedRollgateError): RollgateError {
  const options: RollgateErrorOptions = { retryable: json.retryable, component: json.component };
  if (json.retryAfterMs !== undefined) options.retryAfterMs = json.retryAfterMs;
  if (json.details !== undefined) options.details = json.details;
  return new RollgateError(json.code, json.message, options);
}
