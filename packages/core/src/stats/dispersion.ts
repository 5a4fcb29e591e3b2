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

/**
 * Overdispersion against a local rate: like {@link estimateDispersion}, but each interval's
 * expected count comes from the rate of the intervals around it (`halfWidth` on each side and
 * itself), and each term is weighed by what fitting that local rate leaves of it (one minus the
 * interval's share of its neighbourhood's trials). A level shift (an incident in the window)
 * barely inflates it, only step-to-step burstiness does, which is what a scan for elevated
 * stretches must discount. Floored at 1; 1 when the window cannot tell.
 */
export function estimateLocalDispersion(
  points: readonly { readonly events: number; readonly trials: number }[],
  halfWidth = 6,
): number {
  const usable = points.filter(
    (p) => Number.isFinite(p.events) && Number.isFinite(p.trials) && p.trials > 0 && p.events >= 0,
  );
  const m = usable.length;
  if (m < 3) return 1;
  const events = new Float64Array(m + 1);
  const trials = new Float64Array(m + 1);
  for (let i = 0; i < m; i++) {
    const p = usable[i] as { events: number; trials: number };
    events[i + 1] = (events[i] as number) + Math.min(p.events, p.trials);
    trials[i + 1] = (trials[i] as number) + p.trials;
  }
  let chi2 = 0;
  let freedom = 0;
  for (let i = 0; i < m; i++) {
    const from = Math.max(0, i - halfWidth);
    const to = Math.min(m, i + halfWidth + 1);
    const p = usable[i] as { events: number; trials: number };
    const x = (events[to] as number) - (events[from] as number);
    const n = (trials[to] as number) - (trials[from] as number);
    const rate = x / n;
    if (!(rate > 0 && rate < 1)) continue;
    const expected = p.trials * rate;
    const d = Math.min(p.events, p.trials) - expected;
    chi2 += (d * d) / (expected * (1 - rate));
    freedom += 1 - p.trials / n;
  }
  return freedom < 1 ? 1 : Math.max(1, chi2 / freedom);
}
