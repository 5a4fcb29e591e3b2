import { studentTUpperTail } from './special-functions';

/**
 * Quantiles already computed, keyed by `p` and `dof`. A rule's `p` is fixed by its contract and
 * `dof` is bounded by its window's sample count, so the table stays small (one entry per pair a
 * process ever asks for); the cap only guards against a caller sweeping arbitrary values.
 */
const memo = new Map<number, Map<number, number>>();
const MAX_ENTRIES = 10_000;
let entries = 0;

/**
 * The t whose upper tail is `p` at `dof` degrees of freedom: a 200-step bisection on
 * {@link studentTUpperTail}, computed once per (p, dof) and remembered, since the rate-of-change
 * rule asks for the same pair at every evaluation. `Infinity` when `dof` is not positive.
 */
export function studentTQuantile(p: number, dof: number): number {
  if (!(dof > 0)) return Number.POSITIVE_INFINITY;
  let byDof = memo.get(p);
  const known = byDof?.get(dof);
  if (known !== undefined) return known;
  const value = bisectStudentT(p, dof);
  if (entries < MAX_ENTRIES) {
    if (!byDof) {
      byDof = new Map();
      memo.set(p, byDof);
    }
    byDof.set(dof, value);
    entries++;
  }
  return value;
}

function bisectStudentT(p: number, dof: number): number {
  let lo = 0;
  let hi = 1e6;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (studentTUpperTail(mid, dof) > p) lo = mid;
    else hi = mid;
  }
  return hi;
}
