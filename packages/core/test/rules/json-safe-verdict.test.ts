import { describe, expect, it } from 'vitest';
import { jsonSafeVerdict, type Verdict } from '../../src/rules/verdict';

const verdict: Verdict = {
  status: 'pass',
  signal: 'error-rate',
  rule: 'sequential',
  value: 0.002,
  threshold: 0.01,
  window: { start: 1_000, end: 61_000 },
  samples: 1200,
  reason: 'error rate 0.2% within the baseline',
  statistic: {
    name: 'e-value',
    value: 0.4,
    threshold: 200,
    alpha: 0.005,
    ratioEstimate: null,
    ratioInterval: { lower: 0.5, upper: 1.8, level: 0.99 },
  },
};

describe('jsonSafeVerdict', () => {
  it('keeps a verdict that is already JSON-safe as it is, not a copy (every evaluation stores one per signal)', () => {
    expect(jsonSafeVerdict(verdict)).toBe(verdict);
    const { statistic: _statistic, ...rest } = verdict;
    const noStatistic: Verdict = { ...rest, value: null, threshold: null };
    expect(jsonSafeVerdict(noStatistic)).toBe(noStatistic);
  });

  it('replaces every non-finite number with null in a copy, leaving the verdict untouched', () => {
    const wild: Verdict = {
      ...verdict,
      value: Number.POSITIVE_INFINITY,
      threshold: Number.NaN,
      samples: Number.NaN,
      statistic: {
        name: 'e-value',
        value: Number.NEGATIVE_INFINITY,
        threshold: 200,
        ratioEstimate: Number.POSITIVE_INFINITY,
        ratioInterval: { lower: 0.5, upper: Number.POSITIVE_INFINITY, level: 0.99 },
      },
    };
    const safe = jsonSafeVerdict(wild);
    expect(safe).not.toBe(wild);
    expect(safe).toMatchObject({
      value: null,
      threshold: null,
      samples: 0,
      statistic: {
        value: null,
        threshold: 200,
        ratioEstimate: null,
        ratioInterval: { lower: 0.5, upper: null },
      },
    });
    expect(JSON.parse(JSON.stringify(safe))).toEqual(safe);
    expect(wild.value).toBe(Number.POSITIVE_INFINITY);
    // One non-finite number anywhere is enough to copy.
    const onlyInterval: Verdict = {
      ...verdict,
      statistic: {
        ...(verdict.statistic as NonNullable<Verdict['statistic']>),
        ratioInterval: { lower: Number.NaN, upper: 2, level: 0.99 },
      },
    };
    expect(jsonSafeVerdict(onlyInterval)).not.toBe(onlyInterval);
    expect(jsonSafeVerdict(onlyInterval).statistic?.ratioInterval?.lower).toBeNull();
  });
});
