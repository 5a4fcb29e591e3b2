import { logSumExp } from './log-space';
import { checkOpenUnit, checkThat } from './option-checks';

/**
 * Bonferroni: the alpha each of `parts` tests gets so that the probability that any of them
 * falsely rejects is at most `alpha`. Valid under any dependence between the tests, which is
 * what signals read from the same service have. For k signals x s segments use
 * `splitAlpha(alpha, k * s)` (see docs/statistics.md for finer splits).
 */
export function splitAlpha(alpha: number, parts: number): number {
  checkOpenUnit('alpha', alpha);
  checkThat(Number.isInteger(parts) && parts >= 1, 'parts', `must be an integer >= 1, got ${String(parts)}`);
  return alpha / parts;
}

/**
 * The log of a weighted average of e-values (given as logs). An average of test
 * supermartingales on the same steps is one, so it may be compared with `log(1/alpha)` at
 * every step like a single test. Weights default to equal and are normalised.
 */
export function averageLogEValues(logEValues: readonly number[], weights?: readonly number[]): number {
  checkThat(logEValues.length > 0, 'logEValues', 'must hold at least one log e-value');
  const w = weights ?? logEValues.map(() => 1);
  checkThat(w.length === logEValues.length, 'weights', 'must have one weight per e-value');
  checkThat(
    w.every((x) => Number.isFinite(x) && x >= 0) && w.some((x) => x > 0),
    'weights',
    'must be finite, >= 0 and not all 0',
  );
  const total = w.reduce((a, b) => a + b, 0);
  return logSumExp(logEValues.map((v, i) => v + Math.log((w[i] as number) / total)));
}
