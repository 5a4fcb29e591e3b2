/**
 * The decisions Rollgate's default contract takes on every scenario of bench/scenarios and the
 * shared examples, in a form that can be stored and compared: a change to the engine's speed or
 * memory must not change a single one of them (bench/test/backtest/scenario-decisions.test.ts).
 * `pnpm --filter @rollgate/bench run record-decisions` rewrites the fixture after an intended
 * change to the decision logic.
 */
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXAMPLE_SCENARIOS_DIR, loadScenarios, replayScenario } from '@rollgate/testkit/scenarios';

/** Where the recorded decisions live. */
export const DECISIONS_FIXTURE: string = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'test',
  'backtest',
  'scenario-decisions.json',
);

/** The scenario directories replayed (the same corpus as the decision-quality section). */
export const DECISION_SCENARIO_DIRS: readonly string[] = [
  join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'scenarios'),
  EXAMPLE_SCENARIOS_DIR,
];

/** One scenario's decision: everything a user sees of it, without the audit's series. */
export interface ScenarioDecision {
  readonly name: string;
  readonly decision: string;
  readonly decidedAtStep: number | null;
  readonly signal: string | null;
  readonly outcome: string;
  readonly reason: string;
  /**
   * SHA-256 of the audit record without its per-evaluation `series` (null without a record):
   * every verdict, breach, phase and reading must stay the same, byte for byte.
   */
  readonly auditDigest: string | null;
}

/** Replays every scenario and returns its decision, sorted by name, with the replay time. */
export async function scenarioDecisions(): Promise<{
  decisions: ScenarioDecision[];
  msPerScenario: number[];
}> {
  const loaded = await loadScenarios([...DECISION_SCENARIO_DIRS]);
  const failures = loaded.flatMap((r) => (r.ok ? [] : r.errors));
  if (failures.length > 0) throw new Error(`scenarios failed to load: ${JSON.stringify(failures)}`);
  const scenarios = loaded.flatMap((r) => (r.ok ? [r.scenario] : []));
  scenarios.sort((a, b) => a.name.localeCompare(b.name));
  const decisions: ScenarioDecision[] = [];
  const msPerScenario: number[] = [];
  for (const scenario of scenarios) {
    const t0 = performance.now();
    const r = await replayScenario(scenario);
    msPerScenario.push(performance.now() - t0);
    decisions.push({
      name: r.name,
      decision: r.decision,
      decidedAtStep: r.decidedAtStep,
      signal: r.signal,
      outcome: r.outcome,
      reason: r.reason,
      auditDigest: r.audit ? auditDigest(r.audit) : null,
    });
  }
  return { decisions, msPerScenario };
}

function auditDigest(audit: object): string {
  const { series: _series, ...rest } = audit as { series?: unknown };
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}
