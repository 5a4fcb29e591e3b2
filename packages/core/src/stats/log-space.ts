/**
 * Arithmetic on logarithms. The e-processes multiply thousands of likelihood ratios and mix
 * them with weights; working in log space keeps a week of data at 10k requests/s finite.
 * `-Infinity` stands for the log of zero throughout.
 */

/** `log(exp(a) + exp(b))` without overflow. */
export function logAddExp(a: number, b: number): number {
  if (a === Number.NEGATIVE_INFINITY) return b;
  if (b === Number.NEGATIVE_INFINITY) return a;
  if (a === Number.POSITIVE_INFINITY || b === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/** `log(sum(exp(values[i])))` over the first `length` entries, without overflow. */
export function logSumExp(values: ArrayLike<number>, length: number = values.length): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < length; i++) {
    const v = values[i] as number;
    if (v > max) max = v;
  }
  if (max === Number.NEGATIVE_INFINITY || max === Number.POSITIVE_INFINITY) return max;
  let sum = 0;
  for (let i = 0; i < length; i++) sum += Math.exp((values[i] as number) - max);
  return max + Math.log(sum);
}

/** `x * log(y)` with the convention `0 * log(0) = 0` that likelihoods of zero counts need. */
export function xLogY(x: number, y: number): number {
  return x === 0 ? 0 : x * Math.log(y);
}

/** `x * log1p(y)` with `0 * log1p(-1) = 0`. */
export function xLog1pY(x: number, y: number): number {
  return x === 0 ? 0 : x * Math.log1p(y);
}
