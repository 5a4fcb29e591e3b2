import { RollgateError, type RollgateErrorCode, type RollgateErrorOptions } from '@rollgate/core';

/** The `component` every error of this package carries. */
export const DEPLOYER_COMPONENT = 'deployer-executor';

/** Builds a RollgateError attributed to this package. */
export function executorError(
  code: RollgateErrorCode,
  message: string,
  options: Omit<RollgateErrorOptions, 'component'> = {},
): RollgateError {
  return new RollgateError(code, message, { ...options, component: DEPLOYER_COMPONENT });
}

/**
 * Quotes a value for a message. Release names and host output come from disk or a remote
 * host, so control characters are escaped rather than printed raw into logs.
 */
export function quote(value: string, max = 120): string {
  const shown = value.length > max ? `${value.slice(0, max)}…` : value;
  return JSON.stringify(shown);
}
