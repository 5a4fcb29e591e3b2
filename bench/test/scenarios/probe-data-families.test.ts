import { parseScenario } from '@rollgate/testkit/scenarios';
import { describe, expect, it } from 'vitest';
import { FAMILIES } from '../../src/scenarios/families';
import { generateFamilies, generateFamilySet } from '../../src/scenarios/family-corpus';
import { Prng } from '../../src/scenarios/prng';
import {
  batchArrivals,
  DATA_FAMILIES,
  isDataFamily,
  lateErrorSeries,
  readinessFlaps,
  scrapeGaps,
} from '../../src/scenarios/probe-data-families';
import { synthesize } from '../../src/scenarios/synthesize';

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** A small healthy scenario to rewrite. */
const base = () =>
  synthesize({
    name: 'data-test',
    description: 'healthy',
    seed: 7,
    fault: null,
    service: {
      rps: 3,
      p0: 0.01,
      medianMs: 50,
      sigma: 0.5,
      drift: { amplitude: 0.1, periodSeconds: 3600 },
      cpuCores: 0.3,
      memoryBytes: 3e8,
      pods: 4,
    },
  });

describe('the data families', () => {
  it('have ids of their own, run only when named, and each keep family has a bad twin', () => {
    const ids = new Set(FAMILIES.map((f) => f.id));
    for (const f of DATA_FAMILIES) expect(ids.has(f.id)).toBe(false);
    expect(generateFamilies('test', 1, ['gaps-keep']).map((s) => s.family.id)).toEqual(['gaps-keep']);
    expect(DATA_FAMILIES.filter((f) => f.truth === 'keep').length).toBe(5);
    expect(DATA_FAMILIES.filter((f) => f.truth === 'rollback').length).toBe(5);
  });

  it('draw valid scenarios with the truth their family states, rewritten where the family says', () => {
    for (const family of DATA_FAMILIES) {
      const set = generateFamilySet(family, 'data-test', 3);
      for (const { scenario, meta } of set.scenarios) {
        expect(parseScenario(scenario, scenario.name).ok, scenario.name).toBe(true);
        expect(scenario.truth.verdict).toBe(family.truth);
        if (family.id.startsWith('gaps-')) expect(meta.scrape_gaps).toBeDefined();
        if (family.id.startsWith('batch-')) expect(meta.batch_period_s).toBeDefined();
        if (family.id.startsWith('flap-')) expect(meta.ready_flaps).toBeDefined();
        expect(isDataFamily(family)).toBe(
          meta.scrape_gaps !== undefined ||
            meta.batch_period_s !== undefined ||
            meta.ready_flaps !== undefined,
        );
      }
    }
  });

  it('scrape gaps keep every count (the next scrape carries them) and hold the gauges', () => {
    const g = base();
    const gapped = scrapeGaps(g, new Prng('gaps'), 6);
    const s = gapped.scenario.series;
    expect(sum(s.requests)).toBe(sum(g.scenario.series.requests));
    expect(sum(s.errors)).toBe(sum(g.scenario.series.errors));
    const gaps = gapped.meta.scrape_gaps as number[];
    expect(gaps.length).toBe(6);
    for (const t of gaps) {
      expect(s.requests[t]).toBe(0);
      expect(s.latencyP99Ms[t]).toBeNull();
      expect(s.memoryBytes?.[t]).toBe(s.memoryBytes?.[t - 1]);
    }
    expect(parseScenario(gapped.scenario, gapped.scenario.name).ok).toBe(true);
  });

  it('batch arrivals keep every count and leave most steps empty', () => {
    const g = base();
    const batched = batchArrivals(g, new Prng('batch'), 8);
    const s = batched.scenario.series;
    expect(sum(s.requests)).toBe(sum(g.scenario.series.requests));
    expect(sum(s.errors)).toBe(sum(g.scenario.series.errors));
    const empty = s.requests.filter((n) => n === 0).length;
    expect(empty / s.requests.length).toBeGreaterThan(0.8);
    expect(parseScenario(batched.scenario, batched.scenario.name).ok).toBe(true);
  });

  it('late error series drop the first error of each pod after the deploy, and only those', () => {
    const g = base();
    const late = lateErrorSeries(g, 4);
    expect(sum(g.scenario.series.errors) - sum(late.scenario.series.errors)).toBe(4);
    const d = g.scenario.deployAtStep;
    expect(late.scenario.series.errors.slice(0, d)).toEqual(g.scenario.series.errors.slice(0, d));
  });

  it('readiness flaps take one pod of the fleet out for 1-3 steps, nothing else', () => {
    const g = base();
    const flapped = readinessFlaps(g, new Prng('flaps'), 5, 4);
    const ready = flapped.scenario.series.ready ?? [];
    const down = ready.filter((v) => v < 1);
    expect(down.length).toBeGreaterThanOrEqual(5);
    expect(down.length).toBeLessThanOrEqual(15);
    for (const v of down) expect(v).toBe(0.75);
  });
});
