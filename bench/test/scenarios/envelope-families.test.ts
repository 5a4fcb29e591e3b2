import { parseScenario } from '@rollgate/testkit/scenarios';
import { describe, expect, it } from 'vitest';
import { ENVELOPE_FAMILIES, SURGE_START_FAMILIES } from '../../src/scenarios/envelope-families';
import { FAMILIES } from '../../src/scenarios/families';
import { generateFamilies, generateFamilySet } from '../../src/scenarios/family-corpus';

describe('the pre-deploy envelope families', () => {
  it('have ids of their own, run only when named, a keep family and its leaking twin', () => {
    const ids = new Set(FAMILIES.map((f) => f.id));
    for (const f of ENVELOPE_FAMILIES) expect(ids.has(f.id)).toBe(false);
    expect(generateFamilies('test', 1, ['mem-prior-fall-keep']).map((s) => s.family.id)).toEqual([
      'mem-prior-fall-keep',
    ]);
    expect(ENVELOPE_FAMILIES.map((f) => [f.id, f.truth])).toEqual([
      ['mem-prior-fall-keep', 'keep'],
      ['mem-prior-fall-leak', 'rollback'],
    ]);
  });

  it('draw valid scenarios whose pre-deploy window holds a surge or a restart that fell back before the deploy', () => {
    const causes = new Set<string>();
    for (const family of ENVELOPE_FAMILIES) {
      for (const { scenario, meta } of generateFamilySet(family, 'envelope-test', 8).scenarios) {
        expect(parseScenario(scenario, scenario.name).ok, scenario.name).toBe(true);
        expect(scenario.truth.verdict).toBe(family.truth);
        const memory = scenario.series.memoryBytes ?? [];
        const before = memory.slice(0, scenario.deployAtStep);
        // The window's highest against the last minute's: a fall of 10% or more (seeded draws).
        const lastMinute = Math.max(...before.slice(-12));
        expect(Math.max(...before), scenario.name).toBeGreaterThan(1.1 * lastMinute);
        const restart = meta.restart as { atStep: number } | undefined;
        if (restart) {
          causes.add('restart');
          expect(restart.atStep).toBeLessThan(scenario.deployAtStep);
          expect(meta.load_memory).toBeUndefined();
        } else {
          causes.add('surge');
          const spikes = (meta.traffic as { spikes?: { atStep: number; steps: number }[] }).spikes ?? [];
          expect(spikes.length).toBe(1);
          expect((spikes[0]?.atStep ?? 0) + (spikes[0]?.steps ?? 0)).toBeLessThan(scenario.deployAtStep);
        }
      }
    }
    expect([...causes].sort()).toEqual(['restart', 'surge']);
  });
});

describe('the surge-at-the-start families', () => {
  it('have ids of their own, run only when named, a keep family and its leaking twin', () => {
    const ids = new Set([...FAMILIES, ...ENVELOPE_FAMILIES].map((f) => f.id));
    for (const f of SURGE_START_FAMILIES) expect(ids.has(f.id)).toBe(false);
    expect(SURGE_START_FAMILIES.map((f) => [f.id, f.truth])).toEqual([
      ['surge-memory-start-keep', 'keep'],
      ['surge-memory-start-leak', 'rollback'],
    ]);
    expect(generateFamilies('test', 1, ['surge-memory-start-leak']).map((s) => s.family.id)).toEqual([
      'surge-memory-start-leak',
    ]);
  });

  it('draw a surge within 10 s of the deploy that fills memory, a 2-30 min window and a 4-8 min bake', () => {
    for (const family of SURGE_START_FAMILIES) {
      for (const { scenario, meta } of generateFamilySet(family, 'surge-start-test', 8).scenarios) {
        expect(parseScenario(scenario, scenario.name).ok, scenario.name).toBe(true);
        expect(scenario.truth.verdict).toBe(family.truth);
        const deploy = scenario.deployAtStep;
        expect(deploy).toBeGreaterThanOrEqual(24);
        expect(deploy).toBeLessThanOrEqual(360);
        const bake = scenario.series.requests.length - deploy;
        expect(bake).toBeGreaterThanOrEqual(48);
        expect(bake).toBeLessThanOrEqual(96);
        const spikes = (meta.traffic as { spikes?: { atStep: number; steps: number }[] }).spikes ?? [];
        expect(spikes.length).toBe(1);
        expect((spikes[0]?.atStep ?? 0) - deploy).toBeGreaterThanOrEqual(0);
        expect((spikes[0]?.atStep ?? 0) - deploy).toBeLessThanOrEqual(2);
        // The surge fills memory: the bake's highest is well above the pre-deploy window's.
        const memory = scenario.series.memoryBytes ?? [];
        const before = Math.max(...memory.slice(0, deploy));
        expect(Math.max(...memory.slice(deploy)), scenario.name).toBeGreaterThan(1.2 * before);
        expect(Boolean(meta.fault)).toBe(family.truth === 'rollback');
      }
    }
  });
});
