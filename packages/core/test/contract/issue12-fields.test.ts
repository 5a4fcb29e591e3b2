import { describe, expect, it } from 'vitest';
import { defaultContract } from '../../src/contract/default-contract';
import { parseContract } from '../../src/contract/parse-contract';
import { RollgateError } from '../../src/errors/rollgate-error';

function problem(input: unknown): RollgateError {
  try {
    parseContract(input as Parameters<typeof parseContract>[0]);
  } catch (error) {
    if (error instanceof RollgateError) return error;
    throw error;
  }
  throw new Error('parsed');
}

const withRule = (rule: Record<string, unknown>, kind = 'latency') => ({
  service: 'x',
  signals: [{ id: 's', kind, rules: [rule] }],
});

describe('contract fields of the load, sawtooth and onset policies', () => {
  it('accepts loadSurge hold or a factor, sustainShare in [0, 1], ambiguousOnset policies', () => {
    const c = parseContract({
      ...withRule({ type: 'sequential', loadSurge: 'hold' }),
      validation: { ambiguousOnset: 'roll-back' },
    });
    expect(c.signals[0]?.rules[0]).toMatchObject({ loadSurge: 'hold' });
    expect(c.validation.ambiguousOnset).toBe('roll-back');
    expect(
      parseContract(withRule({ type: 'sequential', loadSurge: 3 }, 'error-rate')).signals[0]?.rules[0],
    ).toMatchObject({
      loadSurge: 3,
    });
    const r = parseContract(withRule({ type: 'rate-of-change', sustainShare: 0.25 }, 'resource'));
    expect(r.signals[0]?.rules[0]).toMatchObject({ sustainShare: 0.25 });
    const far = parseContract(withRule({ type: 'rate-of-change', farSustainSeconds: 0 }, 'resource'));
    expect(far.signals[0]?.rules[0]).toMatchObject({ farSustainSeconds: 0 });
    expect(parseContract(defaultContract('x')).validation).toEqual({ ambiguousOnset: 'route-incident' });
  });

  it('names the field and the fix on bad values', () => {
    for (const [input, message] of [
      [withRule({ type: 'sequential', loadSurge: 0.5 }), /loadSurge/],
      [withRule({ type: 'sequential', loadSurge: 'skip' }), /loadSurge must be 'hold' or a tolerance factor/],
      [withRule({ type: 'rate-of-change', sustainShare: 2 }, 'resource'), /sustainShare must be at most 1/],
      [
        withRule({ type: 'rate-of-change', farSustainSeconds: -5 }, 'resource'),
        /farSustainSeconds must be from 0 to 86400 seconds/,
      ],
      [
        { ...defaultContract('x'), validation: { ambiguousOnset: 'guess' } },
        /validation\.ambiguousOnset: expected one of "route-incident" \| "roll-back"/,
      ],
    ] as const) {
      const e = problem(input);
      expect(e.code).toBe('CONFIG_INVALID');
      expect(e.message).toMatch(message);
    }
  });
});
