import type { BaselineRatioRule } from '../contract/contract-schema';
import { gaugePass, ratioReason } from './lazy-gauge-verdict';
import { FINITE_DOMAIN, inDomain, outOfDomainVerdict } from './measure-domain';
import type { WindowValue } from './static-range';
import type { Verdict } from './verdict';

/**
 * Ratio against the pre-deploy snapshot: breach when the value exceeds `maxRatio` times the
 * baseline and is more than `minDelta` above it. The baseline is the snapshot taken before the
 * deploy and is never updated from post-deploy data, so a slow regression cannot drag it along.
 * A missing or negative baseline gives `no-data`: there is nothing to compare with. A value or
 * a baseline outside the measure's domain (±Infinity, a negative count) is an `error`.
 */
export function evaluateBaselineRatio(
  rule: BaselineRatioRule,
  input: WindowValue,
  baseline: number | null,
): Verdict {
  const base = {
    signal: input.signal,
    rule: 'baseline-ratio',
    ...(input.segment === undefined ? {} : { segment: input.segment }),
    window: input.window,
    samples: input.samples,
  };
  const domain = input.domain ?? FINITE_DOMAIN;
  if (!inDomain(input.value, domain)) return outOfDomainVerdict(base, input.value, domain);
  if (baseline !== null && !Number.isNaN(baseline) && !inDomain(baseline, domain))
    return outOfDomainVerdict(base, baseline, { ...domain, name: `pre-deploy ${domain.name}` });
  if (baseline === null || !Number.isFinite(baseline) || baseline < 0) {
    return {
      ...base,
      status: 'no-data',
      value: input.value,
      threshold: null,
      reason: 'no usable pre-deploy baseline to compare with',
    };
  }
  const threshold = Math.max(baseline * rule.maxRatio, baseline + rule.minDelta);
  if (input.value > threshold) {
    return {
      ...base,
      status: 'breach',
      value: input.value,
      threshold,
      reason: ratioReason(input.value, baseline, threshold, input.unit),
    };
  }
  // A pass (almost every step of a value rule): its reason built when read (rules/lazy-gauge-verdict.ts).
  return gaugePass(
    { ...base, value: input.value, threshold },
    { kind: 'ratio', unit: input.unit, a: baseline, b: null, heldSeconds: 0 },
  );
}
