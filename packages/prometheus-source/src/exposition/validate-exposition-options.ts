import { type Clock, parseOptions, RollgateError } from '@rollgate/core';
import type { Dispatcher } from 'undici';
import { parseClock, parseDispatcher, requestCredentials } from '../options/validate-options';
import { type ResolvedMetricNames, resolveMetricNames } from '../promql/metric-names';
import { EXPOSITION_COMPONENT } from './classify-scrape';
import {
  DEFAULT_JOB,
  type ExpositionSourceOptions,
  type ExpositionSourceOptionsParsed,
  ExpositionSourceOptionsSchema,
  targetLabels,
} from './exposition-source-options-schema';

/** One target after validation. */
export interface ResolvedTarget {
  /** The URL requested (may carry a query string; never credentials). */
  readonly url: string;
  /** The URL as shown in messages and `describe()`: no query string. */
  readonly shownUrl: string;
  /** `job`, `instance` and the target's own labels. */
  readonly labels: Readonly<Record<string, string>>;
}

/** Options after validation, defaults applied. */
export interface ResolvedExpositionOptions {
  readonly targets: readonly ResolvedTarget[];
  readonly scrapeIntervalMs: number;
  readonly scrapeTimeoutMs: number;
  readonly retentionMs: number;
  readonly maxSeries: number;
  readonly lookbackMs: number;
  readonly maxScrapeBytes: number;
  /** Request headers, `authorization` included; never shown. */
  readonly headers: Readonly<Record<string, string>>;
  /** Values that must never be shown. */
  readonly secrets: readonly string[];
  readonly dispatcher: Dispatcher | undefined;
  readonly metrics: ResolvedMetricNames;
  readonly clock: Clock;
}

function invalid(option: string, message: string): RollgateError {
  return new RollgateError('CONFIG_INVALID', `exposition source option ${option}: ${message}.`, {
    component: EXPOSITION_COMPONENT,
    retryable: false,
    details: { option },
  });
}

/**
 * Validates the factory options once, at the edge, with {@link ExpositionSourceOptionsSchema}
 * (`auth`, `headers` and `metrics` are the Prometheus source's own fields) and the runtime-only
 * `dispatcher` and `clock` by hand: a problem throws `RollgateError('CONFIG_INVALID')` naming
 * the option and the fix, never repeating a value.
 */
export function validateExpositionOptions(options: ExpositionSourceOptions): ResolvedExpositionOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw invalid('(options)', 'must be an object with at least targets');
  }
  const { dispatcher, clock, ...described } = options as unknown as Record<string, unknown>;
  const parsed = parseOptions(ExpositionSourceOptionsSchema, described, invalid);
  const job = parsed.job ?? DEFAULT_JOB;
  const scrapeIntervalMs = parsed.scrapeIntervalMs ?? 1_000;
  const { headers, secrets } = requestCredentials(ExpositionSourceOptionsSchema, parsed);
  return {
    targets: parsed.targets.map((target) => resolveTarget(target, job)),
    scrapeIntervalMs,
    scrapeTimeoutMs: parsed.scrapeTimeoutMs ?? Math.min(scrapeIntervalMs, 10_000),
    retentionMs: parsed.retentionMs ?? 7_200_000,
    maxSeries: parsed.maxSeries ?? 1_000,
    lookbackMs: parsed.lookbackMs ?? 300_000,
    maxScrapeBytes: parsed.maxScrapeBytes ?? 16 * 1024 * 1024,
    headers,
    secrets,
    dispatcher: parseDispatcher(dispatcher, invalid),
    metrics: resolveMetricNames(parsed.metrics),
    clock: parseClock(clock, invalid),
  };
}

/** A checked target: the URL requested, the URL shown (no query string) and its labels. */
function resolveTarget(
  target: ExpositionSourceOptionsParsed['targets'][number],
  job: string,
): ResolvedTarget {
  const url = new URL(target.url);
  const shown = new URL(url.href);
  shown.search = '';
  return { url: url.href, shownUrl: shown.href, labels: targetLabels(target, job) ?? {} };
}
