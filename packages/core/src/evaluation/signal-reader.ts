import type { Signal } from '../contract/contract-schema';
import { RollgateError } from '../errors/rollgate-error';
import { asThrown, Thrown } from '../errors/thrown';
import type { PortContext } from '../ports/abort';
import type { MetricQuery, MetricSource, ReadResult, Sample, Series } from '../ports/metric-source';
import { describeDomain, domainOf, inDomain, showReading } from '../rules/measure-domain';
import type { Clock } from '../time/clock';
import { afterFirstAttempt, type RetryPolicy, readWithRetry } from './read-with-retry';

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
  return (signal, read, ctx) => {
    const source = sources[signal.source];
    if (!source) {
      return Promise.resolve({
        status: 'error',
        error: new RollgateError(
          'CONFIG_INVALID',
          `signal "${signal.id}" reads from source "${signal.source}", but no source has that name; known: ${Object.keys(sources).join(', ') || 'none'}`,
          { component: 'evaluator' },
        ),
      });
    }
    // The tick path: one read of a window that fits in one request (every evaluation's read),
    // sent as it is (a SignalRead is a MetricRequest), without the chunking arrays or a closure,
    // and sanitized by readWithRetry itself: one async frame per read, not two.
    if (fitsOneRequest(read)) {
      return readWithRetry(source, read, ctx, clock, retry, sanitize);
    }
    return readChunked(source, read, ctx, clock, retry);
  };
}

/**
 * The tick path's reads, sent by the evaluation itself and awaited in its own frame: the source's
 * own Promise, with no async frame of `readWithRetry` around each read (a tick reads every signal
 * of every watch: docs/benchmarks.md, `frame16-issue-13`). What the reads answer, their retries,
 * errors and order are the {@link SignalReader}'s.
 */
export interface SignalSender {
  /**
   * Sends one read. The Promise answers what the source's `read` resolved to, or, for a read the
   * tick path does not send itself (no such source, a read longer than one request, an aborted
   * evaluation), the reader's finished result; give its answer to {@link SignalSender.settle}.
   * With `guard`, a rejection (an adapter breaking the port rules) answers a value instead: a
   * read awaited after another must not be an unhandled rejection while the first is awaited.
   * Without it, the caller awaits the Promise at once, in a `try`, and settles a
   * {@link Thrown} of what it threw.
   */
  send(signal: Signal, read: SignalRead, ctx: PortContext, guard: boolean): Promise<unknown>;
  /**
   * The read's result once its Promise answered `answer`: the reader's, synchronously when no
   * retry is due (almost always), or the retries' Promise when the first attempt failed
   * retryably (run as `readWithRetry` runs them).
   */
  settle(
    signal: Signal,
    read: SignalRead,
    ctx: PortContext,
    answer: unknown,
  ): ReadResult | Promise<ReadResult>;
}

/** A read the sender did not send itself: the reader's finished result. */
class Finished {
  constructor(readonly result: ReadResult) {}
}

function finished(result: ReadResult): Finished {
  return new Finished(result);
}

/** The sender over the same sources, clock and retry policy as {@link createSignalReader}'s reader. */
export function createSignalSender(
  sources: Readonly<Record<string, MetricSource>>,
  clock: Clock,
  retry: RetryPolicy,
  reader: SignalReader,
): SignalSender {
  return {
    send(signal, read, ctx, guard) {
      const source = sources[signal.source];
      if (source === undefined || ctx.signal.aborted || !(retry.maxAttempts >= 1) || !fitsOneRequest(read)) {
        return reader(signal, read, ctx).then(finished);
      }
      let answer: Promise<ReadResult>;
      try {
        answer = source.read(read, ctx);
      } catch (error) {
        return Promise.resolve(new Thrown(error));
      }
      // Promise.resolve returns a native Promise as it is: a wrapper only for another thenable.
      return guard ? Promise.resolve(answer).then(undefined, asThrown) : answer;
    },
    settle(signal, read, ctx, answer) {
      if (answer instanceof Finished) return answer.result;
      return afterFirstAttempt(
        sources[signal.source] as MetricSource,
        read,
        ctx,
        clock,
        retry,
        sanitize,
        answer,
      );
    },
  };
}

/**
 * Whether a read's window fits in one request (at most MAX_SAMPLES_PER_READ samples; a read
 * without a step is one request): every evaluation's read. Longer ones are chunked.
 */
function fitsOneRequest(read: SignalRead): boolean {
  return !(read.stepMs > 0) || read.end - read.start <= (MAX_SAMPLES_PER_READ - 1) * read.stepMs;
}

/** A read longer than one request allows, as consecutive reads (see chunkRange). */
async function readChunked(
  source: MetricSource,
  read: SignalRead,
  ctx: PortContext,
  clock: Clock,
  retry: RetryPolicy,
): Promise<ReadResult> {
  const chunks: ReadResult[] = [];
  for (const [start, end] of chunkRange(read.start, read.end, read.stepMs)) {
    const request = {
      query: read.query,
      start,
      end,
      stepMs: read.stepMs,
      ...(read.segmentBy === undefined ? {} : { segmentBy: read.segmentBy }),
    };
    const result = await readWithRetry(source, request, ctx, clock, retry, sanitize);
    if (result.status === 'error') return result;
    chunks.push(result);
  }
  return mergeChunks(chunks);
}

/**
 * Backends cap the samples of one range read (New Relic: 366 buckets, Prometheus: 11,000 points
 * per series), so long reads (the validation gate's history) are split into consecutive reads.
 */
export const MAX_SAMPLES_PER_READ = 300;

/** Splits `[start, end]` on the step grid into ranges of at most MAX_SAMPLES_PER_READ samples. */
export function chunkRange(start: number, end: number, stepMs: number): [number, number][] {
  if (!(stepMs > 0) || end <= start) return [[start, end]];
  const out: [number, number][] = [];
  const span = (MAX_SAMPLES_PER_READ - 1) * stepMs;
  for (let from = start; from <= end; from += span + stepMs) out.push([from, Math.min(end, from + span)]);
  return out;
}

/** Joins chunked results: series with the same labels are concatenated. */
function mergeChunks(chunks: readonly ReadResult[]): ReadResult {
  if (chunks.length === 1) return chunks[0] as ReadResult;
  const byLabels = new Map<string, { labels: Readonly<Record<string, string>>; samples: Sample[] }>();
  for (const chunk of chunks) {
    if (chunk.status !== 'ok') continue;
    for (const series of chunk.series) {
      const key = JSON.stringify(Object.entries(series.labels).sort(([a], [b]) => (a < b ? -1 : 1)));
      const entry = byLabels.get(key) ?? { labels: series.labels, samples: [] };
      entry.samples.push(...series.samples);
      byLabels.set(key, entry);
    }
  }
  if (byLabels.size === 0) {
    const noData = chunks.find((c) => c.status === 'no-data');
    return noData ?? { status: 'no-data', reason: 'no samples in the requested range' };
  }
  return { status: 'ok', series: [...byLabels.values()] };
}

/**
 * Defends the engine against adapters that break the port rules: NaN samples are dropped,
 * non-numeric values and malformed series turn the result into an error, and a result with no
 * samples left becomes `no-data`. Evaluation never throws on arbitrary readings.
 *
 * A read the backend flagged as partial (`partial`: Prometheus `warnings`) is a
 * `SOURCE_PARTIAL_DATA` error carrying them as `details.warnings` (bounded), whatever its samples: an incomplete answer is no evidence either way,
 * and an empty one must never read as "no errors".
 *
 * With the `query`, every sample is also checked against its measure's domain
 * (`rules/measure-domain.ts`): one impossible reading (a readiness of -1, an infinite restart
 * count) makes the whole read a `SOURCE_BAD_RESPONSE` naming it, which every rule then reports
 * as an `error` verdict — not evidence either way, and never a pass or a breach.
 */
export function sanitize(result: ReadResult, query?: MetricQuery): ReadResult {
  if (result.status !== 'error' && Array.isArray(result.partial) && result.partial.length > 0)
    return partial(result.partial);
  if (result.status !== 'ok') return result;
  if (!Array.isArray(result.series)) return malformed('series is not an array');
  const domain = query ? domainOf(query) : undefined;
  // The rebuilt series, made only once a series is not kept as it is (labels an object, samples
  // usable as they are); until then the adapter's result is returned itself rather than rebuilt
  // (results are never mutated), with no array of copies made on the way.
  let series: Series[] | null = null;
  let samples = 0;
  for (let index = 0; index < result.series.length; index++) {
    const s = result.series[index] as Series;
    if (s === null || typeof s !== 'object' || !Array.isArray(s.samples))
      return malformed('a series has no samples array');
    const labels = s.labels !== null && typeof s.labels === 'object' ? s.labels : {};
    // Most adapters return finite, ascending samples: then the array is used as it is, with no
    // copy and no sort (a tick reads every signal). Otherwise the usable samples are copied
    // and ordered.
    let usable = true;
    let previous = Number.NEGATIVE_INFINITY;
    for (const p of s.samples) {
      if (p === null || typeof p !== 'object' || typeof p.t !== 'number' || typeof p.v !== 'number') {
        return malformed('a sample is not {t: number, v: number}');
      }
      if (Number.isNaN(p.v) || !Number.isFinite(p.t)) {
        usable = false;
        continue;
      }
      if (query && domain && !inDomain(p.v, domain)) return impossible(query, p);
      if (p.t < previous) usable = false;
      previous = p.t;
    }
    const clean: readonly Sample[] = usable ? s.samples : copyUsable(s.samples);
    if (series === null && (!usable || labels !== s.labels)) series = keptAsTheyAre(result.series, index);
    samples += clean.length;
    series?.push({ labels, samples: clean });
  }
  if (samples === 0) return { status: 'no-data', reason: 'the source returned no usable samples' };
  if (series === null && result.warnings === undefined && result.partial === undefined) return result;
  return { status: 'ok', series: series ?? keptAsTheyAre(result.series, result.series.length) };
}

/** The first `count` series, each as sanitize keeps an unchanged one: its labels and samples. */
function keptAsTheyAre(series: readonly Series[], count: number): Series[] {
  const out: Series[] = [];
  for (let i = 0; i < count; i++) {
    const s = series[i] as Series;
    out.push({ labels: s.labels, samples: s.samples });
  }
  return out;
}

/** The samples with a number value and a finite time, ascending by time (stable for ties). */
function copyUsable(samples: readonly Sample[]): Sample[] {
  const clean: Sample[] = [];
  for (const p of samples) if (!Number.isNaN(p.v) && Number.isFinite(p.t)) clean.push({ t: p.t, v: p.v });
  return clean.sort((a, b) => a.t - b.t);
}

function impossible(query: MetricQuery, sample: Sample): ReadResult {
  const domain = domainOf(query);
  const what = query.measure === 'raw' ? `raw ${query.valueType} query` : query.measure;
  return {
    status: 'error',
    error: new RollgateError(
      'SOURCE_BAD_RESPONSE',
      `The source returned ${showReading(sample.v)} for ${what} at ${showTime(sample.t)}: impossible, since a ${domain.name} is ${describeDomain(domain)}. The read is no evidence either way; check the exporter and the query behind this measure.`,
      {
        component: 'evaluator',
        details: { measure: query.measure, value: showReading(sample.v), t: sample.t },
      },
    ),
  };
}

/** At most this many warnings of one read are kept, each cut to this many characters. */
const MAX_WARNINGS = 5;
const MAX_WARNING_CHARS = 500;

function partial(warnings: readonly unknown[]): ReadResult {
  const kept = warnings
    .slice(0, MAX_WARNINGS)
    .map((w) => String(w))
    .map((w) => (w.length > MAX_WARNING_CHARS ? `${w.slice(0, MAX_WARNING_CHARS - 1)}…` : w));
  const joined = kept.join('; ');
  const listed =
    joined.length > MAX_WARNING_CHARS * 2 ? `${joined.slice(0, MAX_WARNING_CHARS * 2 - 1)}…` : joined;
  const more = warnings.length > kept.length ? ` (and ${warnings.length - kept.length} more)` : '';
  return {
    status: 'error',
    error: new RollgateError(
      'SOURCE_PARTIAL_DATA',
      `The source flagged its answer as possibly incomplete: ${listed}${more}. Partial data is no evidence either way; the watch holds and reads again.`,
      { component: 'evaluator', retryable: true, details: { warnings: kept } },
    ),
  };
}

function showTime(t: number): string {
  const date = new Date(t);
  return Number.isNaN(date.getTime()) ? `t=${t}` : date.toISOString();
}

function malformed(what: string): ReadResult {
  return {
    status: 'error',
    error: new RollgateError('SOURCE_BAD_RESPONSE', `The source's result is malformed: ${what}.`, {
      component: 'evaluator',
    }),
  };
}
