import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logBaselineEvidence } from '../../src/stats/baseline-rate-test';

// The joint method bounds its infimum over candidate baseline rates from grid points because
// the baseline e-value rises with the candidate rate p (docs/statistics.md). Check that lemma.
describe('the baseline e-value of the joint method', () => {
  it('never falls as the candidate baseline rate rises', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 1, max: 2000 }), fc.double({ min: 1, max: 1e10, noNaN: true })),
        fc.oneof(
          fc.constant(0),
          fc.double({ min: 0, max: 1, noNaN: true }),
          fc.double({ min: 0, max: 0.02, noNaN: true }),
        ),
        fc.constantFrom(0.25, 0.5, 1),
        (trials, share, kappa) => {
          const state = { baselineEvents: trials * share, baselineTrials: trials, kappa };
          let previous = logBaselineEvidence(0, state);
          // 400 log-spaced rates from 1e-9 to 0.999, across the kink at trials * p = 1.
          for (let i = 0; i <= 400; i++) {
            const p = Math.exp(Math.log(1e-9) + (Math.log(0.999) - Math.log(1e-9)) * (i / 400));
            const value = logBaselineEvidence(p, state);
            expect(value).toBeGreaterThanOrEqual(previous - 1e-9 * Math.max(1, Math.abs(previous)));
            previous = value;
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('has expectation 1 under its own rate (it is an e-value)', () => {
    // E[LR] over Binomial(40, p) computed exactly.
    const n = 40;
    const p = 0.1;
    let expectation = 0;
    let logChoose = 0;
    for (let k = 0; k <= n; k++) {
      if (k > 0) logChoose += Math.log((n - k + 1) / k);
      const logProb = logChoose + k * Math.log(p) + (n - k) * Math.log1p(-p);
      expectation += Math.exp(
        logProb + logBaselineEvidence(p, { baselineEvents: k, baselineTrials: n, kappa: 0.5 }),
      );
    }
    expect(expectation).toBeCloseTo(1, 12);
  });
});
