import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXAMPLE_SCENARIOS_DIR, type Scenario } from '@rollgate/testkit/scenarios';
import { describe, expect, it } from 'vitest';
import type { Decision } from '../../src/peers/peer-decision';
import {
  decisionQualityBench,
  REFERENCE_CASE,
  runDecisionQuality,
} from '../../src/sections/decision-quality';

const here = dirname(fileURLToPath(import.meta.url));
const DIRS = [resolve(here, '../../scenarios'), EXAMPLE_SCENARIOS_DIR];

/**
 * A stand-in for Rollgate's evaluator: an oracle that reads the truth and decides two steps
 * (10 s) after the fault starts. It only exercises the plumbing and the scoring.
 */
function oracle(scenario: Scenario): Decision {
  const { verdict, faultStartStep } = scenario.truth;
  if (verdict === 'rollback' && faultStartStep !== null) {
    return {
      decision: 'rollback',
      decidedAtStep: faultStartStep + 2,
      signal: scenario.truth.signal ?? null,
      reason: 'oracle',
    };
  }
  if (verdict === 'incident') {
    return { decision: 'incident', decidedAtStep: scenario.deployAtStep, signal: null, reason: 'oracle' };
  }
  return { decision: 'keep', decidedAtStep: null, signal: null, reason: 'oracle' };
}

describe('decision-quality section', () => {
  it('scores the injected controller and every peer over the corpus and the shared examples', async () => {
    const r = await runDecisionQuality({ rollgate: oracle, scenarioDirs: DIRS });
    expect(r.loadFailures).toEqual([]);
    expect(r.scenarios.length).toBeGreaterThanOrEqual(79);
    expect(r.controllers.map((c) => c.name)).toEqual([
      'Rollgate',
      'Flagger (threshold 1)',
      'Flagger (threshold 5)',
      'Argo Rollouts (failureLimit 0)',
      'Argo Rollouts (failureLimit 4)',
      'Kayenta (every 5 min)',
      'Kayenta (end of bake)',
    ]);
    const oracleResult = r.controllers[0];
    expect(oracleResult?.score.detectionRate).toBe(1);
    expect(oracleResult?.score.falseRollbacks).toBe(0);
    expect(oracleResult?.score.incidentRoutingRate).toBe(1);
    expect(oracleResult?.score.delayMedianSeconds).toBe(10);
    // 10 s over the reference case's SPRT time (15.5 s) and the others': the ratios are finite.
    expect(oracleResult?.sprtRatios.every((x) => Number.isFinite(x))).toBe(true);
    // Every peer rolls back the shared example of a pre-existing incident: none routes incidents.
    for (const peer of r.controllers.slice(1)) {
      expect(peer.score.incidentsRouted).toBe(0);
      expect(peer.decisions.get('incident-preexisting')?.decision).toBe('rollback');
    }
    // Flagger at threshold 1 mistakes the example cold start for a regression; at threshold 5 it does not.
    expect(r.controllers[1]?.decisions.get('keep-cold-start')?.decision).toBe('rollback');
    expect(r.controllers[2]?.decisions.get('keep-cold-start')?.decision).toBe('keep');
  });

  it("returns the summary table with the issue's columns and the per-scenario detail", async () => {
    const module = decisionQualityBench({ rollgate: oracle, scenarioDirs: DIRS });
    const logs: string[] = [];
    const sections = await module({ quick: true, log: (m) => logs.push(m) });
    expect(sections).toHaveLength(2);
    const [summary, detail] = sections;
    expect(summary?.columns).toEqual([
      'Controller',
      'Detection rate',
      'False rollbacks',
      'Incidents routed',
      'Median delay (s)',
      'p95 delay (s)',
      'Median delay / SPRT (error faults)',
    ]);
    expect(summary?.rows[0]?.slice(0, 6)).toEqual([
      'Rollgate',
      expect.stringMatching(/^100\.0% /),
      0,
      '7/7',
      '10',
      '10',
    ]);
    expect(
      summary?.notes?.some(
        (n) => n.includes('Reference case') && n.includes('after 10 s') && n.includes('met'),
      ),
    ).toBe(true);
    expect(detail?.rows.find((row) => row[0] === REFERENCE_CASE)?.[2]).toBe('rollback +10 s');
    expect(logs.length).toBeGreaterThan(0);
  });

  it('counts a controller that throws as escalate and reports unloadable files', async () => {
    const r = await runDecisionQuality({
      rollgate: () => {
        throw new Error('boom');
      },
      scenarioDirs: [...DIRS, resolve(here, 'does-not-exist')],
      peers: [],
    });
    expect(r.controllers).toHaveLength(1);
    const rg = r.controllers[0];
    expect(rg?.score.detected).toBe(0);
    expect(rg?.score.falseRollbacks).toBe(0);
    expect(rg?.decisions.get(REFERENCE_CASE)).toMatchObject({
      decision: 'escalate',
      reason: 'controller threw: boom',
    });
    expect(rg?.sprtRatioMedian).toBe(Number.POSITIVE_INFINITY);
    expect(r.loadFailures).toHaveLength(1);
  });
});
