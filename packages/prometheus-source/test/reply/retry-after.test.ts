import { describe, expect, it } from 'vitest';
import { headerValue, parseRetryAfter } from '../../src/reply/retry-after';

describe('parseRetryAfter', () => {
  const now = Date.UTC(2025, 5, 1, 0, 0, 0);
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('0')).toBe(0);
    expect(parseRetryAfter(' 120 ')).toBe(120_000);
    expect(parseRetryAfter('1.5')).toBe(1500);
  });
  it('reads an HTTP date relative to now, clamping the past to 0', () => {
    expect(parseRetryAfter('Sun, 01 Jun 2025 00:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('Sat, 31 May 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('Sun, 01 Jun 2025 00:01:00 GMT')).toBeUndefined();
  });
  it('ignores garbage, negatives and absurd waits', () => {
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5')).toBeUndefined();
    expect(parseRetryAfter('99999999')).toBeUndefined();
    expect(parseRetryAfter('12345', now)).toBe(12_345_000);
  });
});

describe('headerValue', () => {
  it('is case-insensitive and takes the first of repeated headers', () => {
    expect(headerValue({ 'Retry-After': '5' }, 'retry-after')).toBe('5');
    expect(headerValue({ 'retry-after': ['5', '6'] }, 'Retry-After')).toBe('5');
    expect(headerValue({}, 'retry-after')).toBeUndefined();
  });
});
