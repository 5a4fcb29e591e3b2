/** Rate ratios of the reference mixture (docs/statistics.md uses a grid like this). */
export const REFERENCE_RATIOS: readonly number[] = [1.5, 2, 3, 4, 6, 8, 12, 16, 32];

/**
 * A one-sided, anytime-valid test that a Bernoulli rate exceeds a known `p0`: the likelihood
 * ratio of rate r·p0 against p0, averaged with equal weights over a grid of ratios r (a test
 * martingale under H0, so by Ville's inequality checking it after every step keeps the false
 * alarm probability at most alpha). The generator uses it as the "good sequential test" that a
 * fault must be visible to within the bake (see truth-check.ts); it is not Rollgate's rule.
 */
export class RateRatioMixture {
  private readonly logL: number[];
  private readonly threshold: number;

  constructor(
    private readonly p0: number,
    private readonly ratios: readonly number[] = REFERENCE_RATIOS,
    alpha = 0.01,
  ) {
    this.logL = ratios.map(() => 0);
    this.threshold = Math.log(1 / alpha);
  }

  /** Adds `trials` observations of which `events` were positive; true once the test rejects. */
  update(trials: number, events: number): boolean {
    const p0 = Math.min(Math.max(this.p0, 1e-9), 1 - 1e-9);
    this.ratios.forEach((r, i) => {
      const p1 = Math.min(r * p0, 0.999);
      const gain = events * Math.log(p1 / p0) + (trials - events) * Math.log((1 - p1) / (1 - p0));
      this.logL[i] = (this.logL[i] as number) + gain;
    });
    return this.logM() >= this.threshold;
  }

  /** log of the mixture: logsumexp(log w + log L_r) with equal weights. */
  logM(): number {
    const max = Math.max(...this.logL);
    let sum = 0;
    for (const l of this.logL) sum += Math.exp(l - max);
    return max + Math.log(sum / this.logL.length);
  }
}

/** Wilson score upper bound of a binomial proportion at normal quantile `z` (2.576: 99.5%). */
export function wilsonUpper(events: number, trials: number, z = 2.576): number {
  if (trials <= 0) return 1;
  const p = events / trials;
  const z2 = z * z;
  const centre = p + z2 / (2 * trials);
  const spread = z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return Math.min(1, (centre + spread) / (1 + z2 / trials));
}
