import { RollgateError } from '@rollgate/core';
import { expect } from 'vitest';
import type { ExpectedOutcome } from './classification-cases';

/** Asserts that a classification (or a read, mapped to the same shape) matches the table. */
export function expectOutcome(
  result: { ok: true; value: readonly unknown[] } | { ok: false; error: RollgateError },
  expected: ExpectedOutcome,
): void {
  if (expected.ok) {
    expect(result.ok, result.ok ? '' : `${result.error.code}: ${result.error.message}`).toBe(true);
    if (result.ok) expect(result.value).toHaveLength(expected.rows);
    return;
  }
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(RollgateError.is(result.error)).toBe(true);
  expect(result.error.code).toBe(expected.code);
  expect(result.error.retryable).toBe(expected.retryable);
  expect(result.error.component).toBe('newrelic-source');
  if (expected.retryAfterMs === undefined) {
    expect(result.error.retryAfterMs).toBeUndefined();
  } else if (typeof expected.retryAfterMs === 'number') {
    expect(result.error.retryAfterMs).toBe(expected.retryAfterMs);
  } else {
    expect(result.error.retryAfterMs).toBeGreaterThanOrEqual(expected.retryAfterMs[0]);
    expect(result.error.retryAfterMs).toBeLessThanOrEqual(expected.retryAfterMs[1]);
  }
}
