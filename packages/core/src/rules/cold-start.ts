import { ERROR_RATE_DOMAIN, inDomain, MEASURE_DOMAINS } from './measure-domain';

/**
 * Whether a count signal was already degraded during the warm-up: the signature of a cold
 * start (or of a fault present from the very first request), as opposed to a regression that
 * appears after a healthy start. A one-shot generalised likelihood-ratio check of the warm-up
 * rate against the baseline rate at a lenient level: getting it wrong only changes which test
 * judges the signal (and how soon), never the false-rollback bound, because the warm-up data is
 * disjoint from the data both tests see. Impossible counts (negative, infinite, more events
 * than trials) or an impossible baseline rate are no evidence of a cold start: false.
 */
export function isElevated(
  warmup: { readonly events: number; readonly trials: number },
  baselineRate: number,
  options: { readonly minRatio?: number; readonly logThreshold?: number } = {},
): boolean {
  const { events, trials } = warmup;
  if (
    !inDomain(events, MEASURE_DOMAINS.errors) ||
    !inDomain(trials, MEASURE_DOMAINS.requests) ||
    events > trials ||
    !inDomain(baselineRate, ERROR_RATE_DOMAIN)
  )
    return false;
  if (!(trials > 0) || !(events > 0)) return false;
  const p0 = Math.min(Math.max(baselineRate, 1e-9), 1 - 1e-9);
  const rate = Math.min(events / trials, 1 - 1e-12);
  if (rate < (options.minRatio ?? 1.5) * p0) return false;
  return trials * klBernoulli(rate, p0) >= (options.logThreshold ?? Math.log(20));
}

/** KL divergence of Bernoulli(p) from Bernoulli(q), in nats. */
function klBernoulli(p: number, q: number): number {
  const a = p === 0 ? 0 : p * Math.log(p / q);
  const b = p === 1 ? 0 : (1 - p) * Math.log((1 - p) / (1 - q));
  return a + b;
}
