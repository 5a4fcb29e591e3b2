import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_MS, parseRetryAfter } from '../../src/node/retry-after';

const NOW = Date.parse('2024-05-01T12:00:00Z');

describe('parseRetryAfter', () => {
  it.each([
    ['7', 7000],
    [' 12 ', 12_000],
    ['1.5', 1500],
    ['0', 0],
    ['12345', 12_345_000],
  ])('reads delta-seconds %j', (value, ms) => {
    expect(parseRetryAfter(value, NOW)).toBe(ms);
    expect(parseRetryAfter(value)).toBe(ms);
  });

  it('caps a longer wait at one day, in seconds or as a date', () => {
    expect(MAX_RETRY_AFTER_MS).toBe(86_400_000);
    expect(parseRetryAfter('999999999', NOW)).toBe(86_400_000);
    expect(parseRetryAfter('99999999')).toBe(86_400_000);
    expect(parseRetryAfter('Wed, 01 May 2030 12:00:00 GMT', NOW)).toBe(86_400_000);
  });

  it('reads an HTTP-date against now, never negative', () => {
    expect(parseRetryAfter('Wed, 01 May 2024 12:00:30 GMT', NOW)).toBe(30_000);
    expect(parseRetryAfter('Wed, 01 May 2024 11:00:00 GMT', NOW)).toBe(0);
  });

  it.each([[undefined], [null], [''], ['soon'], ['-5'], ['1e3'], ['Wed, 01 May 2024 12:00:30 GMT']])(
    'gives undefined for %j without a usable value or time',
    (value) => {
      expect(parseRetryAfter(value, value?.includes('GMT') ? undefined : NOW)).toBeUndefined();
    },
  );
});
