import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { roundedText, show, showRate } from '../../src/rules/verdict';

/**
 * `show` and `showRate` write the numbers of every reason sentence, which snapshots and audit
 * records keep: the shortcut that skips `toPrecision` (rules/verdict.ts) must give exactly the
 * text of the straightforward formatting, here the reference.
 */
function referenceShow(value: number | null, unit = ''): string {
  if (value === null || Number.isNaN(value)) return 'none';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  const abs = Math.abs(value);
  const text =
    abs !== 0 && (abs < 0.001 || abs >= 1e7)
      ? value.toExponential(3)
      : Number(value.toPrecision(4)).toString();
  return `${text}${unit}`;
}

function referenceShowRate(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return referenceShow(value);
  return `${Number((value * 100).toPrecision(3))}%`;
}

// Every magnitude the reasons meet, plus the hard cases: decimal ties of 3 and 4 digits
// (1.2345, 0.0125), values one ulp off a tie, powers of ten and their neighbours, integers.
const arbMagnitude = fc
  .record({
    mantissa: fc.double({ min: 1, max: 10, noNaN: true }),
    exponent: fc.integer({ min: -12, max: 16 }),
  })
  .map(({ mantissa, exponent }) => mantissa * 10 ** exponent);
const arbTie = fc
  .record({
    n: fc.integer({ min: 100, max: 99_999 }),
    exponent: fc.integer({ min: -10, max: 10 }),
    ulps: fc.integer({ min: -2, max: 2 }),
  })
  .map(({ n, exponent, ulps }) => {
    const tie = Number(`${n}5e${exponent}`);
    return ulps === 0 ? tie : tie * (1 + ulps * Number.EPSILON);
  });
const arbPowerOfTen = fc
  .record({ exponent: fc.integer({ min: -9, max: 15 }), ulps: fc.integer({ min: -3, max: 3 }) })
  .map(({ exponent, ulps }) => Number(`1e${exponent}`) * (1 + ulps * Number.EPSILON));
const arbValue = fc
  .record({
    value: fc.oneof(
      arbMagnitude,
      arbTie,
      arbPowerOfTen,
      fc.integer({ min: 0, max: 10_000_000 }),
      fc.double({ noNaN: false }),
      fc.constantFrom(0, -0, 0.5, 99.95, 999.95, 9999.5, 0.0009995, 0.001, 1e7, 9_999_999.5),
    ),
    negative: fc.boolean(),
  })
  .map(({ value, negative }) => (negative ? -value : value));

describe('show and showRate', () => {
  it('write the same text as toPrecision and back', () => {
    fc.assert(
      fc.property(arbValue, (value) => {
        expect(show(value)).toBe(referenceShow(value));
        expect(show(value, ' ms')).toBe(referenceShow(value, ' ms'));
        expect(showRate(value)).toBe(referenceShowRate(value));
        expect(showRate(value / 100)).toBe(referenceShowRate(value / 100));
      }),
      { numRuns: 30_000 },
    );
  });

  it('take the shortcut for all but the near-ties, with the same digits', () => {
    let taken = 0;
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 10, noNaN: true }),
        fc.integer({ min: -6, max: 14 }),
        fc.constantFrom(3, 4),
        (mantissa, exponent, digits) => {
          const value = mantissa * 10 ** exponent;
          const fast = roundedText(value, digits);
          if (fast === null) return;
          taken += 1;
          expect(fast).toBe(Number(value.toPrecision(digits)).toString());
        },
      ),
      { numRuns: 20_000 },
    );
    // Only a scaled fraction within 1e-6 of one half, or a value outside 1e-6 .. 1e15, falls back.
    expect(taken).toBeGreaterThan(15_000);
  });

  it('keep their spelling of the special values', () => {
    expect(show(null)).toBe('none');
    expect(show(Number.NaN)).toBe('none');
    expect(show(Number.POSITIVE_INFINITY)).toBe('+Inf');
    expect(show(-0)).toBe('0');
    expect(show(1234.5)).toBe(referenceShow(1234.5));
    expect(show(0.00012345)).toBe('1.234e-4');
    expect(showRate(0.0123456)).toBe('1.23%');
    expect(showRate(Number.NEGATIVE_INFINITY)).toBe('-Inf');
  });
});
