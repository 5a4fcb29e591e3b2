import { parseScenario } from '@rollgate/testkit/scenarios';
import { describe, expect, it } from 'vitest';
import { FAMILIES } from '../../src/scenarios/families';
import { generateFamilies, generateFamilySet } from '../../src/scenarios/family-corpus';
import { INCIDENT_FAMILIES } from '../../src/scenarios/incident-families';
import type { FaultSpec, ScenarioSpec } from '../../src/scenarios/scenario-spec';
import { synthesize } from '../../src/scenarios/synthesize';

describe('the incident-recovering family (issue 12, round 21)', () => {
  it('has an id of its own and runs only when named', () => {
    const ids = new Set(FAMILIES.map((f) => f.id));
    expect(INCIDENT_FAMILIES.map((f) => [f.id, f.truth])).toEqual([
      ['incident-recovering', 'incident'],
      ['incident-climbing', 'incident'],
    ]);
    for (const f of INCIDENT_FAMILIES) expect(ids.has(f.id)).toBe(false);
    expect(generateFamilies('test', 1, ['incident-recovering']).map((s) => s.family.id)).toEqual([
      'incident-recovering',
    ]);
  });

  it('draws incidents from 2-8 min before the deploy at 0.5-20 req/s that recover 0.5-6 min after it', () => {
    const kinds = new Set<string>();
    const family = INCIDENT_FAMILIES.find((f) => f.id === 'incident-recovering');
    if (family === undefined) throw new Error('no incident family');
    for (const { scenario, meta } of generateFamilySet(family, 'incident-test', 24).scenarios) {
      expect(parseScenario(scenario, scenario.name).ok, scenario.name).toBe(true);
      expect(scenario.truth.verdict).toBe('incident');
      expect(meta.rps as number).toBeGreaterThanOrEqual(0.5);
      expect(meta.rps as number).toBeLessThanOrEqual(20);
      const fault = meta.fault as { kind: string; before: number; recover_at: number };
      kinds.add(fault.kind);
      expect(fault.before).toBeGreaterThanOrEqual(24);
      expect(fault.before).toBeLessThanOrEqual(96);
      expect(fault.recover_at).toBeGreaterThanOrEqual(6);
      expect(fault.recover_at).toBeLessThanOrEqual(72);
      // The incident is in the data on both sides of the deploy.
      expect(scenario.truth.faultStartStep).toBeLessThan(scenario.deployAtStep);
    }
    expect([...kinds].sort()).toEqual(['preexisting', 'preexisting-latency']);
  });
});

describe('the incident-climbing family (issue 12 class 6, round 21)', () => {
  it('runs only when named', () => {
    expect(FAMILIES.some((f) => f.id === 'incident-climbing')).toBe(false);
    expect(generateFamilies('test', 1, ['incident-climbing']).map((s) => s.family.id)).toEqual([
      'incident-climbing',
    ]);
  });

  it('draws incidents that climb over 3-20 min from 2-8 min before the deploy, a share recovering', () => {
    const family = INCIDENT_FAMILIES.find((f) => f.id === 'incident-climbing');
    if (family === undefined) throw new Error('no incident-climbing family');
    const kinds = new Set<string>();
    let recovering = 0;
    let climbingAtDeploy = 0;
    const { scenarios } = generateFamilySet(family, 'climb-test', 30);
    for (const { scenario, meta } of scenarios) {
      expect(parseScenario(scenario, scenario.name).ok, scenario.name).toBe(true);
      expect(scenario.truth.verdict).toBe('incident');
      expect(meta.rps as number).toBeGreaterThanOrEqual(0.5);
      expect(meta.rps as number).toBeLessThanOrEqual(100);
      const fault = meta.fault as { kind: string; before: number; ramp_s: number; recover_at?: number };
      kinds.add(fault.kind);
      expect(fault.before).toBeGreaterThanOrEqual(24);
      expect(fault.before).toBeLessThanOrEqual(96);
      expect(fault.ramp_s).toBeGreaterThanOrEqual(180);
      expect(fault.ramp_s).toBeLessThanOrEqual(1200);
      if (fault.recover_at !== undefined) recovering += 1;
      // Still climbing at the deploy: the ramp is longer than the time since the onset.
      if (fault.ramp_s > fault.before * scenario.stepSeconds) climbingAtDeploy += 1;
      expect(scenario.truth.faultStartStep).toBeLessThan(scenario.deployAtStep);
    }
    expect([...kinds].sort()).toEqual(['preexisting', 'preexisting-latency']);
    expect(recovering).toBeGreaterThan(0);
    expect(recovering).toBeLessThan(scenarios.length);
    expect(climbingAtDeploy).toBeGreaterThan(scenarios.length / 2);
  });
});

describe('a climbing pre-existing incident (rampSeconds)', () => {
  const spec = (fault: FaultSpec): ScenarioSpec => ({
    name: 'climb',
    description: 'climb',
    seed: 11,
    service: {
      rps: 400,
      p0: 0.005,
      medianMs: 50,
      sigma: 0.3,
      drift: { amplitude: 0, periodSeconds: 3600 },
      cpuCores: 1,
      memoryBytes: 3e8,
      pods: 4,
    },
    fault,
    preSteps: 120,
    bakeSteps: 120,
  });
  /** Error rate over steps [from, to). */
  const rate = (s: ScenarioSpec, from: number, to: number) => {
    const { series } = synthesize(s).scenario;
    let e = 0;
    let n = 0;
    for (let t = from; t < to; t++) {
      e += series.errors[t] ?? 0;
      n += series.requests[t] ?? 0;
    }
    return e / n;
  };

  it('is a step without rampSeconds, and the same draws as a spec that never had the field', () => {
    const step = spec({ kind: 'preexisting', p1: 0.05, before: 24 });
    const explicit = spec({ kind: 'preexisting', p1: 0.05, before: 24, rampSeconds: 0 });
    expect(synthesize(explicit).scenario.series).toEqual(synthesize(step).scenario.series);
    expect(synthesize(step).meta.fault).toEqual({ kind: 'preexisting', p1: 0.05, before: 24 });
    // Full level from the onset: the two minutes before the deploy run at p1.
    expect(rate(step, 96, 120)).toBeGreaterThan(0.04);
  });

  it('climbs from the base level to p1 over rampSeconds, across the deploy', () => {
    // Onset 2 min before the deploy (step 96), a 10 min ramp: a fifth of the way at the deploy.
    const climb = spec({ kind: 'preexisting', p1: 0.05, before: 24, rampSeconds: 600 });
    expect(synthesize(climb).meta.fault).toEqual({ kind: 'preexisting', p1: 0.05, before: 24, ramp_s: 600 });
    expect(synthesize(climb).scenario.truth.faultStartStep).toBe(96);
    const pre = rate(climb, 60, 96);
    const lastMinutes = rate(climb, 96, 120);
    const midBake = rate(climb, 150, 170);
    const plateau = rate(climb, 216, 240);
    expect(pre).toBeLessThan(0.008);
    expect(lastMinutes).toBeGreaterThan(pre);
    expect(lastMinutes).toBeLessThan(0.015);
    expect(midBake).toBeGreaterThan(lastMinutes);
    expect(midBake).toBeLessThan(0.045);
    expect(plateau).toBeGreaterThan(0.043);
  });

  it('climbs a latency incident the same way', () => {
    const s = spec({ kind: 'preexisting-latency', factor: 3, before: 24, rampSeconds: 600 });
    const { series } = synthesize(s).scenario;
    const mean = (from: number, to: number) => {
      const xs = series.latencyP99Ms.slice(from, to) as number[];
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    expect(mean(150, 170)).toBeGreaterThan(mean(60, 96) * 1.3);
    expect(mean(216, 240)).toBeGreaterThan(mean(150, 170) * 1.2);
  });
});
