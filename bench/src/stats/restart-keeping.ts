import { binomial, seededRandom } from '@rollgate/core/testing';
import {
  type BaselineRateTestState,
  createBaselineRateTest,
  RESTART_KEEPING,
  updateBaselineRateTest,
} from '../../../packages/core/src/stats/baseline-rate-test';

type Random = ReturnType<typeof seededRandom>;

/**
 * Which restarted copies the baseline test keeps (issue 12, round 20): the delay of faults that
 * start after a healthy stretch, under the rule that keeps the newest 3 restarts (before round 20)
 * and the one that keeps the 3 of largest weighed evidence (stats/baseline-rate-test.ts
 * `RESTART_KEEPING`), on the same draws: a 30 min baseline, 5 s steps, alpha 0.01, 150 runs per
 * case. docs/statistics.md, "Which restarts are kept".
 *
 * `node --conditions=source --import tsx bench/src/stats/restart-keeping.ts`
 */

interface Case {
  readonly rps: number;
  readonly p0: number;
  readonly p1: number;
  /** Steps from the deploy to the fault's first. */
  readonly fault: number;
  readonly steps: number;
}

const CASES: readonly Case[] = [
  { rps: 10, p0: 0.005, p1: 0.03, fault: 60, steps: 400 },
  { rps: 10, p0: 0.005, p1: 0.03, fault: 360, steps: 700 },
  { rps: 10, p0: 0.005, p1: 0.015, fault: 120, steps: 700 },
  { rps: 150, p0: 0.01, p1: 0.027, fault: 51, steps: 400 },
  { rps: 150, p0: 0.01, p1: 0.02, fault: 100, steps: 400 },
  { rps: 2, p0: 0.02, p1: 0.2, fault: 60, steps: 400 },
  { rps: 50, p0: 0.002, p1: 0.01, fault: 20, steps: 400 },
];
const RUNS = 150;

/** Steps from the fault to the rejection; Infinity when the run ends first. */
function delay(random: Random, c: Case): number {
  const baselineTrials = c.rps * 1800;
  let state: BaselineRateTestState = createBaselineRateTest({
    baselineEvents: binomial(random, baselineTrials, c.p0),
    baselineTrials,
    alpha: 0.01,
  });
  for (let step = 1; step <= c.steps; step++) {
    const trials = c.rps * 5;
    state = updateBaselineRateTest(state, {
      events: binomial(random, trials, step > c.fault ? c.p1 : c.p0),
      trials,
    });
    if (state.rejected) return step - c.fault;
  }
  return Number.POSITIVE_INFINITY;
}

function delays(c: Case, keep: 'strongest' | 'newest'): number[] {
  RESTART_KEEPING.keep = keep;
  const random = seededRandom(7);
  const out: number[] = [];
  for (let i = 0; i < RUNS; i++) out.push(delay(random, c));
  RESTART_KEEPING.keep = 'strongest';
  return out.sort((a, b) => a - b);
}

const at = (sorted: readonly number[], q: number): string => {
  const v = sorted[Math.floor(q * sorted.length)] as number;
  return Number.isFinite(v) ? String(v * 5) : 'never';
};

const rows = [
  '| case | fault after | newest kept: median / p90 delay (s) | strongest kept: median / p90 delay (s) |',
  '|---|---|---|---|',
];
for (const c of CASES) {
  const newest = delays(c, 'newest');
  const strongest = delays(c, 'strongest');
  rows.push(
    `| ${c.rps} req/s, ${c.p0 * 100}% -> ${c.p1 * 100}% | ${c.fault * 5} s | ${at(newest, 0.5)} / ${at(newest, 0.9)} | ${at(strongest, 0.5)} / ${at(strongest, 0.9)} |`,
  );
}
console.log(rows.join('\n'));
