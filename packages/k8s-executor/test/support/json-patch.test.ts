import { describe, expect, it } from 'vitest';
import { applyJsonPatch, JsonPatchError } from './json-patch';

// The API double's RFC 6902 implementation must be right, or the rollback tests prove nothing.
describe('API double: RFC 6902', () => {
  const doc = { metadata: { name: 'web', annotations: { a: '1' } }, spec: { list: [1, 2] } };

  it('applies add, remove, replace, move, copy and test (RFC 6902 appendix cases)', () => {
    expect(applyJsonPatch(doc, [{ op: 'add', path: '/spec/list/1', value: 9 }])).toMatchObject({
      spec: { list: [1, 9, 2] },
    });
    expect(applyJsonPatch(doc, [{ op: 'add', path: '/spec/list/-', value: 3 }])).toMatchObject({
      spec: { list: [1, 2, 3] },
    });
    expect(applyJsonPatch(doc, [{ op: 'remove', path: '/metadata/annotations/a' }])).toMatchObject({
      metadata: { annotations: {} },
    });
    expect(applyJsonPatch(doc, [{ op: 'replace', path: '/metadata/name', value: 'api' }])).toMatchObject({
      metadata: { name: 'api' },
    });
    expect(applyJsonPatch(doc, [{ op: 'move', from: '/metadata/name', path: '/spec/name' }])).toMatchObject({
      spec: { name: 'web' },
    });
    expect(applyJsonPatch(doc, [{ op: 'copy', from: '/spec/list', path: '/spec/copy' }])).toMatchObject({
      spec: { copy: [1, 2] },
    });
    expect(applyJsonPatch({ 'a/b': { '~c': 1 } }, [{ op: 'test', path: '/a~1b/~0c', value: 1 }])).toEqual({
      'a/b': { '~c': 1 },
    });
  });

  it('refuses replace on a missing target, failed tests, and stays atomic', () => {
    expect(() => applyJsonPatch(doc, [{ op: 'replace', path: '/metadata/labels', value: {} }])).toThrow(
      JsonPatchError,
    );
    expect(() =>
      applyJsonPatch(doc, [
        { op: 'replace', path: '/metadata/name', value: 'x' },
        { op: 'test', path: '/metadata/name', value: 'web' },
      ]),
    ).toThrow(/test operation/);
    expect(doc.metadata.name).toBe('web');
  });
});
