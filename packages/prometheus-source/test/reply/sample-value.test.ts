import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSampleValue, parseTimestamp } from '../../src/reply/sample-value';

describe('parseSampleValue', () => {
  it('maps the special values explicitly (Number("+Inf") is NaN in JavaScript)', () => {
    expect(Number('+Inf')).toBeNaN();
    expect(parseSampleValue('+Inf')).toBe(Number.POSITIVE_INFINITY);
    expect(parseSampleValue('Inf')).toBe(Number.POSITIVE_INFINITY);
    expect(parseSampleValue('-Inf')).toBe(Number.NEGATIVE_INFINITY);
    expect(parseSampleValue('inf')).toBe(Number.POSITIVE_INFINITY);
    expect(parseSampleValue('NaN')).toBeNaN();
  });

  it('parses plain and exponent forms', () => {
    expect(parseSampleValue('1e-07')).toBe(1e-7);
    expect(parseSampleValue('42')).toBe(42);
    expect(parseSampleValue('-0.5')).toBe(-0.5);
    expect(parseSampleValue('.5')).toBe(0.5);
    expect(parseSampleValue('1.5E+3')).toBe(1500);
  });

  it('refuses what is not a number in text form', () => {
    for (const bad of ['', ' ', '0x10', '1,5', 'abc', '1 2', 'Infinityx', '--1']) {
      expect(parseSampleValue(bad)).toBeUndefined();
    }
    expect(parseSampleValue(42)).toBeUndefined();
    expect(parseSampleValue(null)).toBeUndefined();
  });

  it('round-trips any double written the way Go writes it', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (value) => {
        const text = Number.isFinite(value) ? String(value) : value > 0 ? '+Inf' : '-Inf';
        expect(parseSampleValue(text)).toBe(value === 0 ? 0 : value);
      }),
    );
  });
});

describe('parseTimestamp', () => {
  it('turns float seconds into epoch ms', () => {
    expect(parseTimestamp(1_700_000_000.123)).toBe(1_700_000_000_123);
    expect(parseTimestamp('1700000000')).toBeUndefined();
    expect(parseTimestamp(Number.POSITIVE_INFINITY)).toBeUndefined();
  });
});
