import { describe, expect, it } from 'vitest';
import {
  bucketBoundaryPattern,
  bucketBoundarySpellings,
  plainDecimal,
} from '../../src/promql/bucket-boundary';

function matches(pattern: string, text: string): boolean {
  // Prometheus anchors label regexes.
  return new RegExp(`^(?:${pattern})$`).test(text);
}

describe('bucket boundary spellings', () => {
  it('matches the spellings exporters use for 0.25 s and nothing else', () => {
    const pattern = bucketBoundaryPattern(0.25);
    for (const ok of ['0.25', '0.250', '0.2500']) expect(matches(pattern, ok)).toBe(true);
    for (const no of ['0.2', '0.255', '0x25', '10.25', '0.25 ', '+Inf', '025'])
      expect(matches(pattern, no)).toBe(false);
  });

  it('covers integer bounds written with and without .0 (client_golang vs Prometheus 3 / Java)', () => {
    const pattern = bucketBoundaryPattern(1);
    for (const ok of ['1', '1.0', '1.00']) expect(matches(pattern, ok)).toBe(true);
    expect(matches(pattern, '10')).toBe(false);
    expect(matches(pattern, '1x0')).toBe(false);
  });

  it('covers exponent forms for tiny and huge bounds', () => {
    expect(matches(bucketBoundaryPattern(0.00001), '1e-05')).toBe(true);
    expect(matches(bucketBoundaryPattern(0.00001), '1e-5')).toBe(true);
    expect(matches(bucketBoundaryPattern(0.00001), '0.00001')).toBe(true);
    expect(matches(bucketBoundaryPattern(2_000_000), '2e+06')).toBe(true);
    expect(matches(bucketBoundaryPattern(2_000_000), '2000000')).toBe(true);
  });

  it('needs no backslashes, so the pattern survives PromQL string escaping unchanged', () => {
    expect(bucketBoundaryPattern(0.25)).toBe('0[.]25|0[.]250|0[.]2500');
    expect(bucketBoundarySpellings(2.5)).toEqual(['2.5', '2.50', '2.500']);
  });

  it('writes exponent numbers as plain decimals', () => {
    expect(plainDecimal(1e-7)).toBe('0.0000001');
    expect(plainDecimal(1.5e-7)).toBe('0.00000015');
    expect(plainDecimal(1e21)).toBe('1000000000000000000000');
    expect(plainDecimal(0.25)).toBe('0.25');
  });

  it('rejects bounds that are not positive and finite', () => {
    expect(() => bucketBoundarySpellings(0)).toThrow(RangeError);
    expect(() => bucketBoundarySpellings(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});
