import { generateFamilies } from '../scenarios/family-corpus';
import { crossingStep, type DelayRow, medianRatio, type Variant } from './delay-decomposition';

/**
 * What the screens print (issue 12's delay rounds: delay-screen.ts, delay10-screen.ts,
 * aa-screen.ts, aa10-screen.ts), so each screen is only its list of variants.
 */

/**
 * Per family and overall, each variant's median delay / SPRT of its first crossing (and its
 * misses); then, fault by fault against `reference`, the geometric mean of the delay ratio where
 * both detect and how many faults each variant detects sooner and later.
 */
export function printDelayScreen(
  rows: readonly DelayRow[],
  set: string,
  variants: readonly Variant[],
  reference: Variant,
): void {
  const names = variants.map((v) => v.name);
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
      const a = r.variants[reference.name] ?? null;
      const b = r.variants[n] ?? null;
      if (a !== null && b !== null) {
        logSum += Math.log((b + 2.5) / (a + 2.5));
        both++;
      }
      if (b !== null && (a === null || b < a)) sooner++;
      if (a !== null && (b === null || b > a)) later++;
    }
    process.stdout.write(
      `${n}: geo ${Math.exp(logSum / both).toFixed(3)}, sooner ${sooner}, later ${later}\n`,
    );
  }
}

/**
 * The error test of each variant on healthy (A/A) deploys, outside the evaluator: per family, how
 * many cross their threshold anywhere in the bake (baseline counts: the whole pre-deploy
 * window's). `AA_DETAIL` set in the environment lists each crossing.
 */
export function printAAScreen(
  set: string,
  count: number,
  families: readonly string[],
  variants: readonly Variant[],
): void {
  for (const family of generateFamilies(set, count, families)) {
    const crossed = new Map<string, number>();
    for (const { scenario: s } of family.scenarios) {
      const base = {
        events: s.series.errors.slice(0, s.deployAtStep).reduce((a, b) => a + b, 0),
        trials: s.series.requests.slice(0, s.deployAtStep).reduce((a, b) => a + b, 0),
      };
      for (const v of variants) {
        const step = crossingStep(s, v, base, 0);
        if (step === null) continue;
        crossed.set(v.name, (crossed.get(v.name) ?? 0) + 1);
        if (process.env.AA_DETAIL)
          process.stdout.write(
            `  ${v.name} ${s.name}: baseline ${base.events}/${base.trials}, crossed ${(step - s.deployAtStep) * s.stepSeconds} s after the deploy\n`,
          );
      }
    }
    process.stdout.write(
      `${family.family.id} (${family.scenarios.length}): ${variants.map((v) => `${v.name} ${crossed.get(v.name) ?? 0}`).join(', ')}\n`,
    );
  }
}
