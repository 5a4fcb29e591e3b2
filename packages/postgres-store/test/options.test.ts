import { markedValues, parseOptions, RollgateError } from '@rollgate/core';
import { describe, expect, it } from 'vitest';
import { PostgresStoreOptionsSchema } from '../src/options';

const invalid = (option: string, message: string) =>
  new RollgateError('CONFIG_INVALID', `${option}: ${message}`, { component: 'test' });

describe('the PostgreSQL stores options schema', () => {
  it('marks the connection URL (which holds the password) as the secret', () => {
    const url = 'postgresql://rollgate:pw-9f1c@db:5432/app';
    const options = parseOptions(PostgresStoreOptionsSchema, { url, migrations: 'verify' }, invalid);
    expect(markedValues(PostgresStoreOptionsSchema, options, 'secret')).toEqual([
      { path: ['url'], value: url },
    ]);
  });

  it('names the field and the fix, never the URL', () => {
    const url = 'postgresql://rollgate:pw-9f1c@db:5432/app';
    const problem = (input: unknown) => {
      try {
        parseOptions(PostgresStoreOptionsSchema, input, invalid);
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(problem({ url, schema: 'a-b' })).toBe(
      'schema: a schema name is letters, digits and "_" (default rollgate)',
    );
    expect(problem({ url, migrations: 'skip' })).toContain('migrations');
    expect(problem({ url, pool: 3 })).toBe('pool: unknown option "pool": remove it or check the spelling');
    expect(problem({})).toContain('url');
    expect(problem({ url: 'postgresql://x:pw-9f1c@db/app', schema: 1 })).not.toContain('pw-9f1c');
  });
});
