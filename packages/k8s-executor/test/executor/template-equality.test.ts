import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { equalIgnoreHash, withoutHashLabel } from '../../src/executor/template-equality';
import type { JsonObject } from '../../src/resources/json-value';

const template = (labels: Record<string, string>, extra: JsonObject = {}): JsonObject => ({
  metadata: { labels, creationTimestamp: null },
  spec: { containers: [{ name: 'app', image: 'web:1', resources: {} }], ...extra },
});

describe('equalIgnoreHash', () => {
  it('ignores the pod-template-hash label', () => {
    expect(
      equalIgnoreHash(template({ app: 'web', 'pod-template-hash': 'abc' }), template({ app: 'web' })),
    ).toBe(true);
    expect(
      equalIgnoreHash(
        template({ app: 'web', 'pod-template-hash': 'abc' }),
        template({ app: 'web', 'pod-template-hash': 'xyz' }),
      ),
    ).toBe(true);
  });

  it('treats null, empty maps and empty lists like absent fields (semantic equality)', () => {
    const a: JsonObject = {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'app', image: 'web:1' }] },
    };
    const b = template({ app: 'web' }, { volumes: [], nodeSelector: {} });
    expect(equalIgnoreHash(a, b)).toBe(true);
  });

  it('sees any real difference', () => {
    expect(equalIgnoreHash(template({ app: 'web' }), template({ app: 'web', tier: 'fe' }))).toBe(false);
    const other = template({ app: 'web' });
    (other.spec as JsonObject).containers = [{ name: 'app', image: 'web:2' }];
    expect(equalIgnoreHash(template({ app: 'web' }), other)).toBe(false);
  });

  it('is reflexive, symmetric and blind to the hash label for any template (property)', () => {
    const json = fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<JsonObject[keyof JsonObject]>;
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), json),
        fc.string({ minLength: 1, maxLength: 10 }),
        (spec, hash) => {
          const plain: JsonObject = { metadata: { labels: { app: 'x' } }, spec };
          const hashed: JsonObject = { metadata: { labels: { app: 'x', 'pod-template-hash': hash } }, spec };
          return (
            equalIgnoreHash(plain, plain) &&
            equalIgnoreHash(plain, hashed) === equalIgnoreHash(hashed, plain) &&
            equalIgnoreHash(plain, hashed)
          );
        },
      ),
    );
  });

  it('withoutHashLabel drops only the hash label and copies', () => {
    const t = template({ app: 'web', 'pod-template-hash': 'abc' });
    const out = withoutHashLabel(t);
    expect((out.metadata as JsonObject).labels).toEqual({ app: 'web' });
    expect(((t.metadata as JsonObject).labels as JsonObject)['pod-template-hash']).toBe('abc');
  });
});
