import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COLD_START_RATIO, isElevated, rulesOutColdStart } from '../../src/rules/cold-start';

describe('rulesOutColdStart', () => {
  it('rules a cold start out after a few hundred requests at the baseline share', () => {
    // Baseline 1% slow: 300 requests with 2 slow favour the baseline over 3% by more than 20.
    expect(rulesOutColdStart({ events: 2, trials: 300 }, 0.01)).toBe(true);
    expect(rulesOutColdStart({ events: 2, trials: 200 }, 0.01)).toBe(false);
    // Too few requests to tell yet.
    expect(rulesOutColdStart({ events: 0, trials: 50 }, 0.01)).toBe(false);
  });

  it('does not rule out a slow share a cold start makes', () => {
    expect(rulesOutColdStart({ events: 10, trials: 100 }, 0.01)).toBe(false);
    expect(rulesOutColdStart({ events: 30, trials: 1000 }, 0.01)).toBe(false);
  });

  it('needs more requests against a near-empty baseline: the smallest cold start is half a percent', () => {
    expect(rulesOutColdStart({ events: 0, trials: 200 }, 0.0001)).toBe(false);
    expect(rulesOutColdStart({ events: 0, trials: 700 }, 0.0001)).toBe(true);
    // One slow request in 700 against 0.01% is already a tenfold share: not ruled out.
    expect(rulesOutColdStart({ events: 1, trials: 700 }, 0.0001)).toBe(false);
  });

  it('rules nothing out from impossible or absent counts', () => {
    expect(rulesOutColdStart({ events: 0, trials: 0 }, 0.01)).toBe(false);
    expect(rulesOutColdStart({ events: 5, trials: 3 }, 0.01)).toBe(false);
    expect(rulesOutColdStart({ events: -1, trials: 500 }, 0.01)).toBe(false);
    expect(rulesOutColdStart({ events: 0, trials: Number.NaN }, 0.01)).toBe(false);
    expect(rulesOutColdStart({ events: 0, trials: 500 }, Number.NaN)).toBe(false);
    expect(rulesOutColdStart({ events: 0, trials: 500 }, 1.5)).toBe(false);
  });

  it('never rules out what isElevated would recognise as a cold start', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 1e-5, max: 0.3, noNaN: true }),
        (trials, share, p0) => {
          const warmup = { events: Math.floor(share * trials), trials };
          expect(isElevated(warmup, p0) && rulesOutColdStart(warmup, p0)).toBe(false);
        },
      ),
    );
  });

  it('rules out only shares below the smallest cold start', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 1e-5, max: 0.3, noNaN: true }),
        (trials, share, p0) => {
          const warmup = { events: Math.floor(share * trials), trials };
          if (rulesOutColdStart(warmup, p0))
            expect(warmup.events / trials).toBeLessThan(COLD_START_RATIO * p0);
        },
      ),
    );
  });
});
