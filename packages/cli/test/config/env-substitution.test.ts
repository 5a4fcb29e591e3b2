// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is the configuration's reference syntax, written literally.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { substituteEnv } from '../../src/config/env-substitution';

describe('substituteEnv', () => {
  it('replaces ${NAME} and ${NAME:-default} in string values only, recording the fields it filled', () => {
    const tree = {
      url: 'http://${HOST}:${PORT:-9090}/x',
      n: 3,
      list: ['${HOST}', true],
      '${KEY}': 'key names are left alone',
    };
    const result = substituteEnv(tree, { HOST: 'prom', PORT: '' });
    expect(result.problems).toEqual([]);
    expect(result.value).toEqual({
      url: 'http://prom:9090/x',
      n: 3,
      list: ['prom', true],
      '${KEY}': 'key names are left alone',
    });
    expect(result.substituted.map((s) => [s.segments, s.variables])).toEqual([
      [['url'], ['HOST', 'PORT']],
      [['list', 0], ['HOST']],
    ]);
  });

  it('writes a literal ${ for $${ and reports malformed and missing references by field', () => {
    const result = substituteEnv({ a: { b: ['$${NOT_A_VAR}', '${1BAD}', '${OPEN', '${MISSING}'] } }, {});
    expect((result.value as { a: { b: string[] } }).a.b[0]).toBe('${NOT_A_VAR}');
    expect(result.problems.map((p) => p.path)).toEqual(['a.b[1]', 'a.b[2]', 'a.b[3]']);
    expect(result.problems[0]?.message).toContain('is not a variable reference');
    expect(result.problems[1]?.message).toContain('an unclosed "${"');
    expect(result.problems[2]?.message).toBe(
      'environment variable MISSING is not set; export it before running rollgate, or write ${MISSING:-default}',
    );
  });

  it('inserts any value verbatim: a value is never expanded again and never escapes its string', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (value, suffix) => {
        const result = substituteEnv({ field: `pre-\${V}-${suffix.replace(/\$/g, '')}` }, { V: value });
        expect(result.problems).toEqual([]);
        expect((result.value as { field: string }).field).toBe(`pre-${value}-${suffix.replace(/\$/g, '')}`);
      }),
    );
  });

  it('uses the default only when the variable is unset or empty', () => {
    fc.assert(
      fc.property(
        fc.option(fc.string(), { nil: undefined }),
        fc.string().filter((d) => !d.includes('}')),
        (value, fallback) => {
          const result = substituteEnv({ f: `\${V:-${fallback}}` }, value === undefined ? {} : { V: value });
          expect((result.value as { f: string }).f).toBe(
            value === undefined || value === '' ? fallback : value,
          );
        },
      ),
    );
  });
});
