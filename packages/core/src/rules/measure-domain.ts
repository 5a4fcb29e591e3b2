import { RollgateError } from '../errors/rollgate-error';
import type { Measure, MetricQuery } from '../ports/metric-source';
import { show, type TimeWindow, type Verdict } from './verdict';

/**
 * The values a reading of one measure can take. A reading outside them (a readiness of -1, an
 * infinite restart count, a negative memory level) cannot describe any service: it comes from
 * a broken exporter, a wrong query or a proxy, and it is no evidence either way. The reader
 * turns such a read into an error, and every rule turns such a value into an `error` verdict
 * naming it, never `pass` or `breach` (docs/security.md). This file is the one place that
 * says what each measure's domain is.
 */
export interface MeasureDomain {
  /** What the value is, for reasons and messages: `ready fraction`, `request count`. */
  readonly name: string;
  /** The smallest possible value (inclusive); `-Infinity` when unbounded below. */
  readonly min: number;
  /** The largest possible value (inclusive); `Infinity` when unbounded above. */
  readonly max: number;
}

const count = (name: string): MeasureDomain => ({ name, min: 0, max: Number.POSITIVE_INFINITY });

/** Any finite value: the domain of a user's raw gauge, and the default of a rule's input. */
export const FINITE_DOMAIN: MeasureDomain = {
  name: 'value',
  min: Number.NEGATIVE_INFINITY,
  max: Number.POSITIVE_INFINITY,
};

/** The domain of an error rate: errors over requests, a fraction. */
export const ERROR_RATE_DOMAIN: MeasureDomain = { name: 'error rate', min: 0, max: 1 };

/**
 * The domain of every built-in measure, following the sample semantics of `MetricQuery`:
 * counts per step, latency quantiles in ms, memory in bytes and CPU in cores are finite and
 * non-negative; readiness is a fraction of ready instances.
 */
export const MEASURE_DOMAINS: Readonly<Record<Exclude<Measure, 'raw'>, MeasureDomain>> = {
  requests: count('request count'),
  errors: count('error count'),
  'latency-exceedances': count('slow-request count'),
  restarts: count('restart count'),
  'latency-quantile': count('latency quantile (ms)'),
  memory: count('memory level (bytes)'),
  cpu: count('CPU usage (cores)'),
  ready: { name: 'ready fraction', min: 0, max: 1 },
};

/** The domain of a query's samples; a raw query is a count or an unbounded gauge. */
export function domainOf(query: MetricQuery): MeasureDomain {
  if (query.measure !== 'raw') return MEASURE_DOMAINS[query.measure];
  return query.valueType === 'count' ? count('count') : FINITE_DOMAIN;
}

/** Whether `value` is a possible reading: finite and within `[min, max]`. NaN is not. */
export function inDomain(value: number, domain: MeasureDomain): boolean {
  return Number.isFinite(value) && value >= domain.min && value <= domain.max;
}

/**
 * The first value (`v`) of `points` outside `domain`, or undefined when every value is possible:
 * {@link firstOutside} over the points' values without building an array of them (rules read
 * every gauge window at every step).
 */
export function firstValueOutside(
  points: readonly { readonly v: number }[],
  domain: MeasureDomain,
): number | undefined {
  for (const p of points) if (!inDomain(p.v, domain)) return p.v;
  return undefined;
}

/** The first of `values` outside `domain`, or undefined when every value is possible. */
export function firstOutside(values: Iterable<number>, domain: MeasureDomain): number | undefined {
  for (const v of values) if (!inDomain(v, domain)) return v;
  return undefined;
}

/** `[0, 1]`, `>= 0` or `finite`: the domain as a reader sees it. */
export function describeDomain(domain: MeasureDomain): string {
  const lower = Number.isFinite(domain.min);
  const upper = Number.isFinite(domain.max);
  if (lower && upper) return `within [${show(domain.min)}, ${show(domain.max)}]`;
  if (lower) return `finite and >= ${show(domain.min)}`;
  if (upper) return `finite and <= ${show(domain.max)}`;
  return 'finite';
}

/** A reading as a reason names it: ±Inf spelled out, NaN as `NaN`. */
export function showReading(value: number): string {
  return Number.isNaN(value) ? 'NaN' : show(value);
}

/** The sentence that names an impossible reading: what it was and what was possible. */
export function impossibleReading(value: number, domain: MeasureDomain): string {
  return `impossible reading: ${domain.name} ${showReading(value)} (a ${domain.name} is ${describeDomain(domain)}); it is no evidence either way, so check the source and its query`;
}

/** What every verdict carries besides its judgement. */
interface VerdictFrame {
  readonly signal: string;
  readonly rule: string;
  readonly segment?: string;
  readonly window: TimeWindow;
  readonly samples: number;
}

/**
 * The verdict for a value outside its domain: `error` (not evidence), with the value named in
 * the reason and a `SOURCE_BAD_RESPONSE` error for the audit. A NaN is no value at all: that
 * is `no-data`, as the verdict model says.
 */
export function outOfDomainVerdict(frame: VerdictFrame, value: number, domain: MeasureDomain): Verdict {
  if (Number.isNaN(value)) {
    return {
      ...frame,
      status: 'no-data',
      value: null,
      threshold: null,
      reason: `${domain.name} is NaN: no value to judge`,
    };
  }
  return impossibleVerdict(frame, value, domain);
}

/** The `error` verdict naming an impossible value (NaN included). */
export function impossibleVerdict(frame: VerdictFrame, value: number, domain: MeasureDomain): Verdict {
  const reason = impossibleReading(value, domain);
  return {
    ...frame,
    status: 'error',
    value: Number.isNaN(value) ? null : value,
    threshold: null,
    reason,
    error: new RollgateError('SOURCE_BAD_RESPONSE', reason, {
      component: 'rules',
      details: { measure: domain.name, value: showReading(value) },
    }).toJSON(),
  };
}
