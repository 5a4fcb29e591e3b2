import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nrqlIdentifier, nrqlNumber, nrqlString } from '../../src/nrql/nrql-literals';
import { parseNrql } from '../support/nrql-evaluator';

// biome-ignore lint/suspicious/noControlCharactersInRegex: generators must avoid what the quoting refuses
const CONTROL = /[\u0000-\u001f\u007f]/;
// Biased towards the characters that matter for quoting, plus any other code point.
const tricky = fc.oneof(
  fc.constantFrom("'", '\\', '"', '`', ' ', '%', '(', ')', '=', 'a'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
const printable = fc.string({ unit: tricky, maxLength: 40 }).filter((s) => !CONTROL.test(s));
const identifierName = printable.filter((s) => s.length > 0 && !s.includes('`'));

/** The WHERE condition of a one-condition query, as the double's NRQL parser reads it. */
function parsedCondition(attribute: string, literal: string) {
  const query = parseNrql(`SELECT count(*) FROM Transaction WHERE ${attribute} = ${literal} SINCE 0 UNTIL 1`);
  return query.where;
}

describe('nrqlString', () => {
  it.each([
    ['plain', 'checkout', "'checkout'"],
    ['single quote', "O'Brien", "'O\\'Brien'"],
    ['double quotes', 'say "hi"', `'say "hi"'`],
    ['backslash', 'a\\b', "'a\\\\b'"],
    ['backslash before a quote', "a\\'b", "'a\\\\\\'b'"],
    ['empty', '', "''"],
  ])('quotes %s', (_name, value, expected) => {
    expect(nrqlString(value)).toBe(expected);
  });

  it('refuses control characters, which NRQL cannot escape', () => {
    for (const value of ['a\nb', 'a\rb', 'tab\there', 'nul\u0000']) {
      expect(() => nrqlString(value)).toThrowError(/control character/);
    }
  });

  it('round-trips any value through an NRQL parser as exactly one string literal', () => {
    fc.assert(
      fc.property(printable, (value) => {
        const where = parsedCondition('`appName`', nrqlString(value));
        expect(where).toEqual({
          kind: 'cmp',
          op: '=',
          left: { kind: 'attr', name: 'appName' },
          right: { kind: 'str', value },
        });
      }),
      { numRuns: 500 },
    );
  });

  it('keeps an injection attempt inside the literal', () => {
    const attack = "x' OR `appName` != 'y";
    const where = parsedCondition('`appName`', nrqlString(attack));
    expect(where).toMatchObject({ kind: 'cmp', right: { kind: 'str', value: attack } });
  });
});

describe('nrqlIdentifier', () => {
  it('backticks names, including ones with spaces, dots and hyphens', () => {
    expect(nrqlIdentifier('appName')).toBe('`appName`');
    expect(nrqlIdentifier('http.statusCode')).toBe('`http.statusCode`');
    expect(nrqlIdentifier('Logged-in user')).toBe('`Logged-in user`');
  });

  it('refuses empty names, backticks and control characters', () => {
    for (const name of ['', 'a`b', 'line\nbreak']) expect(() => nrqlIdentifier(name)).toThrow();
  });

  it('round-trips any acceptable name through an NRQL parser as one attribute', () => {
    fc.assert(
      fc.property(identifierName, (name) => {
        const where = parsedCondition(nrqlIdentifier(name), "'v'");
        expect(where).toMatchObject({ kind: 'cmp', left: { kind: 'attr', name } });
      }),
      { numRuns: 500 },
    );
  });
});

describe('nrqlNumber', () => {
  it('writes plain decimals, never exponents', () => {
    expect(nrqlNumber(0.25)).toBe('0.25');
    expect(nrqlNumber(1e-7)).toBe('0.0000001');
    expect(nrqlNumber(120)).toBe('120');
    fc.assert(
      fc.property(fc.double({ min: 1e-9, max: 1e12, noNaN: true }), (n) => {
        const text = nrqlNumber(n);
        expect(text).toMatch(/^\d+(\.\d+)?$/);
        expect(Math.abs(Number(text) - n)).toBeLessThanOrEqual(Math.abs(n) * 1e-9 + 1e-15);
      }),
    );
  });

  it('refuses NaN and infinities', () => {
    expect(() => nrqlNumber(Number.NaN)).toThrow();
    expect(() => nrqlNumber(Number.POSITIVE_INFINITY)).toThrow();
  });
});
