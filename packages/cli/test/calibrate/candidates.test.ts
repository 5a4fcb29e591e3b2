import { CONTRACT_LIMITS, defaultSignals, parseContract } from '@rollgate/core';
import { describe, expect, it } from 'vitest';
import { candidateGrid } from '../../src/calibrate/candidates';

describe('candidateGrid', () => {
  it('only tries contracts inside the bounds, even from the smallest alpha allowed', () => {
    for (const alpha of [0.01, CONTRACT_LIMITS.alpha.min]) {
      const grid = candidateGrid({ alpha });
      expect(grid.length).toBeGreaterThan(0);
      for (const candidate of grid) {
        // Each candidate is a contract the replay can run: parseContract would throw otherwise.
        const contract = parseContract({ service: 's', signals: defaultSignals(), ...candidate.overrides });
        expect(contract.alpha).toBeGreaterThanOrEqual(CONTRACT_LIMITS.alpha.min);
      }
    }
    expect(
      candidateGrid({ alpha: CONTRACT_LIMITS.alpha.min }).some((c) => c.changes.alpha !== undefined),
    ).toBe(false);
  });
});
