/**
 * Wald's expected sample number of the one-sided SPRT of H0: p = p0 against H1: p = p1 on
 * Bernoulli observations, under H1: E[N] = ((1-β)·ln((1-β)/α) + β·ln(β/(1-α))) / KL(p1‖p0).
 * This is the floor DESIGN.md measures detection against (0.5% → 3% at alpha = beta = 0.01 needs
 * about 155 requests). When p0 = 0 a single error is conclusive, so E[N] = 1/p1 exactly.
 */
export function sprtExpectedSamples(p0: number, p1: number, alpha = 0.01, beta = 0.01): number {
  if (!(p1 > p0)) return Number.POSITIVE_INFINITY;
  if (p0 === 0) return 1 / p1;
  const a = Math.log((1 - beta) / alpha);
  const b = Math.log(beta / (1 - alpha));
  const numerator = (1 - beta) * a + beta * b;
  const kl = p1 * Math.log(p1 / p0) + (1 - p1) * Math.log((1 - p1) / (1 - p0));
  return numerator / kl;
}

/** The SPRT's expected detection time in seconds at `rps` requests per second. */
export function sprtExpectedSeconds(p0: number, p1: number, rps: number, alpha = 0.01, beta = 0.01): number {
  return sprtExpectedSamples(p0, p1, alpha, beta) / rps;
}
