import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bisect } from '../../src/stats/bisect';
import { rateConfidenceSequence } from '../../src/stats/confidence-sequence';
import { logSumExp, xLog1pY, xLogY } from '../../src/stats/log-space';

/**
 * rateConfidenceSequence writes its two bisections out (stats/confidence-sequence.ts) instead of
 * calling `bisect` with a closure. The reference is the closure version it replaced: the same
 * halvings must give the same ends to the bit (verdicts and snapshots carry them).
 */
const OCTAVES = [-4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8];
function reference(events: number, trials: number, alpha: number, anchor: number) {
  if (!(trials > 0)) return null;
  const x = Math.min(Math.max(events, 0), trials);
  const y = trials - x;
  const logLik = (c: number): number => xLogY(x, c) + xLog1pY(y, -c);
  const terms: number[] = [];
  const scale = anchor > 0 && anchor < 1 ? anchor : 1 / (trials + 1);
  for (const k of OCTAVES) {
    const s = scale * 2 ** k;
    if (s < 1) terms.push(logLik(s));
  }
  const target = logSumExp(terms) - Math.log(terms.length) - Math.log(1 / alpha);
  const mle = x / trials;
  const lower = x === 0 ? 0 : bisect((c) => logLik(c) < target, 0, mle)[0];
  const upper = y === 0 ? 1 : bisect((c) => logLik(c) >= target, mle, 1)[1];
  return { lower, upper };
}

describe('rateConfidenceSequence', () => {
  it('gives the ends of the closure version, bit for bit', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 0, max: 100_000 }), fc.double({ min: 0, max: 1e9, noNaN: true })),
        fc.oneof(
          fc.constant(0),
          fc.constant(1),
          fc.double({ min: 0, max: 1, noNaN: true }),
          fc.double({ min: 0, max: 0.01, noNaN: true }),
        ),
        fc.constantFrom(0.005, 0.01, 0.1),
        fc.oneof(fc.constant(0), fc.double({ min: 1e-6, max: 0.999, noNaN: true }), fc.constant(1)),
        (trials, share, alpha, anchor) => {
          const events = trials * share;
          expect(rateConfidenceSequence(events, trials, alpha, anchor)).toEqual(
            reference(events, trials, alpha, anchor),
          );
        },
      ),
      { numRuns: 3000 },
    );
  });
});
