import { normalQuantile } from './normal-quantile';

/** The Mann-Whitney (Wilcoxon rank-sum) shift estimate and its confidence interval. */
export interface MannWhitneyResult {
  /** Hodges-Lehmann estimate of the shift experiment − control (median pairwise difference). */
  readonly estimate: number;
  /** Distribution-free confidence bounds of the shift; infinite when the samples are too small. */
  readonly lower: number;
  readonly upper: number;
}

/**
 * The confidence interval for the location shift between `experiment` and `control` that R's
 * `wilcox.test(conf.int = TRUE)` (and Kayenta's port of it) reports: the Hodges-Lehmann estimate
 * and the order statistics of the n·m pairwise differences at ranks C and n·m + 1 − C, with
 * C = floor(n·m/2 − z·sqrt(n·m·(n+m+1)/12)) from the normal approximation (no tie correction).
 */
export function mannWhitney(
  experiment: readonly number[],
  control: readonly number[],
  confidence: number,
): MannWhitneyResult {
  const n = experiment.length;
  const m = control.length;
  const diffs: number[] = [];
  for (const x of experiment) for (const y of control) diffs.push(x - y);
  diffs.sort((a, b) => a - b);
  const nm = diffs.length;
  const mid = (nm - 1) / 2;
  const estimate = ((diffs[Math.floor(mid)] as number) + (diffs[Math.ceil(mid)] as number)) / 2;
  const z = normalQuantile((1 + confidence) / 2);
  const c = Math.floor(nm / 2 - z * Math.sqrt((nm * (n + m + 1)) / 12));
  if (c < 1) return { estimate, lower: Number.NEGATIVE_INFINITY, upper: Number.POSITIVE_INFINITY };
  return { estimate, lower: diffs[c - 1] as number, upper: diffs[nm - c] as number };
}
