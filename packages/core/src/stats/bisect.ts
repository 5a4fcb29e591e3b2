/** The most halvings {@link bisect} makes (also used by loops written out, e.g. confidence-sequence.ts). */
export const BISECT_STEPS = 200;

/**
 * Bisection on a monotone predicate over `[lo, hi]`: `f(lo)` must be true and `f(hi)` false.
 * Returns the final bracket `[a, b]` with `f(a)` true and `f(b)` false, so a caller can round
 * outwards by picking the end outside the set. 200 halvings reach the float resolution of
 * [0, 1]; the loop stops earlier once the midpoint no longer moves.
 */
export function bisect(f: (x: number) => boolean, lo: number, hi: number): [number, number] {
  let a = lo;
  let b = hi;
  for (let i = 0; i < BISECT_STEPS; i++) {
    const mid = 0.5 * (a + b);
    if (mid <= a || mid >= b) break;
    if (f(mid)) a = mid;
    else b = mid;
  }
  return [a, b];
}
