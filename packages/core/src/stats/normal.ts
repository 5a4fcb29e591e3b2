/**
 * The standard normal distribution's upper tail and quantile, for the load model of latency
 * tests (evaluation/load-surge.ts): accurate to about 1e-7 relative, plenty for a tolerance.
 */

/** P(Z > z) for a standard normal Z (the complementary error function of Numerical Recipes). */
export function normalUpperTail(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const erfc =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  // The fit overshoots 1 by 3e-8 at 0: capped, the tail stays monotone across z = 0.
  const capped = Math.min(1, erfc);
  return z >= 0 ? capped / 2 : 1 - capped / 2;
}

/** z with P(Z > z) = p, by bisection on {@link normalUpperTail}; ±Infinity at p = 0 and 1. */
export function normalUpperQuantile(p: number): number {
  if (!(p > 0)) return Number.POSITIVE_INFINITY;
  if (!(p < 1)) return Number.NEGATIVE_INFINITY;
  let lo = -40;
  let hi = 40;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (normalUpperTail(mid) > p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
