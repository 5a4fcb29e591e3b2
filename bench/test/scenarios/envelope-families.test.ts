import { parseScenario } from '@rollgate/testkit/scenarios';
import { describe, expect, it } from 'vitest';
import { ENVELOPE_FAMILIES } from '../../src/scenarios/envelope-families';
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
