import { parseScenario } from '@rollgate/testkit/scenarios';
import { describe, expect, it } from 'vitest';
import { FAMILIES } from '../../src/scenarios/families';
import { generateFamilies, generateFamilySet } from '../../src/scenarios/family-corpus';
import { MEMORY_FAMILIES } from '../../src/scenarios/probe-memory-families';
import type { ScenarioSpec } from '../../src/scenarios/scenario-spec';
import { synthesize } from '../../src/scenarios/synthesize';

/** A service with a GC sawtooth, sessions, a surge, a level shift and a leak: every memory option main had. */
const spec: ScenarioSpec = {
  name: 'memory-pin',
  description: 'x',
  seed: 11,
  preSteps: 60,
  bakeSteps: 120,
  service: {
    rps: 20,
    p0: 0.005,
    medianMs: 60,
    sigma: 0.4,
    drift: { amplitude: 0.1, periodSeconds: 3600 },
    cpuCores: 0.4,
    memoryBytes: 3e8,
    pods: 3,
    memoryNoiseBytes: 4e5,
    gc: { periodSeconds: 40, amplitudeBytes: 1.5e7, jitter: 0.2 },
    sessions: { bytesPerRequest: 2000, ttlSeconds: 60 },
  },
  fault: { kind: 'leak', bytesPerSecond: 2e5, limitBytes: 6e8, at: 10 },
  spikes: [{ atStep: 70, steps: 30, factor: 3, rampSteps: 2 }],
  memoryShift: { atStep: 5, bytes: 1e7, rampSeconds: 30 },
};

describe('the memory-under-load families', () => {
  it('have ids of their own, run only when named, a keep family and its leaking twin', () => {
    const ids = new Set(FAMILIES.map((f) => f.id));
    for (const f of MEMORY_FAMILIES) expect(ids.has(f.id)).toBe(false);
    expect(generateFamilies('test', 1, ['surge-memory-keep']).map((s) => s.family.id)).toEqual([
      'surge-memory-keep',
    ]);
    expect(MEMORY_FAMILIES.map((f) => [f.id, f.truth])).toEqual([
      ['surge-memory-keep', 'keep'],
      ['surge-memory-leak', 'rollback'],
    ]);
  });

  it('draw valid scenarios whose memory rises 20-120% of the heap under the surge and falls back after', () => {
    for (const family of MEMORY_FAMILIES) {
      for (const { scenario, meta } of generateFamilySet(family, 'memory-test', 4).scenarios) {
        expect(parseScenario(scenario, scenario.name).ok, scenario.name).toBe(true);
        expect(scenario.truth.verdict).toBe(family.truth);
        const load = meta.load_memory as { bytes_per_load: number; fall_s: number } | undefined;
        const spikes = (meta.traffic as { spikes?: { atStep: number; steps: number; factor: number }[] })
          .spikes;
        expect(spikes?.length).toBe(1);
        const spike = spikes?.[0] as { atStep: number; steps: number; factor: number };
        // The load part at the surge's peak against the pre-deploy level (GC sawtooth included).
        const before = [...(scenario.series.memoryBytes ?? []).slice(0, scenario.deployAtStep)].sort(
          (a, b) => a - b,
        );
        const level = before[Math.floor(before.length / 2)] as number;
        const peak = ((load?.bytes_per_load ?? 0) * (spike.factor - 1)) / level;
        expect(peak).toBeGreaterThan(0.15);
        expect(peak).toBeLessThan(1.25);
        expect(load?.fall_s).toBeGreaterThanOrEqual(15);
        expect(load?.fall_s).toBeLessThanOrEqual(300);
        // After the deploy, up to 5 min in, for 2-5 min.
        expect(spike.atStep - scenario.deployAtStep).toBeLessThanOrEqual(60);
        expect(spike.steps).toBeGreaterThanOrEqual(24);
        expect(spike.steps).toBeLessThanOrEqual(60);
      }
    }
  });
});

describe('the synthesizer’s load-following memory', () => {
  it('leaves a spec without it drawn exactly as before (main 102b7d7, pinned by a hash)', () => {
    const series = synthesize(spec).scenario.series;
    let h = 0;
    for (const x of JSON.stringify(series)) h = (Math.imul(h, 31) + x.charCodeAt(0)) | 0;
    expect(h).toBe(PINNED_HASH);
  });

  it('adds exactly the lagged load part: nothing before the surge, rising under it, given back after', () => {
    const bytesPerLoad = 1e8;
    const rise = 20;
    const fall = 120;
    const plain = synthesize(spec).scenario.series.memoryBytes ?? [];
    const loaded =
      synthesize({
        ...spec,
        service: { ...spec.service, loadMemory: { bytesPerLoad, riseSeconds: rise, fallSeconds: fall } },
      }).scenario.series.memoryBytes ?? [];
    // The same draws (no random number is taken for it), so the difference is the load part alone.
    const extra = loaded.map((v, i) => v - (plain[i] as number));
    const spike = spec.spikes?.[0] as { atStep: number; steps: number; factor: number };
    for (let t = 0; t < spike.atStep; t++) expect(Math.abs(extra[t] as number)).toBeLessThanOrEqual(1);
    // At the end of the surge it is within a percent of the full 2 x bytesPerLoad (600 s at 20 s).
    const atEnd = extra[spike.atStep + spike.steps - 3] as number;
    expect(atEnd).toBeGreaterThan(0.99 * 2 * bytesPerLoad);
    expect(atEnd).toBeLessThanOrEqual(2 * bytesPerLoad + 1);
    // Given back with the fall time constant: after 120 s, about e^-1 of it is left.
    const after = extra[spike.atStep + spike.steps + 24] as number;
    expect(after / atEnd).toBeGreaterThan(0.3);
    expect(after / atEnd).toBeLessThan(0.42);
  });
});

/** The hash of `spec`'s series as main (102b7d7) draws it. */
const PINNED_HASH = 683247772;
