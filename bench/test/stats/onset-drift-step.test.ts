import { replayScenario } from '@rollgate/testkit/scenarios';
import { describe, expect, it } from 'vitest';
import { generateFamilies } from '../../src/scenarios/family-corpus';

// Round 23's merge: the error-climb look (evaluation/onset.ts `errorClimbUnderWay`) routed a
// `drift-bad` fault as a climb under way at the deploy, where the gate's own test of a step over
// the drifting window's trend had placed a step at the deploy (p = 0.0084). The draw that showed
// it, replayed: a 2x fault on an error rate rising with its drift, confirmed 10 s into the bake.

describe('a step at the deploy over a drifting trend is not undone by a climb fitted from further back', () => {
  it('rolls back drift-bad fresh-r23d #3, with the step over the trend in its onset reason', async () => {
    const set = generateFamilies('fresh-r23d', 40, ['drift-bad'])[0];
    const generated = set?.scenarios.find((s) => s.scenario.name.endsWith('-3'));
    if (generated === undefined) throw new Error('the draw is missing');
    const result = await replayScenario(generated.scenario);
    const onset = (result.audit as { breach?: { onset?: { reason?: string } } } | undefined)?.breach?.onset;
    expect(result.decision, result.reason).toBe('rollback');
    expect(onset?.reason).toMatch(/a step at the deploy on top of the trend/);
    expect(onset?.reason).not.toMatch(/error climb under way/);
  }, 120_000);
});
