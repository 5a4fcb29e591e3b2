import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HealthRule } from '../../src/contract/contract-schema';
import { evaluateHealth, type HealthInput } from '../../src/rules/health-check';
import {
  firstValueOutside,
  inDomain,
  MEASURE_DOMAINS,
  outOfDomainVerdict,
} from '../../src/rules/measure-domain';
import { show, type Verdict } from '../../src/rules/verdict';

/**
 * The health verdict written field by field with its numbers' texts formatted once
 * (docs/benchmarks.md, "floor10-issue-13") against the spreads it replaced (main at c73daa8,
 * kept below): the same verdict, byte for byte as JSON, on random inputs.
 */
function evaluateHealthBefore(rule: HealthRule, input: HealthInput): Verdict {
  const newest = input.ready.at(-1);
  const base = {
    signal: input.signal,
    rule: 'health',
    ...(input.segment === undefined ? {} : { segment: input.segment }),
    window: input.window,
    samples: input.ready.length,
  };
  if (input.restarts !== null && !inDomain(input.restarts, MEASURE_DOMAINS.restarts))
    return outOfDomainVerdict(base, input.restarts, MEASURE_DOMAINS.restarts);
  const impossible = firstValueOutside(input.ready, MEASURE_DOMAINS.ready);
  if (impossible !== undefined) return outOfDomainVerdict(base, impossible, MEASURE_DOMAINS.ready);
  if (input.restarts !== null && input.restarts > rule.maxRestarts) {
    return {
      ...base,
      status: 'breach',
      value: input.restarts,
      threshold: rule.maxRestarts,
      reason: `${show(input.restarts)} restart(s) since the deploy in the window (allowed ${rule.maxRestarts})`,
    };
  }
  if (newest === undefined) {
    return {
      ...base,
      status: 'no-data',
      value: null,
      threshold: rule.minReady,
      reason: 'no readiness data in the window',
    };
  }
  if (newest.v < rule.minReady) {
    return {
      ...base,
      status: 'breach',
      value: newest.v,
      threshold: rule.minReady,
      reason: `${show(newest.v * 100)}% of instances ready (required ${show(rule.minReady * 100)}%)`,
    };
  }
  return {
    ...base,
    status: 'pass',
    value: newest.v,
    threshold: rule.minReady,
    reason: `${show(newest.v * 100)}% of instances ready${input.restarts === null ? '' : `, ${show(input.restarts)} restart(s)`}`,
  };
}

const value = fc.oneof(
  fc.constantFrom(0, -0, 1, 0.5, 0.9, 2, -1, Number.NaN, Number.POSITIVE_INFINITY),
  fc.double({ min: 0, max: 1 }),
);
const input: fc.Arbitrary<HealthInput> = fc.record(
  {
    signal: fc.constantFrom('health', 'pods'),
    segment: fc.constantFrom('a', 'b'),
    ready: fc.array(fc.record({ t: fc.integer({ min: 0, max: 100 }), v: value }), { maxLength: 6 }),
    restarts: fc.oneof(
      fc.constant(null),
      fc.constantFrom(0, -0, 1, 3, -2, Number.NaN),
      fc.integer({ min: 0, max: 9 }),
    ),
    window: fc.record({ start: fc.integer({ min: 0, max: 10 }), end: fc.integer({ min: 10, max: 100 }) }),
  },
  { requiredKeys: ['signal', 'ready', 'restarts', 'window'] },
);
const rule: fc.Arbitrary<HealthRule> = fc.record({
  type: fc.constant('health' as const),
  minReady: fc.constantFrom(0, 0.5, 0.9, 1),
  maxRestarts: fc.constantFrom(0, 1, 5),
}) as fc.Arbitrary<HealthRule>;

describe('evaluateHealth against its form before the field-by-field pass verdict', () => {
  it('gives the same verdict, the same bytes, whatever the input (property)', () => {
    fc.assert(
      fc.property(rule, input, (r, i) => {
        const now: Verdict = evaluateHealth(r, i);
        // Twice: the second call reads the texts the first one formatted.
        expect(JSON.stringify(evaluateHealth(r, i))).toBe(JSON.stringify(now));
        expect(JSON.stringify(now)).toBe(JSON.stringify(evaluateHealthBefore(r, i)));
        expect(now.reason).toBe(evaluateHealthBefore(r, i).reason);
      }),
      { numRuns: 5000 },
    );
  });
});
