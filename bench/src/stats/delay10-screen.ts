import { COLD_START_FAMILIES } from '../scenarios/cold-start-families';
import { DRIFT_FAMILIES } from '../scenarios/drift-families';
import { FAMILIES } from '../scenarios/families';
import { LEAK_FAMILIES } from '../scenarios/leak-families';
import { WIDE_FAMILIES } from '../scenarios/wide-families';
import { decompose, type Variant } from './delay-decomposition';
import { pickVariants, SCREEN10 } from './delay10-variants';
import { printDelayScreen } from './screen-report';

/**
 * Issue 12, round 10: the cost of each robustness part against the evaluator's current test
 * (with the cap after a step with events), and the adaptive candidates.
 * `node --conditions=source --import tsx bench/src/stats/delay10-screen.ts [set] [count] [families] [variants]`
 */
const [set = 'dev', count = '8', only = '', pick = ''] = process.argv.slice(2);
const screen = pickVariants(pick, SCREEN10);
// Faults sooner and later are counted against the first variant listed.
const cur = screen[0] as Variant;
const rows = await decompose(
  set,
  Number(count),
  only
    ? only.split(',')
    : [...FAMILIES, ...WIDE_FAMILIES, ...COLD_START_FAMILIES, ...LEAK_FAMILIES, ...DRIFT_FAMILIES].map(
        (f) => f.id,
      ),
  screen,
);
printDelayScreen(rows, set, screen, cur);
const names = screen.map((v) => v.name);
if (process.env.ROWS) {
  for (const r of rows)
    process.stdout.write(
      `${r.scenario} rps ${r.rps} p0 ${r.p0.toFixed(4)} p1 ${r.p1.toFixed(4)} E[T] ${r.sprtExpected.toFixed(1)} ${names.map((n) => `${n}=${r.variants[n] ?? '-'}`).join(' ')} replay=${r.replay ?? '-'}\n`,
    );
}
