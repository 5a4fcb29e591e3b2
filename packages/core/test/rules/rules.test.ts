import { describe, expect, it } from 'vitest';
import { evaluateBaselineRatio } from '../../src/rules/baseline-ratio';
import { checkDataQuality } from '../../src/rules/data-quality';
import { evaluateHealth } from '../../src/rules/health-check';
import { MEASURE_DOMAINS } from '../../src/rules/measure-domain';
import { evaluateRateOfChange, fitLine } from '../../src/rules/rate-of-change';
import { evaluateStaticRange } from '../../src/rules/static-range';

const window = { start: 0, end: 60_000 };
const value = (v: number, samples = 500) => ({ signal: 's', value: v, samples, window, unit: ' ms' });

describe('static range', () => {
  it('passes inside, breaches above max and below min', () => {
    const rule = { type: 'static' as const, min: 1, max: 10 };
    expect(evaluateStaticRange(rule, value(5)).status).toBe('pass');
    const high = evaluateStaticRange(rule, value(11));
    expect(high).toMatchObject({ status: 'breach', value: 11, threshold: 10, samples: 500 });
    expect(high.reason).toBe('11 ms is above the maximum 10 ms');
    expect(evaluateStaticRange(rule, value(0.5))).toMatchObject({ status: 'breach', threshold: 1 });
  });

  it('judges neither +Inf nor -Inf: an impossible reading is an error that names it (issue 18)', () => {
    const high = evaluateStaticRange({ type: 'static', max: 500 }, value(Number.POSITIVE_INFINITY));
    expect(high.status).toBe('error');
    expect(high.reason).toContain('+Inf');
    expect(high.error?.code).toBe('SOURCE_BAD_RESPONSE');
    const low = evaluateStaticRange({ type: 'static', min: 0 }, value(Number.NEGATIVE_INFINITY));
    expect(low.status).toBe('error');
    expect(low.reason).toContain('-Inf');
  });

  it('judges a value against its measure domain: a negative latency is an error', () => {
    const v = evaluateStaticRange(
      { type: 'static', max: 500 },
      { ...value(-3), domain: MEASURE_DOMAINS['latency-quantile'] },
    );
    expect(v).toMatchObject({ status: 'error', value: -3, threshold: null });
    expect(v.reason).toBe(
      'impossible reading: latency quantile (ms) -3 (a latency quantile (ms) is finite and >= 0); it is no evidence either way, so check the source and its query',
    );
  });
});

describe('baseline ratio', () => {
  const rule = { type: 'baseline-ratio' as const, maxRatio: 2, minDelta: 0 };
  it('compares with the pre-deploy snapshot', () => {
    expect(evaluateBaselineRatio(rule, value(190), 100).status).toBe('pass');
    const v = evaluateBaselineRatio(rule, value(250), 100);
    expect(v).toMatchObject({ status: 'breach', threshold: 200 });
    expect(v.reason).toContain('2.5x the pre-deploy 100 ms');
  });

  it('needs both the ratio and the absolute delta', () => {
    const tiny = { type: 'baseline-ratio' as const, maxRatio: 2, minDelta: 0.01 };
    expect(evaluateBaselineRatio(tiny, value(0.0003), 0.0001).status).toBe('pass');
    expect(evaluateBaselineRatio(tiny, value(0.02), 0.0001).status).toBe('breach');
  });

  it('is no-data without a usable baseline, never pass', () => {
    expect(evaluateBaselineRatio(rule, value(1), null).status).toBe('no-data');
    expect(evaluateBaselineRatio(rule, value(1), Number.NaN).status).toBe('no-data');
    // An infinite baseline is no missing baseline: it is impossible, and says so.
    expect(evaluateBaselineRatio(rule, value(1), Number.POSITIVE_INFINITY).status).toBe('error');
  });

  it('treats any rise from a zero baseline as infinitely many times it', () => {
    expect(evaluateBaselineRatio(rule, value(0.5), 0).status).toBe('breach');
    expect(evaluateBaselineRatio(rule, value(0), 0).status).toBe('pass');
  });
});

describe('rate of change', () => {
  const rule = {
    type: 'rate-of-change' as const,
    limitFromBaseline: 2,
    horizonSeconds: 3600,
    maxPValue: 1e-4,
  };
  const points = (slopePerS: number, noise: number[], base = 300e6) =>
    noise.map((n, i) => ({ t: i * 5000, v: base + slopePerS * i * 5 + n }));
  const noise = [1e6, -2e6, 0.5e6, 1.5e6, -1e6, 2e6, -0.5e6, 0, 1e6, -1.5e6, 0.2e6, -0.7e6];

  it('fits a least-squares slope with its standard error', () => {
    const fit = fitLine(points(3e6, noise));
    // The noise shifts the fitted slope by ~10 kB/s; the standard error says how much to expect.
    expect(Math.abs((fit?.slope ?? 0) - 3e6)).toBeLessThan(3 * (fit?.slopeStdError ?? 0));
    expect(fit?.points).toBe(12);
    expect(
      fitLine([
        { t: 0, v: 1 },
        { t: 1000, v: 2 },
      ]),
    ).toBeNull();
    expect(
      fitLine([
        { t: 0, v: 1 },
        { t: 0, v: 2 },
        { t: 0, v: 3 },
      ]),
    ).toBeNull();
  });

  it('breaches on a leak that reaches the limit within the horizon', () => {
    const v = evaluateRateOfChange(rule, {
      signal: 'memory',
      points: points(3e6, noise),
      window,
      // The 12 points span 55 s: the growth must be watched for the window (MIN_SUSTAIN_SECONDS
      // capped by it), so the window is what they span.
      windowSeconds: 55,
      baseline: 300e6,
      unit: ' B',
    });
    expect(v.status).toBe('breach');
    expect(v.statistic?.name).toBe('t-stat');
    expect(v.reason).toMatch(/limit 6\.000e\+8 B reached in ~\d+ s/);
  });

  it('passes a flat noisy series and a trend within noise', () => {
    expect(
      evaluateRateOfChange(rule, {
        signal: 'm',
        points: points(0, noise),
        window,
        baseline: 300e6,
        unit: ' B',
      }).status,
    ).toBe('pass');
    const weak = evaluateRateOfChange(
      { ...rule, horizonSeconds: 1e9 },
      { signal: 'm', points: points(5e4, noise), window, baseline: 300e6, unit: ' B' },
    );
    expect(weak.status).toBe('pass');
    expect(weak.reason).toContain('within noise');
  });

  it('breaches when the level is already over the limit', () => {
    const v = evaluateRateOfChange(
      { ...rule, limit: 100 },
      { signal: 'm', points: points(0, [0, 1, 0, 1, 0, 1], 200), window, baseline: null, unit: '' },
    );
    expect(v.status).toBe('breach');
    expect(v.reason).toContain('has reached the limit');
  });

  it('is no-data without a limit or with too few points', () => {
    expect(
      evaluateRateOfChange(rule, { signal: 'm', points: points(1, noise), window, baseline: null, unit: '' })
        .status,
    ).toBe('no-data');
    expect(
      evaluateRateOfChange(rule, { signal: 'm', points: points(1, [0, 0]), window, baseline: 1, unit: '' })
        .status,
    ).toBe('no-data');
  });

  it('ignores NaN and infinite points instead of fitting them', () => {
    const pts = [
      ...points(3e6, noise),
      { t: 70_000, v: Number.NaN },
      { t: 75_000, v: Number.POSITIVE_INFINITY },
    ];
    expect(fitLine(pts)?.points).toBe(12);
  });
});

describe('health', () => {
  const rule = { type: 'health' as const, minReady: 1, maxRestarts: 0 };
  const ready = (vs: number[]) => vs.map((v, i) => ({ t: i * 5000, v }));
  it('breaches on the newest readiness below the minimum', () => {
    expect(
      evaluateHealth(rule, { signal: 'h', ready: ready([1, 1, 0.6667]), restarts: 0, window }),
    ).toMatchObject({
      status: 'breach',
      value: 0.6667,
      threshold: 1,
    });
    expect(evaluateHealth(rule, { signal: 'h', ready: ready([0.5, 1]), restarts: 0, window }).status).toBe(
      'pass',
    );
  });

  it('breaches on restarts after the deploy', () => {
    const v = evaluateHealth(rule, { signal: 'h', ready: ready([1]), restarts: 2, window });
    expect(v).toMatchObject({ status: 'breach', value: 2, threshold: 0 });
  });

  it('is no-data without readiness data', () => {
    expect(evaluateHealth(rule, { signal: 'h', ready: [], restarts: null, window }).status).toBe('no-data');
  });
});

describe('data quality', () => {
  const base = { signal: 's', rule: 'static', window, now: 100_000, maxLagMs: 30_000, minSamples: 100 };
  it('gives no-data for empty, stale and below-floor data, and nothing for good data', () => {
    expect(checkDataQuality({ ...base, samples: 0, newestT: null })?.reason).toBe('no samples in the window');
    expect(checkDataQuality({ ...base, samples: 500, newestT: 60_000 })?.reason).toContain(
      'stale: newest sample is 40 s old',
    );
    expect(checkDataQuality({ ...base, samples: 99, newestT: 95_000 })?.reason).toBe(
      '99 samples, below the floor of 100',
    );
    expect(checkDataQuality({ ...base, samples: 100, newestT: 95_000 })).toBeNull();
  });
});
