/**
 * Rewrites bench/test/backtest/scenario-decisions.json from the current code. Run it only after
 * an intended change to the decision logic, and review the diff: the fixture is what proves that
 * a speed or memory change decided nothing differently.
 */
import { writeFileSync } from 'node:fs';
import { DECISIONS_FIXTURE, scenarioDecisions } from './scenario-decisions';

const { decisions, msPerScenario } = await scenarioDecisions();
writeFileSync(DECISIONS_FIXTURE, `${JSON.stringify(decisions, null, 2)}\n`);
const sorted = [...msPerScenario].sort((a, b) => a - b);
process.stderr.write(
  `wrote ${decisions.length} decisions to ${DECISIONS_FIXTURE}; replay median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(1)} ms, total ${msPerScenario.reduce((a, b) => a + b, 0).toFixed(0)} ms\n`,
);
