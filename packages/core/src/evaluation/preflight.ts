import type { Contract, Signal } from '../contract/contract-schema';
import type { SerializedRollgateError } from '../errors/rollgate-error';
import type { PortContext } from '../ports/abort';
import type { MetricQuery, MetricSource } from '../ports/metric-source';
import { kindOf } from '../signals/signal-kinds';
import type { Clock } from '../time/clock';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './read-with-retry';
import {
  countsExceedances,
  eventsQuery,
  restartsQuery,
  trialsQuery,
  usesCounts,
  valueQuery,
} from './signal-queries';
import { createSignalReader } from './signal-reader';

/** Options of {@link preflightSignals}. */
export interface PreflightOptions {
  readonly contract: Contract;
  /** Sources by name, as the controller gets them. */
  readonly sources: Readonly<Record<string, MetricSource>>;
  readonly clock: Clock;
  /** Retries of each read (default: the evaluator's). */
  readonly retry?: RetryPolicy;
}

/** One read of the preflight. */
export interface PreflightRead {
  /** The measure read (`requests`, `latency-quantile`, `ready`, `raw`, ...). */
  readonly measure: MetricQuery['measure'];
  /** Split per value of this label (`segments.by`), when the signal is segmented. */
  readonly segmentBy?: string;
  readonly status: 'ok' | 'no-data' | 'error';
  /** The backend query (PromQL, NRQL), as the source describes it. */
  readonly query: string;
  /** Why there was no data, or what the backend warned about a partial answer. */
  readonly reason?: string;
  readonly error?: SerializedRollgateError;
}

/** What the preflight found for one signal. */
export interface SignalPreflight {
  readonly signal: string;
  readonly source: string;
  /** `error` when any read failed, `no-data` when none had data, else `ok`. */
  readonly status: 'ok' | 'no-data' | 'error';
  readonly reads: readonly PreflightRead[];
}

/** The result of {@link preflightSignals}. */
export interface PreflightReport {
  /** Epoch ms the reads end at. */
  readonly at: number;
  /** The window each read covers (ms): the baseline window, ending now. */
  readonly windowMs: number;
  readonly signals: readonly SignalPreflight[];
  /** The signals whose reads failed: a wrong URL, credential, query or selector syntax. */
  readonly failed: readonly SignalPreflight[];
  /** Whether no signal had any data: the selectors or metric names match nothing. */
  readonly noData: boolean;
}

/**
 * One read of every query of every signal over the baseline window ending now, before a watch
 * starts: a wrong URL, credential, metric name or selector shows in seconds with the signal and
 * its query named, instead of as six failed evaluations. It reads through the same translation,
 * sanitising and retries as the evaluator, and changes nothing: no watch state is involved, so a
 * watch that passes it decides exactly as one that did not run it.
 *
 * Never throws on what sources return; `ctx` bounds the whole preflight.
 */
export async function preflightSignals(
  options: PreflightOptions,
  ctx: PortContext,
): Promise<PreflightReport> {
  const { contract, sources, clock } = options;
  const reader = createSignalReader(sources, clock, options.retry ?? DEFAULT_RETRY_POLICY);
  const at = clock.now();
  const windowMs = contract.baselineSeconds * 1000;
  const signals = await Promise.all(
    contract.signals.map(async (signal): Promise<SignalPreflight> => {
      const source = sources[signal.source];
      const reads = await Promise.all(
        queriesOf(signal).map(async ({ query, segmentBy }): Promise<PreflightRead> => {
          const request = {
            query,
            start: at,
            end: at,
            stepMs: windowMs,
            ...(segmentBy === undefined ? {} : { segmentBy }),
          };
          const described = describe(source, request);
          const result = await reader(signal, request, ctx);
          const base = {
            measure: query.measure,
            ...(segmentBy === undefined ? {} : { segmentBy }),
            query: described,
          };
          if (result.status === 'ok') return { ...base, status: 'ok' };
          if (result.status === 'no-data') return { ...base, status: 'no-data', reason: result.reason };
          // A partial answer (Prometheus `warnings`) proves the source, credentials and query work:
          // the preflight checks configuration, and the watch itself treats partial data as no
          // evidence. Starting is right; the warning is passed on.
          if (result.error.code === 'SOURCE_PARTIAL_DATA')
            return { ...base, status: 'ok', reason: `partial data: ${result.error.message}` };
          return { ...base, status: 'error', error: result.error.toJSON() };
        }),
      );
      const status = reads.some((r) => r.status === 'error')
        ? 'error'
        : reads.some((r) => r.status === 'ok')
          ? 'ok'
          : 'no-data';
      return { signal: signal.id, source: signal.source, status, reads };
    }),
  );
  return {
    at,
    windowMs,
    signals,
    failed: signals.filter((s) => s.status === 'error'),
    noData: signals.length > 0 && signals.every((s) => s.status === 'no-data'),
  };
}

/**
 * The queries a signal's evaluation depends on: its count queries (requests; errors too for an
 * error rate), its value query (latency quantile, resource, readiness), restarts for health, and
 * the per-segment reads of a segmented signal. Latency exceedances are not read: their threshold
 * comes from the baseline, and the latency histogram is already read by the quantile.
 */
function queriesOf(signal: Signal): { query: MetricQuery; segmentBy?: string }[] {
  const queries: MetricQuery[] = [];
  if (usesCounts(signal)) {
    queries.push(trialsQuery(signal));
    const events = countsExceedances(signal) ? null : eventsQuery(signal, null);
    if (events) queries.push(events);
  }
  const value = kindOf(signal).value === 'count-ratio' ? null : valueQuery(signal);
  if (value) queries.push(value);
  if (kindOf(signal).restarts) queries.push(restartsQuery(signal));
  const out: { query: MetricQuery; segmentBy?: string }[] = queries.map((query) => ({ query }));
  const by = signal.segments?.by;
  if (by !== undefined && usesCounts(signal)) out.push({ query: trialsQuery(signal), segmentBy: by });
  return out;
}

function describe(
  source: MetricSource | undefined,
  request: Parameters<MetricSource['describe']>[0],
): string {
  if (!source) return '(no such source)';
  try {
    return source.describe(request);
  } catch {
    return `(${request.query.measure})`;
  }
}
