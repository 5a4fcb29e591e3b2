import { describe, expect, it } from 'vitest';
import { RollgateError } from '../../src/errors/rollgate-error';
import { createSprt, sprtExpectedSeconds, summarizeRateTest, updateRateTest } from '../../src/stats';
import type { SprtState } from '../../src/stats/sprt';
import { binomial, seededRandom } from '../../src/testing/seeded-random';

function configError(fn: () => unknown, path: string): void {
  try {
    fn();
  } catch (error) {
    expect(RollgateError.is(error)).toBe(true);
    expect((error as RollgateError).code).toBe('CONFIG_INVALID');
    expect((error as RollgateError).message).toContain(path);
    return;
  }
  throw new Error(`expected CONFIG_INVALID for ${path}`);
}

describe('sprtExpectedSeconds (Wald)', () => {
  it('is 154.9 requests = 15.49 s for 0.5% -> 3% at 10 req/s, alpha = beta = 0.01', () => {
    const seconds = sprtExpectedSeconds({
      p0: 0.005,
      p1: 0.03,
      alpha: 0.01,
      beta: 0.01,
      requestsPerSecond: 10,
    });
    // (0.99 ln 99 - 0.01 ln 99) / (0.03 ln 6 + 0.97 ln(0.97/0.995)) / 10
    const kl = 0.03 * Math.log(6) + 0.97 * Math.log(0.97 / 0.995);
    expect(seconds).toBeCloseTo((0.98 * Math.log(99)) / kl / 10, 12);
    expect(seconds).toBeCloseTo(15.49120076023074, 10);
  });

  it('is 3.164 s for 0.5% -> 5% at 20 req/s (the scenario generator computed the same)', () => {
    const seconds = sprtExpectedSeconds({
      p0: 0.005,
      p1: 0.05,
      alpha: 0.01,
      beta: 0.01,
      requestsPerSecond: 20,
    });
    // packages/testkit/scenarios/examples/_meta.json: "sprt_seconds": 3.1640364939452352
    expect(seconds).toBeCloseTo(3.1640364939452352, 12);
  });

  it('rejects bad options by name', () => {
    configError(
      () => sprtExpectedSeconds({ p0: 0.005, p1: 0.05, alpha: 0.01, beta: 0.01, requestsPerSecond: 0 }),
      'requestsPerSecond',
    );
    configError(() => createSprt({ p0: 0.05, p1: 0.05, alpha: 0.01, beta: 0.01 }), 'p1');
    configError(() => createSprt({ p0: 0, p1: 0.05, alpha: 0.01, beta: 0.01 }), 'p0');
    configError(() => createSprt({ p0: 0.01, p1: 0.05, alpha: 1, beta: 0.01 }), 'alpha');
    configError(() => createSprt({ p0: 0.01, p1: 0.05, alpha: 0.01, beta: Number.NaN }), 'beta');
  });
});

describe('createSprt / updateRateTest', () => {
  it('accumulates the log likelihood ratio of the totals', () => {
    let s: SprtState = createSprt({ p0: 0.01, p1: 0.04, alpha: 0.01, beta: 0.05 });
    s = updateRateTest(s, { events: 2, trials: 100 });
    s = updateRateTest(s, { events: 0.5, trials: 30.25 });
    const llr = 2.5 * Math.log(4) + (130.25 - 2.5) * Math.log(0.96 / 0.99);
    expect(s.logLikelihoodRatio).toBeCloseTo(llr, 12);
    expect(summarizeRateTest(s).logE).toBeCloseTo(llr, 12);
    expect(summarizeRateTest(s).logThreshold).toBeCloseTo(Math.log(100), 12);
  });

  it('rejects at log(1/alpha) and stays rejected', () => {
    let s: SprtState = createSprt({ p0: 0.01, p1: 0.1, alpha: 0.01, beta: 0.01 });
    s = updateRateTest(s, { events: 3, trials: 3 }); // 3 ln 10 = 6.9 >= 4.6
    expect(s.rejected).toBe(true);
    expect(s.rejectedAtUpdate).toBe(1);
    s = updateRateTest(s, { events: 0, trials: 10_000 });
    expect(s.rejected).toBe(true);
    expect(summarizeRateTest(s).rejected).toBe(true);
  });

  it('accepts at Wald’s lower bound (sticky) and can still reject a later breach', () => {
    let s: SprtState = createSprt({ p0: 0.01, p1: 0.05, alpha: 0.01, beta: 0.01 });
    s = updateRateTest(s, { events: 0, trials: 200 }); // 200 ln(0.95/0.99) = -8.25 <= ln(0.01/0.99)
    expect(s.accepted).toBe(true);
    expect(s.acceptedAtUpdate).toBe(1);
    expect(summarizeRateTest(s).accepted).toBe(true);
    s = updateRateTest(s, { events: 30, trials: 60 });
    expect(s.accepted).toBe(true);
    expect(s.rejected).toBe(true);
  });

  it('ignores intervals without trials or with garbage counts', () => {
    const s = createSprt({ p0: 0.01, p1: 0.05, alpha: 0.01, beta: 0.01 });
    expect(updateRateTest(s, { events: 0, trials: 0 })).toBe(s);
    expect(updateRateTest(s, { events: Number.NaN, trials: 5 })).toBe(s);
    expect(updateRateTest(s, { events: -1, trials: 5 })).toBe(s);
    expect(updateRateTest(s, { events: 9, trials: 5 }).events).toBe(5);
  });

  it('keeps its error rates in simulation: alpha under p0, Wald’s ASN under p1', () => {
    const random = seededRandom(2024);
    let falseRejections = 0;
    for (let run = 0; run < 1000; run++) {
      let s: SprtState = createSprt({ p0: 0.005, p1: 0.03, alpha: 0.01, beta: 0.01 });
      for (let step = 0; step < 100 && !s.rejected; step++)
        s = updateRateTest(s, { events: binomial(random, 200, 0.005), trials: 200 });
      if (s.rejected) falseRejections++;
    }
    // Under exactly alpha, more than 18 of 1000 happens with probability < 1%.
    expect(falseRejections).toBeLessThanOrEqual(18);
    let total = 0;
    for (let run = 0; run < 600; run++) {
      let s: SprtState = createSprt({ p0: 0.005, p1: 0.03, alpha: 0.01, beta: 0.01 });
      let n = 0;
      while (!s.rejected && !s.accepted) {
        s = updateRateTest(s, { events: binomial(random, 1, 0.03), trials: 1 });
        n++;
      }
      total += n;
    }
    // Wald's approximation ignores the overshoot, so the simulated mean runs a little above it.
    expect(total / 600).toBeGreaterThan(140);
    expect(total / 600).toBeLessThan(200);
  });

  it('reports the rate ratio against p0 with a confidence sequence', () => {
    let s: SprtState = createSprt({ p0: 0.01, p1: 0.05, alpha: 0.01, beta: 0.01 });
    expect(summarizeRateTest(s).ratioInterval).toBeNull();
    s = updateRateTest(s, { events: 30, trials: 1000 });
    const summary = summarizeRateTest(s);
    expect(summary.ratioEstimate).toBeCloseTo(3, 12);
    expect(summary.ratioInterval?.lower).toBeLessThan(3);
    expect(summary.ratioInterval?.upper).toBeGreaterThan(3);
    expect(summary.ratioInterval?.level).toBe(0.99);
    expect(summary.baselineRate).toBe(0.01);
  });
});
