import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DECISIONS_FIXTURE,
  type ScenarioDecision,
  scenarioDecisions,
} from '../../src/backtest/scenario-decisions';

// The fixture was recorded from the engine before the fleet-scale work (lazy errors, memoised
// quantiles, bounded snapshots): none of it may change a decision, a reason or an audit verdict.
// After an intended change to the decision logic, `pnpm --filter @rollgate/bench run
// record-decisions` rewrites it; review the diff.
describe('decisions on every bench scenario', () => {
  it('are identical to the recorded ones, audit records included (series aside)', async () => {
    const recorded = JSON.parse(readFileSync(DECISIONS_FIXTURE, 'utf8')) as ScenarioDecision[];
    const { decisions } = await scenarioDecisions();
    expect(recorded.length).toBeGreaterThanOrEqual(79);
    expect(decisions.map((d) => d.name)).toEqual(recorded.map((d) => d.name));
    for (const [i, d] of decisions.entries()) expect(d, d.name).toEqual(recorded[i]);
  }, 300_000);
});
