import type { Signal } from '../contract/contract-schema';
import type { MetricQuery } from '../ports/metric-source';
import { domainOf, ERROR_RATE_DOMAIN, type MeasureDomain } from '../rules/measure-domain';
import { kindOf } from '../signals/signal-kinds';

/**
 * The source-neutral queries behind each signal kind (signals/signal-kinds.ts says which). A
 * signal's `queries` override replaces the built-in measure with the user's raw backend query.
 */

/** Trials per step: requests served. */
export function trialsQuery(signal: Signal): MetricQuery {
  if (signal.queries?.trials) return { measure: 'raw', query: signal.queries.trials, valueType: 'count' };
  return { measure: 'requests', selector: signal.selector };
}

/** Events per step: 5xx responses (error-rate), or requests slower than `thresholdMs` (latency). */
export function eventsQuery(signal: Signal, thresholdMs: number | null): MetricQuery | null {
  if (signal.queries?.events) return { measure: 'raw', query: signal.queries.events, valueType: 'count' };
  const events = kindOf(signal).counts?.events;
  if (events === 'errors') return { measure: 'errors', selector: signal.selector };
  if (events === 'latency-exceedances' && thresholdMs !== null) {
    return { measure: 'latency-exceedances', selector: signal.selector, thresholdMs };
  }
  return null;
}

/** The gauge or quantile a signal's value rules judge (not used for error-rate, whose value is a count ratio). */
export function valueQuery(signal: Signal, quantile = signal.quantile): MetricQuery | null {
  if (signal.queries?.value) return { measure: 'raw', query: signal.queries.value, valueType: 'gauge' };
  return kindOf(signal).valueQuery(signal, quantile);
}

/** Restarts per step (health signals). */
export function restartsQuery(signal: Signal): MetricQuery {
  return { measure: 'restarts', selector: signal.selector };
}

/** Whether a signal is judged on count intervals (events of trials) read step by step. */
export function usesCounts(signal: Signal): boolean {
  return kindOf(signal).counts !== null;
}

/** Whether a signal's events are requests slower than the exceedance threshold its baseline fixes. */
export function countsExceedances(signal: Signal): boolean {
  return kindOf(signal).counts?.events === 'latency-exceedances';
}

/** The values a signal's judged value can take: the error rate's, or its value query's. */
export function valueDomain(signal: Signal): MeasureDomain {
  const query = kindOf(signal).value === 'count-ratio' ? null : valueQuery(signal);
  return query === null ? ERROR_RATE_DOMAIN : domainOf(query);
}

/** The unit of a signal's value, for reason sentences. */
export function unitOf(signal: Signal): string {
  return kindOf(signal).unit(signal);
}

/** The exceedance threshold: the smallest histogram bucket bound at or above the baseline p99. */
export function exceedanceThreshold(bucketsMs: readonly number[], baselineP99Ms: number): number {
  const sorted = [...bucketsMs].sort((a, b) => a - b);
  for (const bound of sorted) if (bound >= baselineP99Ms) return bound;
  return sorted.at(-1) ?? baselineP99Ms;
}

/**
 * The tail threshold: the smallest histogram bucket bound at least 4/3 of the exceedance
 * threshold, or null when no bucket is twice as high. On a layout whose bounds rise by 2-2.5x
 * (Prometheus' defaults, powers of 2 or 10) this is the smallest bound at least twice the first,
 * as it was; on a fine layout it is the next step up (750 ms: 1000, not 2500; 500 ms: 750, not
 * 1000; 300 ms: 500, not 1000), where a tail fault 8-20x the median puts most of its slow requests
 * while the bound twice as high sees only part of them (issue 12, class 5, round 22). It depends
 * on the layout and the baseline's threshold only, so it is fixed before the deploy.
 */
export function tailThreshold(bucketsMs: readonly number[], exceedanceMs: number): number | null {
  const sorted = [...bucketsMs].sort((a, b) => a - b);
  if (!sorted.some((bound) => bound >= 2 * exceedanceMs)) return null;
  return sorted.find((bound) => 3 * bound >= 4 * exceedanceMs) ?? null;
}
