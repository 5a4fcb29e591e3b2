import type { Signal } from '../contract/contract-schema';
import { RollgateError } from '../errors/rollgate-error';
import type { PortContext } from '../ports/abort';
import type { MetricQuery, MetricSource, ReadResult } from '../ports/metric-source';
import type { Clock } from '../time/clock';
import { type RetryPolicy, readWithRetry } from './read-with-retry';

/** A read of one signal's query over `[start, end]` at `stepMs`. */
export interface SignalRead {
  readonly query: MetricQuery;
  readonly start: number;
  readonly end: number;
  readonly stepMs: number;
  readonly segmentBy?: string;
}

/** Reads for signals: finds the signal's source, validates the reply's shape, retries. */
export type SignalReader = (signal: Signal, read: SignalRead, ctx: PortContext) => Promise<ReadResult>;

/** The reader the evaluator uses over the controller's sources. */
export function createSignalReader(
  sources: Readonly<Record<string, MetricSource>>,
  clock: Clock,
  retry: RetryPolicy,
): SignalReader {
  return async (signal, read, ctx) => {
    const source = sources[signal.source];
    if (!source) {
      return {
        status: 'error',
        error: new RollgateError(
          'CONFIG_INVALID',
          `signal "${signal.id}" reads from source "${signal.source}", but no source has that name; known: ${Object.keys(sources).join(', ') || 'none'}`,
          { component: 'evaluator' },
        ),
      };
    }
    const request = {
      query: read.query,
      start: read.start,
      end: read.end,
      stepMs: read.stepMs,
      ...(read.segmentBy === undefined ? {} : { segmentBy: read.segmentBy }),
    };
    return sanitize(await readWithRetry(source, request, ctx, clock, retry));
  };
}

/**
 * Defends the engine against adapters that break the port rules: NaN samples are dropped,
 * non-numeric values and malformed series turn the result into an error, and a result with no
 * samples left becomes `no-data`. Evaluation never throws on arbitrary readings.
 */
export function sanitize(result: ReadResult): ReadResult {
  if (result.status !== 'ok') return result;
  if (!Array.isArray(result.series)) return malformed('series is not an array');
  const series = [];
  let samples = 0;
  for (const s of result.series) {
    if (s === null || typeof s !== 'object' || !Array.isArray(s.samples))
      return malformed('a series has no samples array');
    const labels = s.labels !== null && typeof s.labels === 'object' ? s.labels : {};
    const clean = [];
    for (const p of s.samples) {
      if (p === null || typeof p !== 'object' || typeof p.t !== 'number' || typeof p.v !== 'number') {
        return malformed('a sample is not {t: number, v: number}');
      }
      if (Number.isNaN(p.v) || !Number.isFinite(p.t)) continue;
      clean.push({ t: p.t, v: p.v });
    }
    clean.sort((a, b) => a.t - b.t);
    samples += clean.length;
    series.push({ labels, samples: clean });
  }
  if (samples === 0) return { status: 'no-data', reason: 'the source returned no usable samples' };
  return { status: 'ok', series };
}

function malformed(what: string): ReadResult {
  return {
    status: 'error',
    error: new RollgateError('SOURCE_BAD_RESPONSE', `The source's result is malformed: ${what}.`, {
      component: 'evaluator',
    }),
  };
}
