import type { HealthRule } from '../contract/contract-schema';
import { gaugePass } from './lazy-gauge-verdict';
import { firstValueOutside, inDomain, MEASURE_DOMAINS, outOfDomainVerdict } from './measure-domain';
import { show, type TimeWindow, type Verdict } from './verdict';

/** Inputs of {@link evaluateHealth}: post-deploy data in the window only. */
export interface HealthInput {
  readonly signal: string;
  readonly segment?: string;
  /** Ready fraction (0..1) points, ascending by time. */
  readonly ready: readonly { readonly t: number; readonly v: number }[];
  /** Restarts per step in the window; null when the source has no restart data. */
  readonly restarts: number | null;
  readonly window: TimeWindow;
}

/**
 * Binary health: breach when the newest ready fraction is below `minReady`, or more than
 * `maxRestarts` restarts happened in the window. Only post-deploy data is given to this rule
 * (the evaluator's window starts after the deploy), so the failure postdates the deploy; the
 * validation gate still checks whether the same failure was already there before it.
 * A readiness outside [0, 1] or a restart count that is negative or infinite is an `error`:
 * the health signal is authoritative, so garbage in it must never confirm a breach alone.
 */
export function evaluateHealth(rule: HealthRule, input: HealthInput): Verdict {
  const newest = input.ready.at(-1);
  const restartsPossible = input.restarts === null || inDomain(input.restarts, MEASURE_DOMAINS.restarts);
  const impossible = restartsPossible ? firstValueOutside(input.ready, MEASURE_DOMAINS.ready) : undefined;
  // The verdict of almost every step (every health signal of every watch is judged at every
  // step): its reason built when read (rules/lazy-gauge-verdict.ts), the same keys in the same
  // order as the spreads below.
  if (
    restartsPossible &&
    impossible === undefined &&
    newest !== undefined &&
    !(input.restarts !== null && input.restarts > rule.maxRestarts) &&
    !(newest.v < rule.minReady)
  ) {
    return gaugePass(
      {
        signal: input.signal,
        ...(input.segment === undefined ? {} : { segment: input.segment }),
        window: input.window,
        samples: input.ready.length,
        value: newest.v,
        threshold: rule.minReady,
      },
      { kind: 'health', unit: '', a: input.restarts, b: null, heldSeconds: 0 },
    );
  }
  const base = {
    signal: input.signal,
    rule: 'health',
    ...(input.segment === undefined ? {} : { segment: input.segment }),
    window: input.window,
    samples: input.ready.length,
  };
  if (input.restarts !== null && !restartsPossible)
    return outOfDomainVerdict(base, input.restarts, MEASURE_DOMAINS.restarts);
  if (impossible !== undefined) return outOfDomainVerdict(base, impossible, MEASURE_DOMAINS.ready);
  if (input.restarts !== null && input.restarts > rule.maxRestarts) {
    return {
      ...base,
      status: 'breach',
      value: input.restarts,
      threshold: rule.maxRestarts,
      reason: `${show(input.restarts)} restart(s) since the deploy in the window (allowed ${rule.maxRestarts})`,
    };
  }
  if (newest === undefined) {
    return {
      ...base,
      status: 'no-data',
      value: null,
      threshold: rule.minReady,
      reason: 'no readiness data in the window',
    };
  }
  // Every other case passed above: the newest ready share is below the minimum.
  return {
    ...base,
    status: 'breach',
    value: newest.v,
    threshold: rule.minReady,
    reason: `${show(newest.v * 100)}% of instances ready (required ${show(rule.minReady * 100)}%)`,
  };
}
