import { describe, expect, it } from 'vitest';
import { DEPLOY } from '../../src/scenarios/draws';
import { FAMILIES, familySpecs } from '../../src/scenarios/families';
import { generateFamilies, generateFamilySet } from '../../src/scenarios/family-corpus';
import { SURGE_STRESS_FAMILIES } from '../../src/scenarios/surge-stress-families';

describe('the surge-stress families', () => {
  it('have ids of their own and run only when named', () => {
    const ids = new Set(FAMILIES.map((f) => f.id));
    for (const f of SURGE_STRESS_FAMILIES) expect(ids.has(f.id)).toBe(false);
    expect(generateFamilies('test', 1, ['surge-stress-keep']).map((s) => s.family.id)).toEqual([
      'surge-stress-keep',
    ]);
  });

  it('draw 2-5x surges around the deploy, each drain right after its surge at the usual traffic', () => {
    let drains = 0;
    let before = 0;
    for (const family of SURGE_STRESS_FAMILIES) {
      for (const spec of familySpecs(family, 'stress-test', 40)) {
        const surges = (spec.spikes ?? []).filter((s) => s.factor > 1);
        expect(surges.length).toBeGreaterThanOrEqual(1);
        for (const s of surges) {
          expect(s.factor).toBeGreaterThanOrEqual(2);
          expect(s.factor).toBeLessThanOrEqual(5);
          expect(s.latencyFactor).toBeGreaterThanOrEqual(1.15);
          expect(s.latencyFactor).toBeLessThanOrEqual(1.4);
          if (s.atStep < DEPLOY) before++;
        }
        for (const d of (spec.spikes ?? []).filter((s) => s.factor === 1)) {
          drains++;
          // A drain slows requests less than the surge it follows, after it, within 2 minutes.
          const surge = surges.find(
            (s) => s.atStep + s.steps <= d.atStep && d.atStep - (s.atStep + s.steps) < 24,
          );
          expect(surge).toBeDefined();
          expect(d.latencyFactor ?? 1).toBeGreaterThan(1);
          expect(d.latencyFactor ?? 1).toBeLessThanOrEqual(surge?.latencyFactor ?? 1);
        }
        if (family.truth === 'keep') expect(spec.fault).toBeNull();
        else expect(spec.fault?.kind === 'latency' || spec.fault?.kind === 'errors').toBe(true);
      }
    }
    expect(drains).toBeGreaterThan(0);
    expect(before).toBeGreaterThan(0);
  });

  it('draw scenarios with the truth their family states, in the bucket layout they draw', () => {
    for (const family of SURGE_STRESS_FAMILIES) {
      const set = generateFamilySet(family, 'stress-test', 2);
      for (const { scenario } of set.scenarios) {
        expect(scenario.truth.verdict).toBe(family.truth);
        const row = scenario.series.latencyHistogram[0] ?? [];
        expect(row.length).toBe(scenario.latencyBucketsMs.length + 1);
      }
    }
  });
});
