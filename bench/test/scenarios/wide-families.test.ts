import { replayScenario } from '@rollgate/testkit/scenarios';
import { describe, expect, it } from 'vitest';
import { FAMILIES } from '../../src/scenarios/families';
import { generateFamilies, generateFamilySet } from '../../src/scenarios/family-corpus';
import { FINE_BUCKET_LAYOUTS, WIDE_FAMILIES } from '../../src/scenarios/wide-families';

describe('the wide families', () => {
  it('have ids of their own and run only when named', () => {
    const ids = new Set(FAMILIES.map((f) => f.id));
    for (const f of WIDE_FAMILIES) {
      expect(ids.has(f.id)).toBe(false);
      expect(f.id.startsWith('wide-')).toBe(true);
    }
    expect(generateFamilies('test', 1).map((s) => s.family.id)).toEqual(FAMILIES.map((f) => f.id));
    expect(generateFamilies('test', 1, ['wide-tail-bad', 'steady-keep']).map((s) => s.family.id)).toEqual([
      'steady-keep',
      'wide-tail-bad',
    ]);
  });

  it('draw scenarios with the truth their family states, in the bucket layout they draw', () => {
    for (const family of WIDE_FAMILIES) {
      const set = generateFamilySet(family, 'wide-test', 2);
      expect(set.scenarios.length + set.undetectable.length).toBe(2);
      for (const { scenario } of set.scenarios) {
        expect(scenario.truth.verdict).toBe(family.truth);
        const row = scenario.series.latencyHistogram[0] ?? [];
        expect(row.length).toBe(scenario.latencyBucketsMs.length + 1);
      }
    }
  });

  it('draw the fine-layout tail families on layouts with a bound between a threshold and twice it', () => {
    for (const layout of FINE_BUCKET_LAYOUTS)
      expect(layout.some((b, i) => (layout[i + 1] ?? Number.POSITIVE_INFINITY) < 2 * b)).toBe(true);
    for (const id of ['wide-tail-fine-bad', 'wide-tailhost-fine-keep']) {
      const family = WIDE_FAMILIES.find((f) => f.id === id);
      if (!family) throw new Error(id);
      for (const { scenario } of generateFamilySet(family, 'wide-test', 6).scenarios)
        expect(FINE_BUCKET_LAYOUTS).toContainEqual(scenario.latencyBucketsMs);
    }
  });

  it('rolls back a latency fault on top of a load surge that began before the deploy', async () => {
    // wide-surge-bad, set wide-dev, draw 0: a 2.7x surge from 50 s before the deploy made the
    // baseline health check see latency up "since 1.1 min before the deploy, still at the
    // deploy"; a 2.4x latency fault from 290 s after it was routed as that incident. A latency
    // signal's health check and onset now leave surge steps out (load is no episode, round 10):
    // no episode, and the change point is the fault's, after the deploy.
    const family = WIDE_FAMILIES.find((f) => f.id === 'wide-surge-bad');
    if (!family) throw new Error('no wide-surge-bad family');
    const { scenario } = generateFamilySet(family, 'wide-dev', 1).scenarios[0] ?? {};
    if (!scenario) throw new Error('no scenario drawn');
    const r = await replayScenario(scenario);
    expect(r.decision, r.reason).toBe('rollback');
    const onset = (r.audit?.breach as { onset?: { reason?: string; preexisting?: boolean } } | undefined)
      ?.onset;
    expect(onset?.preexisting).toBe(false);
    expect(onset?.reason).toMatch(/^latency-p99: rate rose from .* s after the deploy$/);
    expect(r.audit?.baseline?.signals['latency-p99']?.health?.status).toBe('healthy');
  }, 60_000);
});
