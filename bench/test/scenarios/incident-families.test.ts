import { parseScenario } from '@rollgate/testkit/scenarios';
import { describe, expect, it } from 'vitest';
import { FAMILIES } from '../../src/scenarios/families';
import { generateFamilies, generateFamilySet } from '../../src/scenarios/family-corpus';
import { INCIDENT_FAMILIES } from '../../src/scenarios/incident-families';

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
