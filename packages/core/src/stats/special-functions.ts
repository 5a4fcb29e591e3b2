/**
 * The special functions the exact binomial and Student-t tails need: log-gamma, log-beta and
 * the regularized incomplete beta function. Written for the whole range the tests meet, from
 * zero counts to billions of requests (where `lnGamma(a) + lnGamma(b) - lnGamma(a + b)` would
 * cancel catastrophically, so `logBeta` uses Stirling's series with its correction terms, the
 * way R's `lbeta` does).
 */

const LN_SQRT_2PI = 0.9189385332046728;

// Lanczos approximation (g = 7, n = 9), relative error below 1e-15 for x >= 0.5.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** Stirling's correction `lnGamma(x) - ((x - 0.5) ln x - x + ln sqrt(2 pi))`, for x >= 10. */
function stirlingCorrection(x: number): number {
  const x2 = 1 / (x * x);
  return (1 / 12 - x2 * (1 / 360 - x2 * (1 / 1260 - x2 * (1 / 1680 - x2 / 1188)))) / x;
}

/** `ln Γ(x)` for x > 0. */
export function lnGamma(x: number): number {
  if (!(x > 0)) return Number.NaN;
  if (x >= 10) return (x - 0.5) * Math.log(x) - x + LN_SQRT_2PI + stirlingCorrection(x);
  if (x < 0.5) {
    // Γ(x) = Γ(x + 1) / x keeps the Lanczos sum in its accurate range.
    return lnGamma(x + 1) - Math.log(x);
  }
  const z = x - 1;
  let sum = LANCZOS[0] as number;
  for (let i = 1; i < 9; i++) sum += (LANCZOS[i] as number) / (z + i);
  const t = z + 7.5;
  return LN_SQRT_2PI + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** `ln B(a, b)` for a, b > 0, accurate when either argument is huge. */
export function logBeta(a: number, b: number): number {
  if (!(a > 0 && b > 0)) return Number.NaN;
  const p = Math.min(a, b);
  const q = Math.max(a, b);
  if (p >= 10) {
    const corr = stirlingCorrection(p) + stirlingCorrection(q) - stirlingCorrection(p + q);
    return (
      -0.5 * Math.log(q) +
      LN_SQRT_2PI +
      corr +
      (p - 0.5) * Math.log(p / (p + q)) +
      q * Math.log1p(-p / (p + q))
    );
  }
  if (q >= 10) {
    const corr = stirlingCorrection(q) - stirlingCorrection(p + q);
    return lnGamma(p) + corr + p - p * Math.log(p + q) + (q - 0.5) * Math.log1p(-p / (p + q));
  }
  return lnGamma(p) + lnGamma(q) - lnGamma(p + q);
}

const TINY = 1e-300;
const EPS = 1e-15;

/**
 * Continued fraction of the incomplete beta function (modified Lentz). It needs about
 * sqrt(max(a, b)) iterations near the mean; NaN when it has not converged within the budget,
 * so callers can fall back to a bound that needs no special function.
 */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const maxIterations = 1000 + Math.ceil(20 * Math.sqrt(Math.max(a, b)));
  if (maxIterations > 2_000_000) return Number.NaN;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= maxIterations; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) return h;
  }
  return Number.NaN;
}

/**
 * The regularized incomplete beta function `I_x(a, b)` (the Beta(a, b) CDF at x), or its
 * complement `1 - I_x(a, b)` when `upper` is true. Each tail is computed directly, so a tail
 * of 1e-300 is as accurate as one of 0.5. NaN for invalid arguments or when the continued
 * fraction did not converge (parameters beyond ~1e12).
 */
export function regularizedBeta(x: number, a: number, b: number, upper = false): number {
  if (!(a > 0 && b > 0) || Number.isNaN(x)) return Number.NaN;
  if (x <= 0) return upper ? 1 : 0;
  if (x >= 1) return upper ? 0 : 1;
  const logFront = a * Math.log(x) + b * Math.log1p(-x) - logBeta(a, b);
  if (x < (a + 1) / (a + b + 2)) {
    const tail = (Math.exp(logFront) * betaContinuedFraction(x, a, b)) / a;
    return upper ? 1 - tail : tail;
  }
  const tail = (Math.exp(logFront) * betaContinuedFraction(1 - x, b, a)) / b;
  return upper ? tail : 1 - tail;
}

/** `P(T > t)` for Student's t with `dof` degrees of freedom. */
export function studentTUpperTail(t: number, dof: number): number {
  if (!(dof > 0) || Number.isNaN(t)) return Number.NaN;
  if (t === Number.POSITIVE_INFINITY) return 0;
  if (t === Number.NEGATIVE_INFINITY) return 1;
  const tail = 0.5 * regularizedBeta(dof / (dof + t * t), dof / 2, 0.5);
  return t > 0 ? tail : 1 - tail;
}

/**
 * `P(X >= k)` for X ~ Binomial(n, p), continuous in k and n (so extrapolated, non-integer
 * counts get a sensible value): `I_p(k, n - k + 1)`.
 */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  return regularizedBeta(p, k, n - k + 1);
}
