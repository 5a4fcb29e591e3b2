import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLabelSelector } from '../../src/resources/kube-objects';
import {
  equalitySelector,
  formatLabelSelector,
  isValidLabelKey,
  isValidLabelValue,
} from '../../src/resources/label-selector';
import { matches, parseSelector } from '../support/label-match';

describe('label selectors', () => {
  it('formats matchLabels and matchExpressions like LabelSelectorAsSelector', () => {
    const selector = parseLabelSelector({
      matchLabels: { tier: 'fe', app: 'web' },
      matchExpressions: [
        { key: 'env', operator: 'In', values: ['prod', 'canary'] },
        { key: 'legacy', operator: 'DoesNotExist' },
        { key: 'zone', operator: 'NotIn', values: ['b'] },
        { key: 'team', operator: 'Exists' },
      ],
    });
    expect(selector && formatLabelSelector(selector)).toBe(
      'app=web,tier=fe,env in (canary,prod),!legacy,zone notin (b),team',
    );
  });

  it('rejects unknown operators', () => {
    expect(
      parseLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }),
    ).toBeUndefined();
  });

  it('refuses keys and values that would change the selector instead of escaping them', () => {
    expect(equalitySelector({ app: 'web', 'pod-template-hash': 'abc' })).toBe(
      'app=web,pod-template-hash=abc',
    );
    expect(equalitySelector({ app: 'web,env=prod' })).toEqual({
      invalid: expect.stringContaining('not a valid label value'),
    });
    expect(equalitySelector({ 'a b': 'x' })).toEqual({
      invalid: expect.stringContaining('not a valid label key'),
    });
    expect(isValidLabelKey('app.kubernetes.io/name')).toBe(true);
    expect(isValidLabelKey('Bad_Prefix/name')).toBe(false);
    expect(isValidLabelValue('')).toBe(true);
    expect(isValidLabelValue('-x')).toBe(false);
  });

  it('selects exactly the matching label sets (property, against the double parser)', () => {
    const token = fc.stringMatching(/^[a-z][a-z0-9]{0,4}$/);
    fc.assert(
      fc.property(
        fc.dictionary(token, token, { maxKeys: 3 }),
        fc.dictionary(token, token, { maxKeys: 5 }),
        (wanted, labels) => {
          const selector = equalitySelector(wanted);
          if (typeof selector !== 'string') return false;
          const expected = Object.entries(wanted).every(([k, v]) => labels[k] === v);
          return matches(parseSelector(selector), labels) === expected;
        },
      ),
    );
  });
});
