import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkDataQuality, dataQualityHolds } from '../../src/rules/data-quality';

describe('dataQualityHolds', () => {
  it('is true exactly when checkDataQuality finds nothing wrong (property)', () => {
    const count = fc.oneof(
      fc.integer({ min: 0, max: 500 }),
      fc.double({ noDefaultInfinity: false }),
      fc.constantFrom(-1, 0, Number.NaN, Number.POSITIVE_INFINITY),
    );
    fc.assert(
      fc.property(
        count,
        fc.option(fc.integer({ min: 0, max: 200_000 }), { nil: null }),
        fc.integer({ min: 0, max: 200_000 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.integer({ min: 0, max: 300 }),
        (samples, newestT, now, maxLagMs, minSamples) => {
          const verdict = checkDataQuality({
            signal: 'errors',
            rule: 'sequential',
            window: { start: 0, end: now },
            samples,
            newestT,
            now,
            maxLagMs,
            minSamples,
          });
          expect(dataQualityHolds(samples, newestT, now, maxLagMs, minSamples)).toBe(verdict === null);
        },
      ),
      { numRuns: 3_000 },
    );
  });
});
