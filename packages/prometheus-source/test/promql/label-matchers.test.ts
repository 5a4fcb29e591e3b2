import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  escapeLabelValue,
  QueryBuildError,
  selectorMatchers,
  vectorSelector,
} from '../../src/promql/label-matchers';

/** Decodes a PromQL double-quoted literal body the way the Prometheus lexer and strconv.Unquote do. */
function unquote(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch === '"') throw new Error(`unescaped quote at ${i}: the literal would end here`);
    if (ch === '\n') throw new Error('raw newline: unterminated string');
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = body[++i];
    if (next === '\\' || next === '"') out += next;
    else if (next === 'n') out += '\n';
    else if (next === 'r') out += '\r';
    else if (next === 't') out += '\t';
    else if (next === 'x') {
      out += String.fromCharCode(Number.parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (next === 'u') {
      out += String.fromCharCode(Number.parseInt(body.slice(i + 1, i + 5), 16));
      i += 4;
    } else throw new Error(`unknown escape \\${next}`);
  }
  return out;
}

describe('escapeLabelValue', () => {
  it('escapes quotes, backslashes and line breaks', () => {
    expect(escapeLabelValue('a"b\\c\nd\re\tf')).toBe('a\\"b\\\\c\\nd\\re\\tf');
  });

  it('leaves braces, commas, hashes and non-ASCII text as they are (literal inside quotes)', () => {
    expect(escapeLabelValue('{x},#é日本')).toBe('{x},#é日本');
  });

  it('writes other control characters as \\xHH and U+FFFD as \\uFFFD (the lexer rejects it raw)', () => {
    expect(escapeLabelValue('\u0000\u001f\u007f')).toBe('\\x00\\x1f\\x7f');
    expect(escapeLabelValue('a\uFFFDb')).toBe('a\\uFFFDb');
  });

  it('rejects an unpaired surrogate, which no Prometheus label can hold', () => {
    expect(() => escapeLabelValue('x\uD800y', 'query.selector.service')).toThrow(QueryBuildError);
  });

  it('round-trips every well-formed string and never lets a value end the literal', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (value) => {
        const escaped = escapeLabelValue(value);
        expect(unquote(escaped)).toBe(value);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('"', '\\', '{', '}', '\n', 'a', ',', '=', '~', ')', '\r') }),
        (value) => {
          expect(unquote(escapeLabelValue(value))).toBe(value);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('selectorMatchers and vectorSelector', () => {
  it('sorts matchers by name so one selector always gives one query', () => {
    const matchers = selectorMatchers({ service: 'checkout', env: 'prod' });
    expect(vectorSelector('up', matchers)).toBe('up{env="prod", service="checkout"}');
  });

  it('writes a bare metric name when there are no matchers', () => {
    expect(vectorSelector('up', selectorMatchers({}))).toBe('up');
  });

  it('keeps an injection attempt inside the quoted value', () => {
    const hostile = 'x"} or vector(1) or up{a="';
    const text = vectorSelector('up', selectorMatchers({ service: hostile }));
    expect(text).toBe('up{service="x\\"} or vector(1) or up{a=\\""}');
  });

  it('rejects label names that cannot be escaped, and __name__', () => {
    expect(() => selectorMatchers({ 'service"}': 'x' })).toThrow(/not a valid Prometheus label name/);
    expect(() => selectorMatchers({ '1abc': 'x' })).toThrow(QueryBuildError);
    expect(() => selectorMatchers({ __name__: 'x' })).toThrow(/__name__/);
  });
});
