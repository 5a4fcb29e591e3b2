import type { StaticRule } from '../contract/contract-schema';
import { gaugePass } from './lazy-gauge-verdict';
import { FINITE_DOMAIN, inDomain, type MeasureDomain, outOfDomainVerdict } from './measure-domain';
import { show, type TimeWindow, type Verdict } from './verdict';

/** The judged value of a window, already past the data-quality checks. */
export interface WindowValue {
  readonly signal: string;
  readonly segment?: string;
  readonly value: number;
  readonly samples: number;
  readonly window: TimeWindow;
  readonly unit: string;
  /** The values the measure can take (see `measure-domain.ts`); any finite value when absent. */
  readonly domain?: MeasureDomain;
}

/**
 * Static range: breach when the value is above `max` or below `min`. A value outside its
 * measure's domain (±Infinity, a negative latency, a fraction above 1) is an `error`: it is no
 * evidence either way.
 */
export function evaluateStaticRange(rule: StaticRule, input: WindowValue): Verdict {
  const frame = {
    signal: input.signal,
    rule: 'static',
    ...(input.segment === undefined ? {} : { segment: input.segment }),
    window: input.window,
    samples: input.samples,
  };
  const domain = input.domain ?? FINITE_DOMAIN;
  if (!inDomain(input.value, domain)) return outOfDomainVerdict(frame, input.value, domain);
  const base = { ...frame, value: input.value };
  if (rule.max !== undefined && input.value > rule.max) {
    return {
      ...base,
      status: 'breach',
      threshold: rule.max,
      reason: `${show(input.value, input.unit)} is above the maximum ${show(rule.max, input.unit)}`,
    };
  }
  if (rule.min !== undefined && input.value < rule.min) {
    return {
      ...base,
      status: 'breach',
      threshold: rule.min,
      reason: `${show(input.value, input.unit)} is below the minimum ${show(rule.min, input.unit)}`,
    };
  }
  const threshold = rule.max ?? rule.min ?? null;
  // A pass (almost every step of a value rule): its reason built when read (rules/lazy-gauge-verdict.ts).
  return gaugePass(
    { ...frame, value: input.value, threshold },
    { kind: 'static', unit: input.unit, a: rule.min ?? null, b: rule.max ?? null, heldSeconds: 0 },
  );
}
