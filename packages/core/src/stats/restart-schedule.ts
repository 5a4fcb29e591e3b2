/**
 * Restarts: the weights of the copies of a test started after the deploy.
 *
 * A likelihood-ratio mixture that has watched a healthy version for a while has drifted
 * towards zero (every alternative r > 1 loses to the truth), so a fault that starts minutes
 * later must first climb back out. The cure from change detection (Shiryaev–Roberts, the
 * e-detectors of Shin, Ramdas & Rinaldo 2024) is to mix in copies of the same test started
 * later. The copy started at the deploy keeps weight `1 - share`; the j-th restart gets
 * `share / (j (j + 1))`; the weights of restarts not yet started sit in the mixture as the
 * constant martingale 1. The weights sum to 1 over an unbounded horizon, so the mixture is
 * still a test supermartingale and Ville's inequality still bounds the false-rejection
 * probability by alpha over the whole watch. A restart's position is decided before the data
 * it covers is seen, from exposure alone, which keeps the weights predictable.
 */

/** Default share of the mixture reserved for restarts. */
export const DEFAULT_RESTART_SHARE = 0.1;

/** log of the weight of the j-th restart (j = 1, 2, ...). */
export function restartLogWeight(index: number, share: number): number {
  return Math.log(share) - Math.log(index) - Math.log(index + 1);
}

/** log of the weight still held by the restarts not yet started after `count` restarts. */
export function unstartedLogWeight(count: number, share: number): number {
  return share > 0 ? Math.log(share) - Math.log(count + 1) : Number.NEGATIVE_INFINITY;
}

/** log of the weight of the copy started at the deploy. */
export function firstCopyLogWeight(share: number): number {
  // log1p(-0) is -0, which JSON turns into 0: keep states exactly round-trippable.
  return share > 0 ? Math.log1p(-share) : 0;
}
