import { describe, expect, it } from 'vitest';
import { DEPLOY } from '../../src/scenarios/draws';
import { FAMILIES } from '../../src/scenarios/families';
import { generateFamilies, generateFamilySet } from '../../src/scenarios/family-corpus';
import { PROBE_TRAFFIC_FAMILIES } from '../../src/scenarios/probe-traffic-families';
import type { ScenarioSpec, ServiceProfile } from '../../src/scenarios/scenario-spec';
import { synthesize } from '../../src/scenarios/synthesize';

const calm: ServiceProfile = {
  rps: 200,
  p0: 0.01,
  medianMs: 50,
  sigma: 0.3,
  drift: { amplitude: 0, periodSeconds: 3600 },
  cpuCores: 1,
  memoryBytes: 3e8,
  pods: 4,
};

/** Requests slower than `ms` (from the histogram) and requests, over steps [from, to). */
function slowShare(spec: ScenarioSpec, ms: number, from: number, to: number): number {
  const s = synthesize(spec).scenario;
  const index = s.latencyBucketsMs.indexOf(ms);
  let slow = 0;
  let all = 0;
  for (let t = from; t < to; t++) {
    const row = s.series.latencyHistogram[t] ?? [];
    all += s.series.requests[t] ?? 0;
    for (let b = index + 1; b < row.length; b++) slow += row[b] ?? 0;
  }
  return slow / all;
}

function errorRate(spec: ScenarioSpec, from: number, to: number): number {
  const s = synthesize(spec).scenario;
  let e = 0;
  let n = 0;
  for (let t = from; t < to; t++) {
    e += s.series.errors[t] ?? 0;
    n += s.series.requests[t] ?? 0;
  }
  return e / n;
}

const base = {
  name: 'x',
  description: 'x',
  seed: 7,
  service: calm,
  fault: null,
  preSteps: 60,
  bakeSteps: 120,
};

describe('the synthesizer additions for the probe families', () => {
  it('leave a spec without them drawn exactly as before (the new draws only run when asked for)', () => {
    // A trend, load latency, a slow-tail fault and a cold start: the series main (b468e8e) drew,
    // pinned by a hash of their JSON and a few values.
    const spec: ScenarioSpec = {
      ...base,
      service: {
        ...calm,
        drift: { amplitude: 0.1, periodSeconds: 3600 },
        trafficTrend: 0.5,
        loadLatency: 0.2,
      },
      fault: { kind: 'latency', factor: 2, at: 3, share: 0.1 },
      coldStart: { seconds: 20, latencyFactor: 2, errorRate: 0.02 },
    };
    const series = synthesize(spec).scenario.series;
    let h = 0;
    for (const x of JSON.stringify(series)) h = (Math.imul(h, 31) + x.charCodeAt(0)) | 0;
    expect(h).toBe(-570160927);
    expect(series.errors.slice(60, 66)).toEqual([30, 31, 27, 42, 5, 13]);
  });

  it('decay a cache warm-up to nothing over its seconds', () => {
    const spec: ScenarioSpec = {
      ...base,
      warmUp: { seconds: 300, latencyFactor: 3, errorRate: 0.05, shape: 'linear' },
    };
    // 50 ms median, sigma 0.3: 100 ms holds about 1% of a warm service, most of a 3x slower one.
    const first = slowShare(spec, 100, 60, 72);
    const late = slowShare(spec, 100, 60 + 72, 180);
    const before = slowShare(spec, 100, 0, 60);
    expect(first).toBeGreaterThan(0.5);
    expect(late).toBeLessThan(0.03);
    expect(before).toBeLessThan(0.03);
    expect(errorRate(spec, 60, 72)).toBeGreaterThan(0.04);
    expect(errorRate(spec, 60 + 72, 180)).toBeLessThan(0.02);
  });

  it('slow only the warm-up share of requests when it has one', () => {
    const spec: ScenarioSpec = {
      ...base,
      warmUp: { seconds: 600, latencyFactor: 10, slowShare: 0.3, shape: 'linear' },
    };
    const first = slowShare(spec, 250, 60, 66);
    // A 10x slow share of 30% (less its decay over 30 s): about 29% over 250 ms, the rest well under.
    expect(first).toBeGreaterThan(0.22);
    expect(first).toBeLessThan(0.36);
  });

  it('move a progressive rollout fault with the new version share, the old traffic untouched', () => {
    const spec: ScenarioSpec = {
      ...base,
      rollout: { stages: 4, seconds: 300 },
      fault: { kind: 'errors', p1: 0.21, at: 0 },
    };
    // Stages at 0, 100, 200 and 300 s: a quarter, then all of the traffic on the new version.
    const quarter = errorRate(spec, 60, 60 + 20);
    const all = errorRate(spec, 60 + 60, 180);
    expect(quarter).toBeGreaterThan(0.04);
    expect(quarter).toBeLessThan(0.08);
    expect(all).toBeGreaterThan(0.18);
    expect(all).toBeLessThan(0.24);
  });

  it('draw bimodal latency, and a miss-path fault slows only the misses', () => {
    const service: ServiceProfile = { ...calm, bimodal: { missShare: 0.2, missFactor: 10 } };
    const spec: ScenarioSpec = { ...base, service };
    // Misses at a 500 ms median: about 20% of requests over 250 ms, before and after the deploy.
    expect(slowShare(spec, 250, 0, 60)).toBeGreaterThan(0.16);
    expect(slowShare(spec, 250, 0, 60)).toBeLessThan(0.24);
    const bad: ScenarioSpec = { ...spec, fault: { kind: 'miss-path', factor: 3, at: 0 } };
    // The misses' 1,500 ms median: over 1,000 ms after the deploy, not before it.
    expect(slowShare(bad, 1000, 60, 180)).toBeGreaterThan(0.12);
    expect(slowShare(bad, 1000, 0, 60)).toBeLessThan(0.03);
    expect(synthesize(bad).scenario.truth).toMatchObject({ verdict: 'rollback', signal: 'latency' });
  });
});

describe('the probe-traffic families', () => {
  it('have ids of their own and run only when named', () => {
    const ids = new Set(FAMILIES.map((f) => f.id));
    for (const f of PROBE_TRAFFIC_FAMILIES) expect(ids.has(f.id)).toBe(false);
    expect(generateFamilies('test', 1, ['probe-slope-keep']).map((s) => s.family.id)).toEqual([
      'probe-slope-keep',
    ]);
  });

  it('pair each keep family with a bad twin, and draw the truth each states', () => {
    const keeps = PROBE_TRAFFIC_FAMILIES.filter((f) => f.truth === 'keep').map((f) => f.id);
    for (const id of keeps) {
      expect(PROBE_TRAFFIC_FAMILIES.some((f) => f.id === id.replace(/-keep$/, '-bad'))).toBe(true);
    }
    for (const family of PROBE_TRAFFIC_FAMILIES) {
      const set = generateFamilySet(family, 'probe-test', 2);
      for (const { scenario, meta } of set.scenarios) {
        expect(scenario.truth.verdict).toBe(family.truth);
        expect(scenario.deployAtStep).toBe(DEPLOY);
        if (family.id.startsWith('probe-warmup')) expect(meta.warm_up).toBeDefined();
        if (family.id.startsWith('probe-rollout')) expect(meta.rollout).toBeDefined();
        if (family.id.startsWith('probe-bimodal')) expect(meta.bimodal).toBeDefined();
      }
    }
  });
});
