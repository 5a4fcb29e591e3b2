/**
 * Overdispersion of event counts: how much more the per-interval counts vary than a binomial
 * with one constant rate would. Errors come in bursts (a retry storm, one bad host), and the
 * binomial tests read a burst as evidence; dividing every count by this factor
 * (quasi-likelihood, McCullagh & Nelder 1989, ch. 4) restores their calibration.
 */

/**
 * Pearson's estimate `sum((x - n p)^2 / (n p (1 - p))) / (m - 1)` over the intervals of a
 * healthy window (the pre-deploy baseline), floored at 1; 1 when the window cannot tell (fewer
 * than two intervals with trials, or a rate of 0 or 1). A single estimate from 360 intervals
 * has a standard error of about 0.07 relative; round it up.
 */
export function estimateDispersion(
  points: readonly { readonly events: number; readonly trials: number }[],
): number {
  const usable = points.filter(
    (p) => Number.isFinite(p.events) && Number.isFinite(p.trials) && p.trials > 0 && p.events >= 0,
  );
  if (usable.length < 2) return 1;
  let events = 0;
  let trials = 0;
  for (const p of usable) {
    events += Math.min(p.events, p.trials);
    trials += p.trials;
  }
  const rate = events / trials;
  if (!(rate > 0 && rate < 1)) return 1;
  let chi2 = 0;
  for (const p of usable) {
    const expected = p.trials * rate;
    const d = Math.min(p.events, p.trials) - expected;
    chi2 += (d * d) / (expected * (1 - rate));
  }
  return Math.max(1, chi2 / (usable.length - 1));
}
