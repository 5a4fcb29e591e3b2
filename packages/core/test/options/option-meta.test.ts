import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  mapMarkedValues,
  markedValues,
  parseOptions,
  pathOption,
  RollgateError,
  secretOption,
  textMapOption,
  textOption,
  wholeNumberOption,
} from '../../src/index';

const Schema = z.strictObject({
  url: textOption('a URL'),
  token: secretOption(z.string()).optional(),
  headers: secretOption(textMapOption()).optional(),
  caFile: pathOption(z.string()).optional(),
  timeoutMs: wholeNumberOption(1, 600_000, ' of milliseconds').optional(),
  auth: z
    .discriminatedUnion('type', [
      z.strictObject({ type: z.literal('bearer'), token: secretOption(z.string()) }),
      z.strictObject({ type: z.literal('file'), path: pathOption(z.string()) }),
    ])
    .optional(),
});

const invalid = (option: string, message: string) =>
  new RollgateError('CONFIG_INVALID', `example option ${option}: ${message}`, { details: { option } });

describe('option marks', () => {
  it('finds every value under a secret mark, in maps and discriminated unions, with its path', () => {
    const options = {
      url: 'http://x',
      token: 'tok-1',
      headers: { 'X-Org': 'team-a', 'X-Key': 'k-2' },
      auth: { type: 'bearer', token: 'tok-3' },
    };
    expect(markedValues(Schema, options, 'secret')).toEqual([
      { path: ['token'], value: 'tok-1' },
      { path: ['headers', 'X-Org'], value: 'team-a' },
      { path: ['headers', 'X-Key'], value: 'k-2' },
      { path: ['auth', 'token'], value: 'tok-3' },
    ]);
  });

  it('rewrites path values only, following the union option the tag selects, on input that is not valid', () => {
    const input = { url: 5, caFile: 'ca.pem', auth: { type: 'file', path: 'key.pem' }, extra: 'x.pem' };
    expect(mapMarkedValues(Schema, input, 'path', (p) => `/etc/${p}`)).toEqual({
      url: 5,
      caFile: '/etc/ca.pem',
      auth: { type: 'file', path: '/etc/key.pem' },
      extra: 'x.pem',
    });
  });
});

describe('parseOptions', () => {
  it('returns the parsed options', () => {
    expect(parseOptions(Schema, { url: 'http://x', timeoutMs: 5 }, invalid)).toEqual({
      url: 'http://x',
      timeoutMs: 5,
    });
  });

  it.each([
    [{}, 'url', 'missing: add url'],
    [{ url: 'http://x', timeoutMs: 0 }, 'timeoutMs', 'from 1 to 600000'],
    [{ url: 'http://x', timeout: 5 }, 'timeout', 'unknown option'],
    [{ url: 'http://x', auth: { type: 'digest' } }, 'auth.type', 'expected one of'],
    [{ url: 'http://x', headers: { A: 1 } }, 'headers.A', 'expected a text value'],
  ])('throws the adapter error for %j naming %s', (input, option, words) => {
    let caught: unknown;
    try {
      parseOptions(Schema, input, invalid);
    } catch (error) {
      caught = error;
    }
    expect(RollgateError.is(caught) && caught.code).toBe('CONFIG_INVALID');
    expect((caught as RollgateError).details.option).toBe(option);
    expect((caught as RollgateError).message).toContain(words);
  });

  it('never quotes the value', () => {
    try {
      parseOptions(Schema, { url: 'http://x', token: 12345678 }, invalid);
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('12345678');
    }
  });
});
