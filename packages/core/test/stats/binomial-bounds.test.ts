import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bernoulliKl,
  clopperPearsonLower,
  clopperPearsonUpper,
  klLowerBound,
  klUpperBound,
} from '../../src/stats/binomial-bounds';
import { binomialUpperTail } from '../../src/stats/special-functions';

// scipy.stats.beta.ppf(1 - d, x + 1, n - x) and beta.ppf(d, x, n - x + 1).
describe('Clopper–Pearson bounds', () => {
  it.each([
    [90, 18000, 0.005, 0.006519762251036684, 0.003749037701047962],
    [1, 100, 0.05, 0.046559811453538935, 0.0005128014162622921],
    [3.7, 1234.5, 0.01, 0.008999509079469187, 0.0005665067642944755],
    [500000, 1e8, 0.005, 0.005018196834387776, 0.004981850273997758],
    [17, 17.5, 0.01, 0.9999955754383923, 0.7196251708567634],
  ])('%d of %d at %d match scipy (non-integer and 1e8 counts included)', (x, n, d, upper, lower) => {
    expect(clopperPearsonUpper(x, n, d) / upper).toBeCloseTo(1, 9);
    expect(clopperPearsonLower(x, n, d) / lower).toBeCloseTo(1, 9);
  });

  it('uses the closed forms at zero and all events', () => {
    expect(clopperPearsonUpper(0, 18000, 0.005)).toBeCloseTo(1 - 0.005 ** (1 / 18000), 15);
    expect(clopperPearsonLower(0, 18000, 0.005)).toBe(0);
    expect(clopperPearsonUpper(50, 50, 0.01)).toBe(1);
    expect(clopperPearsonLower(50, 50, 0.01)).toBeCloseTo(0.01 ** (1 / 50), 15);
  });

  it('is sensible with a billion trials (the continued fraction converges or falls back to KL)', () => {
    const upper = clopperPearsonUpper(5e6, 1e9, 0.005);
    expect(upper).toBeGreaterThan(0.005);
    expect(upper).toBeLessThan(klUpperBound(5e6, 1e9, 0.005) * (1 + 1e-12));
    expect(upper / 0.005005748167115497).toBeCloseTo(1, 8);
  });

  it('has exact tail probability delta at the bound (integer counts)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 2, max: 2000 }), (x0, n) => {
        const x = Math.min(x0, n - 1);
        const upper = clopperPearsonUpper(x, n, 0.01);
        // P(Bin(n, upper) <= x) = 1 - P(>= x + 1) = 0.01
        expect(1 - binomialUpperTail(x + 1, n, upper)).toBeCloseTo(0.01, 8);
        const lower = clopperPearsonLower(x, n, 0.01);
        expect(binomialUpperTail(x, n, lower)).toBeCloseTo(0.01, 8);
      }),
      { numRuns: 60 },
    );
  });

  it('is never wider than the KL (Chernoff) bound and never narrower than the rate', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 1, max: 1e7, noNaN: true }),
        fc.double({ min: 1e-6, max: 0.2, noNaN: true }),
        (share, n, d) => {
          const x = share * n;
          const cpU = clopperPearsonUpper(x, n, d);
          const cpL = clopperPearsonLower(x, n, d);
          expect(cpU).toBeGreaterThanOrEqual(x / n);
          expect(cpU).toBeLessThanOrEqual(klUpperBound(x, n, d) * (1 + 1e-12) + 1e-300);
          expect(cpL).toBeLessThanOrEqual(x / n);
          expect(cpL).toBeGreaterThanOrEqual(klLowerBound(x, n, d) * (1 - 1e-12));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('KL bounds', () => {
  it('sit exactly at the Chernoff budget', () => {
    const upper = klUpperBound(90, 18000, 0.005);
    expect(18000 * bernoulliKl(90 / 18000, upper)).toBeCloseTo(Math.log(200), 9);
    const lower = klLowerBound(90, 18000, 0.005);
    expect(18000 * bernoulliKl(90 / 18000, lower)).toBeCloseTo(Math.log(200), 9);
  });

  it('covers a rate at least 1 - delta of the time (simulation)', () => {
    // Rate 0.3 with 40 trials: count how often the bound falls below it.
    let seed = 12345;
    const random = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296;
    };
    let misses = 0;
    for (let i = 0; i < 4000; i++) {
      let x = 0;
      for (let j = 0; j < 40; j++) if (random() < 0.3) x++;
      if (klUpperBound(x, 40, 0.05) < 0.3) misses++;
    }
    expect(misses / 4000).toBeLessThanOrEqual(0.05);
  });
});
