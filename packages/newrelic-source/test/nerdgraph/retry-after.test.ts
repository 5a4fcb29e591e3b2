import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../src/nerdgraph/retry-after';

const NOW = Date.parse('2024-05-01T12:00:00Z');

describe('parseRetryAfter', () => {
  it.each([
    ['7', 7000],
    [' 12 ', 12_000],
    ['1.5', 1500],
    ['0', 0],
    ['999999999', 86_400_000],
  ])('reads delta-seconds %j', (value, ms) => {
    expect(parseRetryAfter(value, NOW)).toBe(ms);
  });

  it('reads an HTTP-date against now, never negative', () => {
    expect(parseRetryAfter('Wed, 01 May 2024 12:00:30 GMT', NOW)).toBe(30_000);
    expect(parseRetryAfter('Wed, 01 May 2024 11:00:00 GMT', NOW)).toBe(0);
  });

  it.each([[undefined], [''], ['soon'], ['-5'], ['1e3'], ['Wed, 01 May 2024 12:00:30 GMT']])(
    'gives undefined for %j without a usable value or time',
    (value) => {
      expect(parseRetryAfter(value, value?.includes('GMT') ? undefined : NOW)).toBeUndefined();
    },
  );
});
