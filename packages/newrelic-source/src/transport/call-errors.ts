import { RollgateError } from '@rollgate/core';

const COMPONENT = 'newrelic-source';

/** `ABORTED`: the caller gave up. Not retryable: the caller decided. */
export function abortedError(cause?: unknown): RollgateError {
  return new RollgateError('ABORTED', 'The read was aborted by the caller.', {
    component: COMPONENT,
    ...(cause === undefined ? {} : { cause }),
  });
}

/** `TIMEOUT`: the deadline passed before NerdGraph answered. Retryable. */
export function timeoutError(): RollgateError {
  return new RollgateError(
    'TIMEOUT',
    'NerdGraph did not answer before the read deadline. Retry, or allow the read more time.',
    { component: COMPONENT, retryable: true },
  );
}
