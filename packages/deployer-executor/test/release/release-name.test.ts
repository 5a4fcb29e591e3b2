import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commandReleaseNameProblem, isReleaseName, releaseNameProblem } from '../../src/release/release-name';

describe('release names', () => {
  it('accepts what Deployer produces and odd-but-contained names', () => {
    for (const name of ['1', '42', '2024-05-01_3', 'v1.4.2', '$(touch pwned)', 'a b', 'ünï'])
      expect(isReleaseName(name)).toBe(true);
  });

  it('rejects names that could leave releases/ or confuse ids', () => {
    for (const name of [
      '',
      '.',
      '..',
      '../x',
      'a/b',
      '/abs',
      'a..b',
      'x\u0000',
      'x\ny',
      'tab\tname',
      'del\u007f',
      '1@sha',
      'x'.repeat(256),
    ]) {
      expect(releaseNameProblem(name)).toBeDefined();
    }
  });

  it('never accepts a name containing a slash, NUL or control character (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }), (name) => {
        // biome-ignore lint/suspicious/noControlCharactersInRegex: the property is about control characters
        if (/[/\u0000-\u001f\u007f]/.test(name) || name.includes('..') || name === '') {
          expect(isReleaseName(name)).toBe(false);
        }
      }),
    );
  });

  it('allows only shell-inert names in command mode', () => {
    for (const name of ['1', '42', 'v1.4.2', '2024-05-01_3', 'build+7'])
      expect(commandReleaseNameProblem(name)).toBeUndefined();
    for (const name of [
      '$(touch pwned)',
      '`id`',
      'a b',
      'a;b',
      "a'b",
      'a"b',
      '-n',
      '*',
      'a|b',
      'a&b',
      '~root',
      'x>y',
    ]) {
      expect(commandReleaseNameProblem(name)).toBeDefined();
    }
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (name) => {
        if (commandReleaseNameProblem(name) === undefined)
          expect(name).toMatch(/^[A-Za-z0-9_][A-Za-z0-9._+-]*$/);
      }),
    );
  });
});
