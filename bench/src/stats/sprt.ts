/**
 * Wald's expected sample number of the one-sided SPRT of H0: p = p0 against H1: p = p1 on
 * Bernoulli observations, under H1: E[N] = ((1-β)·ln((1-β)/α) + β·ln(β/(1-α))) / KL(p1‖p0).
 * This is the floor docs/benchmarks.md measures detection against (0.5% → 3% at alpha = beta = 0.01 needs
 * about 155 requests). When p0 = 0 a single error is conclusive, so E[N] = 1/p1 exactly.
 */
export function sprtExpectedSamples(p0: number, p1: number, alpha = 0.01, beta = 0.01): number {
  if (!(p1 > p0)) return Number.POSITIVE_INFINITY;
  if (p0 === 0) return 1 / p1;
  // Under H1 the drift per request is KL(p1‖p0).
  return waldBound(alpha, beta) / llrDrift(p1, p0, p1);
}

/** Wald's numerator: the expected log-likelihood ratio at which the SPRT decides for H1. */
function waldBound(alpha: number, beta: number): number {
  return (1 - beta) * Math.log((1 - beta) / alpha) + beta * Math.log(beta / (1 - alpha));
}

/** Expected log-likelihood ratio of p1 against p0 per Bernoulli trial whose true rate is p. */
function llrDrift(p: number, p0: number, p1: number): number {
  return p * Math.log(p1 / p0) + (1 - p) * Math.log((1 - p1) / (1 - p0));
}

/** The SPRT's expected detection time in seconds at `rps` requests per second. */
export function sprtExpectedSeconds(p0: number, p1: number, rps: number, alpha = 0.01, beta = 0.01): number {
  return sprtExpectedSamples(p0, p1, alpha, beta) / rps;
}

/**
 * The SPRT reference for a fault that ramps: the rate rises linearly from `p0` to `p1` over
 * `rampSeconds` (as the corpus generator draws it, one rate per `stepSeconds` step, the first
 * step already `stepSeconds / rampSeconds` of the way). Wald's approximation: the SPRT of p0
 * against p1 decides when its expected log-likelihood ratio reaches Wald's numerator
 * `(1-β)·ln((1-β)/α) + β·ln(β/(1-α))`; its drift per request is
 * `p·ln(p1/p0) + (1-p)·ln((1-p1)/(1-p0))` at the rate p of the moment (negative early in the
 * ramp, where the sum is held at 0 as a CUSUM would). For a step change (no ramp) this is
 * exactly {@link sprtExpectedSeconds}; for a ramp, the final rate's figure would credit the
 * reference with a fault it has not seen yet.
 */
export function sprtExpectedSecondsRamped(
  p0: number,
  p1: number,
  rps: number,
  rampSeconds: number | undefined,
  stepSeconds = 5,
  alpha = 0.01,
  beta = 0.01,
): number {
  if (!rampSeconds || p0 === 0 || !(p1 > p0)) return sprtExpectedSeconds(p0, p1, rps, alpha, beta);
  const target = waldBound(alpha, beta);
  let sum = 0;
  for (let step = 0; step < 1_000_000; step++) {
    const p = p0 + (p1 - p0) * Math.min(1, ((step + 1) * stepSeconds) / rampSeconds);
    const drift = rps * llrDrift(p, p0, p1); // per second
    if (drift > 0 && sum + drift * stepSeconds >= target) return step * stepSeconds + (target - sum) / drift;
    sum = Math.max(0, sum + drift * stepSeconds);
  }
  return Number.POSITIVE_INFINITY;
}
