import { describe, expect, it } from 'vitest';
import { defaultContract } from '../../src/contract/default-contract';
import { parseContract } from '../../src/contract/parse-contract';
import { RollgateError } from '../../src/errors/rollgate-error';

function configErrorOf(input: unknown): RollgateError {
  try {
    parseContract(input, 'rollgate.yaml');
  } catch (error) {
    if (RollgateError.is(error)) return error;
    throw error;
  }
  throw new Error('expected CONFIG_INVALID');
}

const minimal = {
  service: 'checkout',
  signals: [{ id: 'errors', kind: 'error-rate', rules: [{ type: 'static', max: 0.05 }] }],
};

describe('parseContract', () => {
  it('fills every default of a minimal contract', () => {
    const c = parseContract(minimal);
    expect(c.schema).toBe('rollgate.contract/v1');
    expect(c.stepSeconds).toBe(5);
    expect(c.bakeSeconds).toBe(600);
    expect(c.warmupSeconds).toBe(15);
    expect(c.coldStartSeconds).toBe(60);
    expect(c.alpha).toBe(0.01);
    expect(c.confirmation).toEqual({ k: 1, maxConsecutiveErrors: 6 });
    expect(c.verification.windowSeconds).toBe(120);
    expect(c.signals[0]?.source).toBe('default');
    expect(c.signals[0]?.sustain).toEqual({ evaluations: 1, seconds: 0 });
  });

  it('does not mutate its input and is JSON round-trippable', () => {
    const input = structuredClone(minimal);
    const c = parseContract(input);
    expect(input).toEqual(minimal);
    expect(parseContract(JSON.parse(JSON.stringify(c)))).toEqual(c);
  });

  it('names the path and the allowed rule types for an unknown rule type', () => {
    const err = configErrorOf({
      ...minimal,
      signals: [{ id: 'e', kind: 'error-rate', rules: [{ type: 'treshold' }] }],
    });
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toContain('rollgate.yaml is invalid');
    expect(err.message).toContain('signals[0].rules[0].type:');
    // Regression: zod 4.6 already ends the path with the discriminator; it is named once.
    expect(err.message).not.toContain('type.type');
    expect(err.message).toContain('"static"');
    expect(err.message).toContain('"sequential"');
  });

  it('names an unknown field and says to check its spelling', () => {
    const err = configErrorOf({ ...minimal, bakeSecs: 30 });
    expect(err.message).toContain('unknown field "bakeSecs"');
  });

  it('lists the allowed signal kinds', () => {
    const err = configErrorOf({
      ...minimal,
      signals: [{ id: 'e', kind: 'errors', rules: [{ type: 'static', max: 1 }] }],
    });
    expect(err.message).toContain('signals[0].kind');
    expect(err.message).toMatch(/"error-rate" \| "latency" \| "resource" \| "health"/);
  });

  it('rejects a rule that does not apply to the signal kind', () => {
    const err = configErrorOf({
      ...minimal,
      signals: [{ id: 'm', kind: 'resource', rules: [{ type: 'sequential' }] }],
    });
    expect(err.message).toContain(
      'signals[0].rules[0].type: rule "sequential" does not apply to a resource signal',
    );
  });

  it('rejects duplicate ids, empty static rules, k above the signal count, sprt without rates', () => {
    const err = configErrorOf({
      service: 's',
      confirmation: { k: 3 },
      signals: [
        { id: 'a', kind: 'error-rate', rules: [{ type: 'static' }] },
        { id: 'a', kind: 'error-rate', rules: [{ type: 'sequential', test: 'sprt' }] },
      ],
    });
    expect(err.message).toContain('signals[1].id: duplicate signal id "a"');
    expect(err.message).toContain('signals[0].rules[0]: a static rule needs min, max or both');
    expect(err.message).toContain('signals[1].rules[0]: an sprt test needs p0');
    expect(err.message).toContain('confirmation.k: k is 3 but the contract has only 2 signal(s)');
  });

  it('rejects alpha outside (0, 1) and negative durations with the field path', () => {
    const err = configErrorOf({ ...minimal, alpha: 1.5, warmupSeconds: -1 });
    expect(err.message).toContain('alpha');
    expect(err.message).toContain('warmupSeconds');
    expect(err.details.issues).toHaveLength(2);
  });

  it('requires a service name', () => {
    const err = configErrorOf({ signals: minimal.signals });
    expect(err.message).toContain('service');
  });
});

describe('defaultContract', () => {
  it('covers the four signal kinds with the recommended rules', () => {
    const c = defaultContract('checkout', { selector: { job: 'checkout' } });
    expect(c.signals.map((s) => s.kind)).toEqual(['error-rate', 'latency', 'resource', 'health']);
    expect(c.signals.map((s) => s.rules[0]?.type)).toEqual([
      'sequential',
      'sequential',
      'rate-of-change',
      'health',
    ]);
    expect(c.signals.every((s) => s.selector.job === 'checkout')).toBe(true);
    expect(c.signals[3]?.authoritative).toBe(true);
  });

  it('validates overrides', () => {
    expect(() => defaultContract('x', { alpha: 0 })).toThrowError(/alpha/);
    expect(defaultContract('x', { bakeSeconds: 900 }).bakeSeconds).toBe(900);
  });
});
