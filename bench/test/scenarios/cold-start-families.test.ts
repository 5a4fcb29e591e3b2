import { parseScenario } from '@rollgate/testkit/scenarios';
import { describe, expect, it } from 'vitest';
import { COLD_START_FAMILIES } from '../../src/scenarios/cold-start-families';
import { FAMILIES } from '../../src/scenarios/families';
import { generateFamilies, generateFamilySet } from '../../src/scenarios/family-corpus';

const LOW_TRAFFIC = COLD_START_FAMILIES.filter((f) => f.id.startsWith('coldstart-lowtraffic-'));

describe('the low-traffic cold-start families (issue 12, round 20)', () => {
  it('have ids of their own, run only when named, a keep family and its bad twin', () => {
    const ids = new Set(FAMILIES.map((f) => f.id));
    for (const f of LOW_TRAFFIC) expect(ids.has(f.id)).toBe(false);
    expect(LOW_TRAFFIC.map((f) => [f.id, f.truth])).toEqual([
      ['coldstart-lowtraffic-keep', 'keep'],
      ['coldstart-lowtraffic-bad', 'rollback'],
    ]);
    expect(generateFamilies('test', 1, ['coldstart-lowtraffic-keep']).map((s) => s.family.id)).toEqual([
      'coldstart-lowtraffic-keep',
    ]);
  });

  it('draw valid scenarios at 2-40 req/s on a fine layout, the healthy ones with a failing cold start', () => {
    for (const family of LOW_TRAFFIC) {
      for (const { scenario, meta } of generateFamilySet(family, 'lowtraffic-test', 12).scenarios) {
        expect(parseScenario(scenario, scenario.name).ok, scenario.name).toBe(true);
        expect(scenario.truth.verdict).toBe(family.truth);
        expect(meta.rps as number).toBeGreaterThanOrEqual(2);
        expect(meta.rps as number).toBeLessThanOrEqual(40);
        expect(scenario.latencyBucketsMs.length).toBeGreaterThan(4);
        const cold = meta.cold_start as
          | { seconds: number; latency_factor: number; error_rate: number }
          | undefined;
        if (family.truth === 'keep') {
          expect(cold, scenario.name).toBeDefined();
          expect(meta.fault).toBeNull();
        }
        if (cold) {
          expect(cold.seconds).toBeGreaterThanOrEqual(10);
          expect(cold.seconds).toBeLessThanOrEqual(45);
          expect(cold.latency_factor).toBeGreaterThanOrEqual(1.3);
          expect(cold.latency_factor).toBeLessThanOrEqual(2.5);
          expect(cold.error_rate).toBeGreaterThanOrEqual(0.02);
          expect(cold.error_rate).toBeLessThanOrEqual(0.05);
        }
      }
    }
  });
});
