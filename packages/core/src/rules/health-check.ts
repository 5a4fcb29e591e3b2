import type { HealthRule } from '../contract/contract-schema';
import { firstValueOutside, inDomain, MEASURE_DOMAINS, outOfDomainVerdict } from './measure-domain';
import { show, shownOnce, showPercent, type TimeWindow, type Verdict } from './verdict';

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
  // step): written field by field, the same keys in the same order as the spreads below, with
  // its numbers' texts formatted once per value.
  if (
    restartsPossible &&
    impossible === undefined &&
    newest !== undefined &&
    input.segment === undefined &&
    !(input.restarts !== null && input.restarts > rule.maxRestarts) &&
    !(newest.v < rule.minReady)
  ) {
    return {
      signal: input.signal,
      rule: 'health',
      window: input.window,
      samples: input.ready.length,
      status: 'pass',
      value: newest.v,
      threshold: rule.minReady,
      reason: `${shownOnce(readyTexts, newest.v, showPercent)}% of instances ready${input.restarts === null ? '' : `, ${shownOnce(countTexts, input.restarts, show)} restart(s)`}`,
    };
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
  if (newest.v < rule.minReady) {
    return {
      ...base,
      status: 'breach',
      value: newest.v,
      threshold: rule.minReady,
      reason: `${show(newest.v * 100)}% of instances ready (required ${show(rule.minReady * 100)}%)`,
    };
  }
  return {
    ...base,
    status: 'pass',
    value: newest.v,
    threshold: rule.minReady,
    reason: `${show(newest.v * 100)}% of instances ready${input.restarts === null ? '' : `, ${show(input.restarts)} restart(s)`}`,
  };
}

/** Texts of the pass verdict's numbers (the ready share, the restart count: a handful of values per fleet). */
const readyTexts = new Map<number, string>();
const countTexts = new Map<number, string>();
