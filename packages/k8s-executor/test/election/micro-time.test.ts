import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMicroTime, isMicroTime } from '../../src/election/micro-time';

describe('MicroTime', () => {
  it('always has six fractional digits in UTC', () => {
    expect(formatMicroTime(Date.parse('2025-03-04T05:06:07.089Z'))).toBe('2025-03-04T05:06:07.089000Z');
    expect(formatMicroTime(0)).toBe('1970-01-01T00:00:00.000000Z');
    expect(formatMicroTime(1.5)).toBe('1970-01-01T00:00:00.001500Z');
  });

  it('round-trips to the same millisecond (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), (ms) => {
        const text = formatMicroTime(ms);
        return isMicroTime(text) && Date.parse(text) === ms;
      }),
    );
  });
});
