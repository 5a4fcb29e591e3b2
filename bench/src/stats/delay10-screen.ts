import { COLD_START_FAMILIES } from '../scenarios/cold-start-families';
import { DRIFT_FAMILIES } from '../scenarios/drift-families';
import { FAMILIES } from '../scenarios/families';
import { LEAK_FAMILIES } from '../scenarios/leak-families';
import { WIDE_FAMILIES } from '../scenarios/wide-families';
import { decompose, medianRatio, type Variant } from './delay-decomposition';
import { SCREEN10 } from './delay10-variants';

/**
 * Issue 12, round 10: the cost of each robustness part against the evaluator's current test
 * (with the cap after a step with events), and the adaptive candidates.
 * `node --conditions=source --import tsx bench/src/stats/delay10-screen.ts [set] [count] [families]`
 */
const cur = SCREEN10[0] as Variant;

const [set = 'dev', count = '8', only = ''] = process.argv.slice(2);
const rows = await decompose(
  set,
  Number(count),
  only
    ? only.split(',')
    : [...FAMILIES, ...WIDE_FAMILIES, ...COLD_START_FAMILIES, ...LEAK_FAMILIES, ...DRIFT_FAMILIES].map(
        (f) => f.id,
      ),
  SCREEN10,
);
const names = SCREEN10.map((v) => v.name);
const families = [...new Set(rows.map((r) => r.scenario.slice(0, r.scenario.lastIndexOf(`-${set}-`))))];
for (const family of [...families, 'all']) {
  const mine = family === 'all' ? rows : rows.filter((r) => r.scenario.startsWith(`${family}-`));
  process.stdout.write(
    `${family} (n=${mine.length}): ${names
      .map((n) => {
        const missed = mine.filter((r) => (r.variants[n] ?? null) === null).length;
        return `${n} ${medianRatio(mine, (r) => r.variants[n] ?? null).toFixed(2)}${missed ? ` (${missed} miss)` : ''}`;
      })
      .join(', ')}, replay ${medianRatio(mine, (r) => r.replay).toFixed(2)}\n`,
  );
}
for (const n of names) {
  let logSum = 0;
  let both = 0;
  let sooner = 0;
  let later = 0;
  for (const r of rows) {
    const a = r.variants[cur.name] ?? null;
    const b = r.variants[n] ?? null;
    if (a !== null && b !== null) {
      logSum += Math.log((b + 2.5) / (a + 2.5));
      both++;
    }
    if (b !== null && (a === null || b < a)) sooner++;
    if (a !== null && (b === null || b > a)) later++;
  }
  process.stdout.write(`${n}: geo ${Math.exp(logSum / both).toFixed(3)}, sooner ${sooner}, later ${later}\n`);
}
if (process.env.ROWS) {
  for (const r of rows)
    process.stdout.write(
      `${r.scenario} rps ${r.rps} p0 ${r.p0.toFixed(4)} p1 ${r.p1.toFixed(4)} E[T] ${r.sprtExpected.toFixed(1)} ${names.map((n) => `${n}=${r.variants[n] ?? '-'}`).join(' ')} replay=${r.replay ?? '-'}\n`,
    );
}
