import { type Clock, type OptionsOf, textOption, wholeNumberOption } from '@rollgate/core';
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import {
  checkRequestHeaders,
  PrometheusAuthSchema,
  PrometheusMetricNamesSchema,
  requestHeaders,
} from '../options/prometheus-source-options-schema';
import { LABEL_NAME_PATTERN } from '../promql/label-matchers';

/**
 * The options of the exposition source (`createExpositionSource`): the one description of every
 * field, its bounds and its secrets; `auth`, `headers` and `metrics` are the Prometheus source's
 * own fields. The option types are derived from it. Runtime-only options (`dispatcher`,
 * `clock`) are checked by the factory.
 */

/** The `job` label when the options give none. */
export const DEFAULT_JOB = 'exposition';

const EXAMPLE_URL = 'http://127.0.0.1:8080/metrics';
const INTEGER = (min: number, max: number | string) => `must be an integer from ${min} to ${max}`;
const integer = (min: number, max: number) =>
  z
    .number({ error: INTEGER(min, max) })
    .int({ error: INTEGER(min, max) })
    .min(min, { error: INTEGER(min, max) })
    .max(max, { error: INTEGER(min, max) });

/** The time between scrapes: its bounds bound the timeout and the retention too. */
const INTERVAL = { min: 10, max: 3_600_000 } as const;

/**
 * A `/metrics` endpoint to scrape: its full URL, or the URL with extra target labels (added to
 * every series it exposes, like `static_configs[].labels` in Prometheus).
 */
const targetObject = z
  .strictObject(
    {
      url: z.string({ error: `is required: the full URL of a metrics endpoint, e.g. ${EXAMPLE_URL}` }),
      labels: z
        .record(z.string(), z.string({ error: 'must be a string' }), {
          error: 'must be an object of label name to value',
        })
        .optional(),
    },
    { error: 'must be a URL string or { url, labels }' },
  )
  .superRefine((spec, ctx) => {
    const problem = targetUrlProblem(spec.url);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['url'], message: problem });
    for (const name of Object.keys(spec.labels ?? {})) {
      if (!LABEL_NAME_PATTERN.test(name) || name.startsWith('__')) {
        ctx.addIssue({
          code: 'custom',
          path: ['labels', name],
          message: 'is not a valid label name (letters, digits and _, not starting with __)',
        });
      }
    }
  });
/** The URL alone is `{ url }`: each problem is then found at its own field. */
const target = z.preprocess(
  (value: string | z.input<typeof targetObject>) => (typeof value === 'string' ? { url: value } : value),
  targetObject,
);

/** The options of `createExpositionSource` that are data (all but `dispatcher` and `clock`). */
export const ExpositionSourceOptionsSchema = z
  .strictObject({
    /**
     * The endpoints to scrape, e.g. `['http://127.0.0.1:8080/metrics']` (http or https, no
     * credentials in the URL: use `auth` or `headers`). Each target's series get the labels
     * `job` and `instance` (`host:port`), as Prometheus adds them.
     */
    targets: z
      .array(target, { error: `needs at least one metrics endpoint URL, e.g. ["${EXAMPLE_URL}"]` })
      .min(1, { error: `needs at least one metrics endpoint URL, e.g. ["${EXAMPLE_URL}"]` }),
    /** The `job` label of every target (default `exposition`). */
    job: textOption('a job name').optional(),
    /** Time between scrapes, ms (default 1000). Reads' `stepMs` should be a multiple of it. */
    scrapeIntervalMs: integer(INTERVAL.min, INTERVAL.max).optional(),
    /** Per-scrape limit, ms (default: the interval, at most 10 000; never above the interval). */
    scrapeTimeoutMs: integer(1, INTERVAL.max).optional(),
    /**
     * How much history is kept, ms (default 2 hours). Each series keeps at most
     * `retentionMs / scrapeIntervalMs + 1` entries; reads further back find nothing.
     */
    retentionMs: integer(INTERVAL.min, 31 * 86_400_000).optional(),
    /**
     * Series kept at most (default 1000). A new series beyond it is dropped and reads say so in
     * their warnings: a label with unbounded values must not grow memory forever.
     */
    maxSeries: wholeNumberOption(1, 10_000_000).optional(),
    /** How far back a sample still counts as current, ms (PromQL's lookback delta; default 300 000). */
    lookbackMs: integer(1, 86_400_000).optional(),
    /** Largest `/metrics` body accepted, bytes (default 16 MiB); larger fails the scrape. */
    maxScrapeBytes: integer(1024, 2 ** 31).optional(),
    /** Credentials for the endpoints (never shown). */
    auth: PrometheusAuthSchema.optional(),
    /** Extra scrape request headers; their values are never shown. */
    headers: requestHeaders().optional(),
    /** Metric names of the built-in measures; the same option as `createPrometheusSource`'s. */
    metrics: PrometheusMetricNamesSchema.optional(),
  })
  .superRefine((options, ctx) => {
    checkRequestHeaders(options, ctx);
    const interval = options.scrapeIntervalMs ?? 1_000;
    if (options.scrapeTimeoutMs !== undefined && options.scrapeTimeoutMs > interval) {
      ctx.addIssue({
        code: 'custom',
        path: ['scrapeTimeoutMs'],
        message: `${INTEGER(1, interval)} (scrapeIntervalMs); a scrape must end before the next`,
      });
    }
    if (options.retentionMs !== undefined && options.retentionMs < interval) {
      ctx.addIssue({
        code: 'custom',
        path: ['retentionMs'],
        message: `${INTEGER(interval, 31 * 86_400_000)}; keep at least one scrape interval`,
      });
    }
    // Two targets with the same labels would write the same series.
    const job = options.job ?? DEFAULT_JOB;
    const seen = new Set<string>();
    for (const [i, spec] of options.targets.entries()) {
      const labels = targetLabels(spec, job);
      if (labels === undefined) continue;
      const key = JSON.stringify(Object.entries(labels).sort());
      if (seen.has(key)) {
        ctx.addIssue({
          code: 'custom',
          path: ['targets', i],
          message: 'has the same labels as an earlier target; scrape each endpoint once',
        });
      }
      seen.add(key);
    }
  });

/** The options after the schema (each target as `{ url, labels? }`). */
export type ExpositionSourceOptionsParsed = z.output<typeof ExpositionSourceOptionsSchema>;

/** A `/metrics` endpoint: its URL, or `{ url, labels }` (see `ExpositionSourceOptions.targets`). */
export type ExpositionTarget = OptionsOf<typeof target>;

/** Options of `createExpositionSource`: the schema's fields and the runtime-only ones. */
export type ExpositionSourceOptions = OptionsOf<typeof ExpositionSourceOptionsSchema> & {
  /**
   * An undici Dispatcher used as is and never closed (custom TLS, a proxy). Without it the source
   * creates its own keep-alive Agent and closes it in `dispose()`.
   */
  readonly dispatcher?: Dispatcher;
  /** Time for scrape stamps, scheduling and `ctx.deadline` (default `systemClock`). */
  readonly clock?: Clock;
};

/**
 * A target's labels: `job`, `instance` (`host:port`) and its own, which win over both (as in a
 * Prometheus static config); undefined when its URL is not valid.
 */
export function targetLabels(
  spec: { readonly url: string; readonly labels?: Readonly<Record<string, string>> | undefined },
  job: string,
): Record<string, string> | undefined {
  let parsed: URL;
  try {
    parsed = new URL(spec.url);
  } catch {
    return undefined;
  }
  return { job, instance: parsed.host, ...spec.labels };
}

/** What is wrong with a target's URL, or undefined; never repeats it (it may hold credentials). */
function targetUrlProblem(url: string): string | undefined {
  if (url.trim().length === 0) {
    return `is required: the full URL of a metrics endpoint, e.g. ${EXAMPLE_URL}`;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `is not a valid absolute URL; use e.g. ${EXAMPLE_URL}`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return `must use http or https, not ${parsed.protocol.replace(':', '')}`;
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return 'must not contain credentials; pass them as auth or headers';
  }
  if (parsed.hash !== '') return 'must not contain a fragment';
  return undefined;
}
