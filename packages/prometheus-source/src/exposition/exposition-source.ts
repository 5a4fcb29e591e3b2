import type {
  AbortSignalLike,
  MetricRequest,
  MetricSource,
  PortContext,
  ReadResult,
  TimerHandle,
} from '@rollgate/core';
import { RollgateError } from '@rollgate/core';
import { Agent, type Dispatcher } from 'undici';
import { QueryBuildError } from '../promql/label-matchers';
import { buildPromql } from '../promql/query-builders';
import { headerValue } from '../reply/header-value';
import { redact } from '../reply/redact';
import { toReadResult } from '../reply/to-read-result';
import { safeCause } from '../transport/transport-error';
import { classifyScrape, EXPOSITION_COMPONENT } from './classify-scrape';
import { type ExpositionReply, evaluateRequest } from './evaluate-request';
import type { ExpositionSourceOptions } from './exposition-source-options-schema';
import { type IncomingSample, SeriesStore } from './series-store';
import {
  type ResolvedExpositionOptions,
  type ResolvedTarget,
  validateExpositionOptions,
} from './validate-exposition-options';

/** The scrape state of one target. */
export interface ExpositionTargetHealth {
  /** The endpoint, without query string. */
  readonly url: string;
  /** `job`, `instance` and the target's labels, as added to its series. */
  readonly labels: Readonly<Record<string, string>>;
  /** Whether the last scrape succeeded; null before the first one finished. */
  readonly up: boolean | null;
  /** Stamp (epoch ms) of the last finished scrape, successful or not. */
  readonly lastScrapeAt: number | null;
  readonly lastDurationMs: number | null;
  /** Why the last scrape failed (secret-free), or null. */
  readonly lastError: string | null;
  /** Failed scrapes in a row. */
  readonly consecutiveFailures: number;
}

/** One finished scrape round: every target scraped once, stamped `at`. */
export interface ExpositionScrapeRound {
  readonly at: number;
  readonly targets: readonly ExpositionTargetHealth[];
}

/** What the source holds in memory. */
export interface ExpositionSourceStats {
  readonly series: number;
  /** Entries (values and staleness markers) over all series. */
  readonly entries: number;
  /** The bound on entries per series: `retentionMs / scrapeIntervalMs + 1`. */
  readonly maxEntriesPerSeries: number;
  /** Series refused because `maxSeries` was reached. */
  readonly droppedSeries: number;
  /** Scrape rounds finished. */
  readonly rounds: number;
}

/** A `MetricSource` that scrapes `/metrics` endpoints itself, from {@link createExpositionSource}. */
export interface ExpositionSource extends MetricSource {
  readonly name: 'exposition';
  /** The scrape state of each target, in the order given. */
  targets(): readonly ExpositionTargetHealth[];
  /**
   * Resolves when the next scrape round has been stored. Rejects with `TIMEOUT` after
   * `timeoutMs` (default 30 000), `ABORTED` when `signal` fires, `SOURCE_UNAVAILABLE` after
   * `dispose()`. For scripts and tests; `read` never needs it.
   */
  waitForScrape(options?: {
    readonly timeoutMs?: number;
    readonly signal?: AbortSignalLike;
  }): Promise<ExpositionScrapeRound>;
  stats(): ExpositionSourceStats;
}

/** Scrapes this close to their scheduled time are stamped with it, so steps line up exactly. */
const ALIGN_TOLERANCE_MS = 25;
const ACCEPT = 'text/plain;version=0.0.4;q=0.9,*/*;q=0.1';

interface TargetState {
  readonly target: ResolvedTarget;
  up: boolean | null;
  lastScrapeAt: number | null;
  lastDurationMs: number | null;
  lastError: RollgateError | null;
  consecutiveFailures: number;
  /** When the current run of failed scrapes began; null while the target is up. */
  downSince: number | null;
  inFlight: boolean;
}

class ScrapeBodyTooLarge extends Error {}

/** Exposed labels that clash with target labels are kept as `exported_<name>` (honor_labels: false). */
function withTargetLabels(
  exposed: Readonly<Record<string, string>>,
  target: Readonly<Record<string, string>>,
): Record<string, string> {
  const labels = new Map<string, string>();
  for (const [name, value] of Object.entries(exposed)) {
    labels.set(Object.hasOwn(target, name) ? `exported_${name}` : name, value);
  }
  for (const [name, value] of Object.entries(target)) labels.set(name, value);
  return Object.fromEntries(labels);
}

function health(state: TargetState): ExpositionTargetHealth {
  return {
    url: state.target.shownUrl,
    labels: state.target.labels,
    up: state.up,
    lastScrapeAt: state.lastScrapeAt,
    lastDurationMs: state.lastDurationMs,
    lastError: state.lastError?.message ?? null,
    consecutiveFailures: state.consecutiveFailures,
  };
}

function errorResult(error: RollgateError): ReadResult {
  return { status: 'error', error };
}

/**
 * Creates a {@link MetricSource} for a service without a Prometheus server: it scrapes the
 * given Prometheus text-exposition endpoints (`/metrics`) itself every `scrapeIntervalMs`
 * (default 1 s), keeps a bounded history per series in memory (a ring buffer holding
 * `retentionMs`, default 2 h, of scrapes), and answers reads from it with the same measures,
 * metric names and semantics as {@link createPrometheusSource}: exact per-step counter
 * increments with reset handling, `latency-quantile` from histogram buckets in ms,
 * exceedances above a bucket bound, gauges, `ready` from each target's synthetic `up` series,
 * selectors over labels and `segmentBy`. A `raw` query must be a plain series selector.
 *
 * Scraping starts here, at once, and stops in `dispose()`. The history starts with the first
 * scrape, so the process that reads must have been scraping for the whole pre-deploy baseline
 * window: create the source before the deploy, in a process that outlives it.
 *
 * `read` never throws or rejects. It waits for the first scrape round if it has not finished
 * (bounded by `ctx.deadline` and `ctx.signal`), then evaluates in memory. A target that cannot
 * be scraped reports `up = 0` and its series go stale (no samples), so reads of it are `no-data`,
 * or, when every target is down and nothing is left to read, an `error` with the scrape
 * failure: never a pass.
 */
export function createExpositionSource(options: ExpositionSourceOptions): ExpositionSource {
  const config: ResolvedExpositionOptions = validateExpositionOptions(options);
  const { clock } = config;
  const ownsDispatcher = config.dispatcher === undefined;
  const dispatcher: Dispatcher =
    config.dispatcher ??
    new Agent({ keepAliveTimeout: Math.max(4_000, config.scrapeIntervalMs * 3), connections: 4 });
  const capacity = Math.floor(config.retentionMs / config.scrapeIntervalMs) + 1;
  const store = new SeriesStore({
    capacity: Math.max(2, capacity),
    maxSeries: config.maxSeries,
    retentionMs: config.retentionMs,
    // Readiness must never be dropped by maxSeries: it is how a failing target shows.
    uncapped: new Set(['up']),
  });
  const states: TargetState[] = config.targets.map((target) => ({
    target,
    up: null,
    lastScrapeAt: null,
    lastDurationMs: null,
    lastError: null,
    consecutiveFailures: 0,
    downSince: null,
    inFlight: false,
  }));
  const headers: Record<string, string> = {
    'user-agent': 'rollgate-exposition-source',
    ...config.headers,
    accept: ACCEPT,
  };
  const lifetime = new AbortController();
  let disposed = false;
  let disposing: Promise<void> | undefined;
  let rounds = 0;
  let timer: TimerHandle | undefined;
  const started = clock.now();
  let nextRound = 0;
  let firstRoundDone = false;
  let roundWaiters: ((round: ExpositionScrapeRound) => void)[] = [];
  let disposeWaiters: (() => void)[] = [];

  async function fetchExposition(state: TargetState, signal: AbortSignal) {
    const response = await dispatcher.request({
      origin: new URL(state.target.url).origin,
      path: (() => {
        const u = new URL(state.target.url);
        return `${u.pathname}${u.search}`;
      })(),
      method: 'GET',
      headers,
      signal,
    });
    const declared = Number(headerValue(response.headers, 'content-length'));
    if (Number.isFinite(declared) && declared > config.maxScrapeBytes) {
      response.body.destroy();
      throw new ScrapeBodyTooLarge();
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > config.maxScrapeBytes) {
        response.body.destroy();
        throw new ScrapeBodyTooLarge();
      }
      chunks.push(buffer);
    }
    return { status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks) };
  }

  function scrapeError(error: unknown, state: TargetState, timedOut: boolean): RollgateError {
    const url = state.target.shownUrl;
    if (timedOut) {
      return new RollgateError(
        'TIMEOUT',
        `The metrics endpoint ${url} did not answer within scrapeTimeoutMs (${config.scrapeTimeoutMs} ms).`,
        { component: EXPOSITION_COMPONENT, retryable: true },
      );
    }
    if (error instanceof ScrapeBodyTooLarge) {
      return new RollgateError(
        'SOURCE_BAD_RESPONSE',
        `The metrics endpoint ${url} sent more than maxScrapeBytes (${config.maxScrapeBytes}).`,
        { component: EXPOSITION_COMPONENT, retryable: false },
      );
    }
    const reason = redact(error instanceof Error ? error.message : String(error), config.secrets).slice(
      0,
      200,
    );
    return new RollgateError(
      'SOURCE_UNAVAILABLE',
      `Could not scrape the metrics endpoint ${url} (${reason}); check that the service is running.`,
      { component: EXPOSITION_COMPONENT, retryable: true, cause: safeCause(error, config.secrets) },
    );
  }

  async function scrapeTarget(index: number, at: number): Promise<void> {
    const state = states[index] as TargetState;
    if (state.inFlight) return;
    state.inFlight = true;
    const began = clock.now();
    const controller = new AbortController();
    const onDispose = () => controller.abort();
    lifetime.signal.addEventListener('abort', onDispose, { once: true });
    let timedOut = false;
    const timeout = clock.setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, config.scrapeTimeoutMs);
    let samples: IncomingSample[] | null = null;
    let failure: RollgateError | null = null;
    try {
      const reply = await fetchExposition(state, controller.signal);
      const classified = classifyScrape(reply.status, reply.body, reply.headers, {
        url: state.target.shownUrl,
        now: clock.now(),
        secrets: config.secrets,
      });
      if (classified.ok) {
        samples = classified.value.samples.map((s) => ({
          name: s.name,
          labels: withTargetLabels(s.labels, state.target.labels),
          value: s.value,
        }));
      } else {
        failure = classified.error;
      }
    } catch (error) {
      failure = scrapeError(error, state, timedOut);
    } finally {
      clock.clearTimeout(timeout);
      lifetime.signal.removeEventListener('abort', onDispose);
      state.inFlight = false;
    }
    if (disposed) return;
    const up: IncomingSample = { name: 'up', labels: state.target.labels, value: samples === null ? 0 : 1 };
    store.ingest(index, at, samples === null ? [up] : [...samples, up]);
    state.up = samples !== null;
    state.lastScrapeAt = at;
    state.lastDurationMs = clock.now() - began;
    state.lastError = failure;
    state.consecutiveFailures = samples === null ? state.consecutiveFailures + 1 : 0;
    state.downSince = samples === null ? (state.downSince ?? at) : null;
  }

  function schedule(): void {
    if (disposed) return;
    const due = started + nextRound * config.scrapeIntervalMs;
    timer = clock.setTimeout(() => void runRound(), Math.max(0, due - clock.now()));
  }

  async function runRound(): Promise<void> {
    if (disposed) return;
    const now = clock.now();
    let scheduled = started + nextRound * config.scrapeIntervalMs;
    if (now - scheduled >= config.scrapeIntervalMs) {
      // The process was busy or asleep: skip the missed rounds rather than scrape in a burst.
      nextRound = Math.floor((now - started) / config.scrapeIntervalMs);
      scheduled = started + nextRound * config.scrapeIntervalMs;
    }
    const at = now - scheduled <= ALIGN_TOLERANCE_MS ? scheduled : now;
    nextRound += 1;
    schedule();
    await Promise.all(states.map((_, i) => scrapeTarget(i, at)));
    if (disposed) return;
    store.evict(at);
    rounds += 1;
    firstRoundDone = true;
    const round: ExpositionScrapeRound = { at, targets: states.map(health) };
    const waiting = roundWaiters;
    roundWaiters = [];
    for (const resolve of waiting) resolve(round);
  }

  /** Resolves `null` once the first round is stored, else the error that ended the wait. */
  function awaitFirstRound(ctx: PortContext): Promise<RollgateError | null> {
    if (firstRoundDone) return Promise.resolve(null);
    return new Promise((resolve) => {
      let settled = false;
      const finish = (value: RollgateError | null) => {
        if (settled) return;
        settled = true;
        clock.clearTimeout(deadlineTimer);
        ctx.signal.removeEventListener('abort', onAbort);
        roundWaiters = roundWaiters.filter((w) => w !== onRound);
        disposeWaiters = disposeWaiters.filter((w) => w !== onDisposed);
        resolve(value);
      };
      const onRound = () => finish(null);
      const onAbort = () => finish(abortedError(ctx.signal.reason));
      const onDisposed = () => finish(disposedError());
      const deadlineTimer = clock.setTimeout(
        () =>
          finish(
            new RollgateError(
              'TIMEOUT',
              `The first scrape of ${config.targets.map((t) => t.shownUrl).join(', ')} did not finish before the caller's deadline.`,
              { component: EXPOSITION_COMPONENT, retryable: true },
            ),
          ),
        Math.max(0, ctx.deadline - clock.now()),
      );
      roundWaiters.push(onRound);
      disposeWaiters.push(onDisposed);
      ctx.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  function abortedError(reason: unknown): RollgateError {
    return new RollgateError('ABORTED', 'The read was aborted by the caller.', {
      component: EXPOSITION_COMPONENT,
      retryable: false,
      cause: reason,
    });
  }

  function disposedError(): RollgateError {
    return new RollgateError(
      'SOURCE_UNAVAILABLE',
      'This exposition source was disposed; create a new one to read.',
      {
        component: EXPOSITION_COMPONENT,
        retryable: false,
      },
    );
  }

  function downTargets(): TargetState[] {
    return states.filter((s) => s.up === false);
  }

  function describeDown(down: readonly TargetState[]): string {
    return down
      .map((s) => `${s.target.shownUrl} is down (${s.lastError?.message ?? 'scrape failed'})`)
      .join('; ');
  }

  async function readOnce(request: MetricRequest, ctx: PortContext): Promise<ReadResult> {
    if (ctx.signal.aborted) return errorResult(abortedError(ctx.signal.reason));
    if (disposed) return errorResult(disposedError());
    try {
      buildPromql(request, config.metrics);
    } catch (error) {
      if (!(error instanceof QueryBuildError)) throw error;
      return badQuery(error);
    }
    if (!(ctx.deadline - clock.now() > 0)) {
      return errorResult(
        new RollgateError('TIMEOUT', "The caller's deadline had passed before the read started.", {
          component: EXPOSITION_COMPONENT,
          retryable: true,
        }),
      );
    }
    const waited = await awaitFirstRound(ctx);
    if (waited !== null) return errorResult(waited);
    let reply: ExpositionReply;
    try {
      reply = evaluateRequest(store, request, config.metrics, config.lookbackMs);
    } catch (error) {
      if (!(error instanceof QueryBuildError)) throw error;
      return badQuery(error);
    }
    // These become the read's `partial` entries, and core does not judge a partial read: only
    // what really is missing counts. A target down within the read's window misses its share of
    // every measure but readiness (its `up = 0` is the data); a capped metric misses series.
    const warnings: string[] = [];
    const down = downTargets();
    const missing = down.filter((s) => s.downSince !== null && s.downSince <= request.end);
    if (missing.length > 0 && request.query.measure !== 'ready')
      warnings.push(`scrape failing: ${describeDown(missing)}`);
    const capped = reply.metrics.filter((name) => store.droppedFrom(name));
    if (capped.length > 0) {
      warnings.push(
        `series of ${capped.join(', ')} were not stored because maxSeries (${config.maxSeries}) was reached; results may be incomplete.`,
      );
    }
    const { metrics: _read, ...prometheusReply } = reply;
    const result = toReadResult({ ...prometheusReply, warnings }, request);
    if (result.status !== 'no-data') return result;
    if (down.length === states.length) {
      const last = down[0]?.lastError;
      return errorResult(
        new RollgateError(
          last?.code ?? 'SOURCE_UNAVAILABLE',
          `No samples to read: every scrape target is down: ${describeDown(down)}`,
          {
            component: EXPOSITION_COMPONENT,
            retryable: last?.retryable ?? true,
            ...(last?.retryAfterMs === undefined ? {} : { retryAfterMs: last.retryAfterMs }),
            ...(last ? { cause: last } : {}),
          },
        ),
      );
    }
    const hint = down.length > 0 ? ` Also: ${describeDown(down)}.` : '';
    return {
      status: 'no-data',
      reason: `${noDataReason(request)}${hint}`,
    };
  }

  function noDataReason(request: MetricRequest): string {
    const base =
      'No stored samples for this read: no traffic yet, a series the targets do not expose (or no longer do), a selector that matches nothing, or a time before the scraping started.';
    switch (request.query.measure) {
      case 'latency-exceedances':
        return `${base} For latency-exceedances, also check that the histogram has a bucket boundary at exactly thresholdMs.`;
      case 'latency-quantile':
        return `${base} A quantile is NaN when no request completed in the step.`;
      default:
        return base;
    }
  }

  function badQuery(error: QueryBuildError): ReadResult {
    return errorResult(
      new RollgateError('SOURCE_BAD_QUERY', `Cannot evaluate this request: ${error.message}`, {
        component: EXPOSITION_COMPONENT,
        retryable: false,
        details: { field: error.field },
      }),
    );
  }

  schedule();

  return {
    name: 'exposition',
    async read(request, ctx) {
      try {
        return await readOnce(request, ctx);
      } catch (error) {
        // A bug, not a backend failure: still a value, never a rejection.
        const message = redact(error instanceof Error ? error.message : String(error), config.secrets);
        return errorResult(
          new RollgateError('INTERNAL', `exposition source failed unexpectedly: ${message}`, {
            component: EXPOSITION_COMPONENT,
            retryable: false,
          }),
        );
      }
    },
    describe(request) {
      const from = config.targets.map((t) => t.shownUrl).join(', ');
      try {
        return `${buildPromql(request, config.metrics)}  # evaluated in memory over scrapes of ${from} every ${config.scrapeIntervalMs} ms`;
      } catch (error) {
        return `# cannot evaluate: ${error instanceof Error ? error.message : String(error)}`;
      }
    },
    targets() {
      return states.map(health);
    },
    waitForScrape(waitOptions = {}) {
      if (disposed) return Promise.reject(disposedError());
      const timeoutMs = waitOptions.timeoutMs ?? 30_000;
      const signal = waitOptions.signal;
      return new Promise<ExpositionScrapeRound>((resolve, reject) => {
        let settled = false;
        const finish = (fn: () => void) => {
          if (settled) return;
          settled = true;
          clock.clearTimeout(waitTimer);
          signal?.removeEventListener('abort', onAbort);
          roundWaiters = roundWaiters.filter((w) => w !== onRound);
          disposeWaiters = disposeWaiters.filter((w) => w !== onDisposed);
          fn();
        };
        const onRound = (round: ExpositionScrapeRound) => finish(() => resolve(round));
        const onAbort = () => finish(() => reject(abortedError(signal?.reason)));
        const onDisposed = () => finish(() => reject(disposedError()));
        const waitTimer = clock.setTimeout(
          () =>
            finish(() =>
              reject(
                new RollgateError('TIMEOUT', `No scrape round finished within ${timeoutMs} ms.`, {
                  component: EXPOSITION_COMPONENT,
                  retryable: true,
                }),
              ),
            ),
          timeoutMs,
        );
        if (signal?.aborted) {
          onAbort();
          return;
        }
        roundWaiters.push(onRound);
        disposeWaiters.push(onDisposed);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    stats() {
      return {
        series: store.seriesCount,
        entries: store.entryCount,
        maxEntriesPerSeries: Math.max(2, capacity),
        droppedSeries: store.droppedSeries,
        rounds,
      };
    },
    dispose() {
      if (disposing) return disposing;
      disposed = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      lifetime.abort();
      const waiting = disposeWaiters;
      disposeWaiters = [];
      for (const notify of waiting) notify();
      disposing = ownsDispatcher
        ? dispatcher
            .close()
            .catch(() => dispatcher.destroy())
            .then(
              () => undefined,
              () => undefined,
            )
        : Promise.resolve();
      return disposing;
    },
  };
}
