import { type Clock, RollgateError } from '@rollgate/core';
import type { Dispatcher } from 'undici';
import { validateOptions } from '../options/validate-options';
import { LABEL_NAME_PATTERN } from '../promql/label-matchers';
import type { ResolvedMetricNames } from '../promql/metric-names';
import { EXPOSITION_COMPONENT } from './classify-scrape';
import type { ExpositionSourceOptions } from './exposition-source-options';

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

const KNOWN_OPTIONS = [
  'targets',
  'job',
  'scrapeIntervalMs',
  'scrapeTimeoutMs',
  'retentionMs',
  'maxSeries',
  'lookbackMs',
  'maxScrapeBytes',
  'auth',
  'headers',
  'dispatcher',
  'metrics',
  'clock',
] as const;
/** Options whose meaning is the same as `createPrometheusSource`'s, validated by its checks. */
const SHARED_OPTIONS = ['auth', 'headers', 'dispatcher', 'metrics', 'clock'] as const;

function invalid(option: string, message: string): RollgateError {
  return new RollgateError('CONFIG_INVALID', `exposition source option ${option}: ${message}`, {
    component: EXPOSITION_COMPONENT,
    retryable: false,
    details: { option },
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function integer(value: unknown, option: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(option, `must be an integer from ${min} to ${max}.`);
  }
  return value;
}

function parseTarget(value: unknown, index: number, job: string): ResolvedTarget {
  const option = `targets[${index}]`;
  const spec = typeof value === 'string' ? { url: value } : value;
  if (!isRecord(spec)) throw invalid(option, 'must be a URL string or { url, labels }.');
  for (const key of Object.keys(spec)) {
    if (key !== 'url' && key !== 'labels')
      throw invalid(`${option}.${key}`, 'unknown option; use url and labels.');
  }
  if (typeof spec.url !== 'string' || spec.url.trim().length === 0) {
    throw invalid(
      `${option}.url`,
      'is required: the full URL of a metrics endpoint, e.g. http://127.0.0.1:8080/metrics.',
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(spec.url);
  } catch {
    // The text may hold credentials: not repeated.
    throw invalid(`${option}.url`, 'is not a valid absolute URL; use e.g. http://127.0.0.1:8080/metrics.');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw invalid(`${option}.url`, `must use http or https, not ${parsed.protocol.replace(':', '')}.`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw invalid(`${option}.url`, 'must not contain credentials; pass them as auth or headers.');
  }
  if (parsed.hash !== '') throw invalid(`${option}.url`, 'must not contain a fragment.');
  const labels: Record<string, string> = { job, instance: parsed.host };
  if (spec.labels !== undefined) {
    if (!isRecord(spec.labels))
      throw invalid(`${option}.labels`, 'must be an object of label name to value.');
    for (const [name, labelValue] of Object.entries(spec.labels)) {
      if (!LABEL_NAME_PATTERN.test(name) || name.startsWith('__')) {
        throw invalid(
          `${option}.labels.${name}`,
          'is not a valid label name (letters, digits and _, not starting with __).',
        );
      }
      if (typeof labelValue !== 'string') throw invalid(`${option}.labels.${name}`, 'must be a string.');
      labels[name] = labelValue;
    }
  }
  const shown = new URL(parsed.href);
  shown.search = '';
  return { url: parsed.href, shownUrl: shown.href, labels };
}

/**
 * Validates the factory options once, at the edge: a problem throws
 * `RollgateError('CONFIG_INVALID')` naming the option and the fix, never repeating a value.
 * `auth`, `headers`, `dispatcher`, `metrics` and `clock` mean what they mean for
 * `createPrometheusSource` and go through its checks.
 */
export function validateExpositionOptions(options: ExpositionSourceOptions): ResolvedExpositionOptions {
  if (!isRecord(options)) throw invalid('(options)', 'must be an object with at least targets.');
  for (const key of Object.keys(options)) {
    if (!(KNOWN_OPTIONS as readonly string[]).includes(key)) {
      throw invalid(key, `unknown option; known options are ${KNOWN_OPTIONS.join(', ')}.`);
    }
  }
  const job = options.job ?? 'exposition';
  if (typeof job !== 'string' || job.length === 0) throw invalid('job', 'must be a non-empty string.');
  if (!Array.isArray(options.targets) || options.targets.length === 0) {
    throw invalid(
      'targets',
      'needs at least one metrics endpoint URL, e.g. ["http://127.0.0.1:8080/metrics"].',
    );
  }
  const targets = options.targets.map((t, i) => parseTarget(t, i, job));
  const seen = new Set<string>();
  for (const [i, t] of targets.entries()) {
    const key = JSON.stringify(Object.entries(t.labels).sort());
    if (seen.has(key))
      throw invalid(`targets[${i}]`, 'has the same labels as an earlier target; scrape each endpoint once.');
    seen.add(key);
  }
  const scrapeIntervalMs = integer(options.scrapeIntervalMs, 'scrapeIntervalMs', 10, 3_600_000, 1_000);
  const scrapeTimeoutMs = integer(
    options.scrapeTimeoutMs,
    'scrapeTimeoutMs',
    1,
    scrapeIntervalMs,
    Math.min(scrapeIntervalMs, 10_000),
  );
  const retentionMs = integer(
    options.retentionMs,
    'retentionMs',
    scrapeIntervalMs,
    31 * 86_400_000,
    7_200_000,
  );
  const shared: Record<string, unknown> = { url: 'http://exposition-source.invalid' };
  for (const key of SHARED_OPTIONS) if (options[key] !== undefined) shared[key] = options[key];
  let common: ReturnType<typeof validateOptions>;
  try {
    common = validateOptions(shared as unknown as Parameters<typeof validateOptions>[0]);
  } catch (error) {
    if (!RollgateError.is(error)) throw error;
    throw new RollgateError(
      'CONFIG_INVALID',
      error.message.replace(/^prometheus-source option/, 'exposition source option'),
      {
        component: EXPOSITION_COMPONENT,
        retryable: false,
        details: error.details,
        ...(error.cause === undefined ? {} : { cause: error.cause }),
      },
    );
  }
  return {
    targets,
    scrapeIntervalMs,
    scrapeTimeoutMs,
    retentionMs,
    maxSeries: integer(options.maxSeries, 'maxSeries', 1, 10_000_000, 1_000),
    lookbackMs: integer(options.lookbackMs, 'lookbackMs', 1, 86_400_000, 300_000),
    maxScrapeBytes: integer(options.maxScrapeBytes, 'maxScrapeBytes', 1024, 2 ** 31, 16 * 1024 * 1024),
    headers: common.headers,
    secrets: common.secrets,
    dispatcher: common.dispatcher,
    metrics: common.metrics,
    clock: common.clock,
  };
}
