import { RollgateError } from '../errors/rollgate-error';
import { type AbortSignalLike, LocalAbortSignal, type PortContext } from '../ports/abort';
import type { MetricRequest, MetricSource, ReadResult } from '../ports/metric-source';
import type { Clock } from '../time/clock';

/** Options of {@link batchingSource}. */
export interface BatchingSourceOptions {
  /** The controller's clock: deadlines are compared on it, and `windowMs` is waited on it. */
  readonly clock: Clock;
  /**
   * How long to collect reads before one `readMany` carries them. Unset (the default): until the
   * end of the current turn, so the reads one evaluation issues together (every signal of a
   * tick) travel together. A number (0 included): that many ms of `clock` time, so the reads
   * of watches whose timers fire at the same instant, or within the window, travel together.
   */
  readonly windowMs?: number;
  /** Most requests in one `readMany` call; a full batch is sent at once. Default 1,000. */
  readonly maxBatch?: number;
}

/** What a {@link batchingSource} has done so far, for benchmarks and logs. */
export interface BatchingStats {
  /** `read` calls answered through `readMany`. */
  readonly reads: number;
  /** `readMany` calls made on the wrapped source for them. */
  readonly batches: number;
}

/** A {@link MetricSource} from {@link batchingSource}. */
export interface BatchingSource extends MetricSource {
  readMany(requests: readonly MetricRequest[], ctx: PortContext): Promise<readonly ReadResult[]>;
  /** Counts since creation. */
  stats(): BatchingStats;
}

const COMPONENT = 'batching-source';
const DEFAULT_MAX_BATCH = 1_000;

/** One `read` call waiting for its share of a `readMany` answer. */
interface Waiter {
  readonly request: MetricRequest;
  readonly ctx: PortContext;
  readonly resolve: (result: ReadResult) => void;
  settled: boolean;
  batch: Batch | undefined;
}

/** One `readMany` call in the making or in flight. */
interface Batch {
  readonly waiters: Waiter[];
  /** Waiters not yet settled; at 0 the batch's signal fires. */
  live: number;
  /** Set once it left: a full batch leaves early, and its timer must not send it again. */
  sent: boolean;
  /** Fired by the wrapper itself when every caller of the batch has given up. */
  readonly signal: LocalAbortSignal;
}

function abortedResult(reason: unknown): ReadResult {
  return {
    status: 'error',
    error: new RollgateError('ABORTED', 'The read was aborted by the caller.', {
      component: COMPONENT,
      retryable: false,
      cause: reason,
    }),
  };
}

function brokenResult(source: MetricSource, what: string, cause?: unknown): ReadResult {
  return {
    status: 'error',
    error: new RollgateError(
      'INTERNAL',
      `MetricSource "${source.name}" ${what} instead of resolving to one ReadResult per request; the adapter is broken.`,
      { component: COMPONENT, retryable: false, ...(cause === undefined ? {} : { cause }) },
    ),
  };
}

function thrownBy(method: string, error: unknown): string {
  // The thrown message is not echoed: a broken adapter may have put a secret in it.
  return `${method} threw ${error instanceof Error ? error.name : typeof error}`;
}

/**
 * Wraps a source so that `read` calls issued close together (by default: in the same turn, as
 * the reads of one evaluation tick are) reach it as one `readMany` call. Each caller still gets
 * exactly its own result, as if it had called `read`: the evaluator and the controller need no
 * change, only `sources: { prometheus: batchingSource(prometheus, { clock }) }`.
 *
 * A source without `readMany` is passed through untouched (`read` goes straight to it).
 *
 * Semantics a caller sees:
 * - A caller whose signal fires gets `ABORTED` at once; the batch goes on for the others and is
 *   aborted only when every caller in it gave up.
 * - A batch carries the earliest deadline of its callers, so no caller waits past its own. A
 *   read whose deadline has already passed is not batched: it goes alone through `read`, which
 *   answers `TIMEOUT` without holding the others back.
 * - A `readMany` that rejects, or resolves to anything but one result per request, is the
 *   adapter's bug: every caller of that batch gets an `INTERNAL` error, never a hang or a throw.
 *
 * The wrapper's own `readMany` splits a call over `maxBatch` and forwards it; `describe` and
 * `dispose` are the wrapped source's.
 */
export function batchingSource(source: MetricSource, options: BatchingSourceOptions): BatchingSource {
  const { clock } = options;
  const maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
  if (!Number.isInteger(maxBatch) || maxBatch < 1) {
    throw new RollgateError(
      'CONFIG_INVALID',
      `batchingSource: maxBatch must be a whole number >= 1 (got ${String(maxBatch)}).`,
      { component: COMPONENT, details: { field: 'maxBatch' } },
    );
  }
  const windowMs = options.windowMs;
  if (windowMs !== undefined && !(Number.isFinite(windowMs) && windowMs >= 0)) {
    throw new RollgateError(
      'CONFIG_INVALID',
      `batchingSource: windowMs must be a number of ms >= 0, or unset to batch per turn (got ${String(windowMs)}).`,
      { component: COMPONENT, details: { field: 'windowMs' } },
    );
  }
  const readMany = source.readMany?.bind(source);
  let open: Batch | undefined;
  let reads = 0;
  let batches = 0;
  // One abort listener per caller signal, however many of its reads wait: an evaluation tick
  // issues all its reads with one signal, and a listener each would pile up on it.
  const watched = new Map<AbortSignalLike, { readonly waiters: Set<Waiter>; readonly onAbort: () => void }>();

  const watch = (waiter: Waiter): void => {
    const signal = waiter.ctx.signal;
    let entry = watched.get(signal);
    if (entry === undefined) {
      const waiters = new Set<Waiter>();
      const onAbort = (): void => {
        watched.delete(signal);
        const failed = abortedResult(signal.reason);
        for (const w of waiters) settle(w, failed);
      };
      entry = { waiters, onAbort };
      watched.set(signal, entry);
      signal.addEventListener('abort', onAbort, { once: true });
    }
    entry.waiters.add(waiter);
  };

  const unwatch = (waiter: Waiter): void => {
    const signal = waiter.ctx.signal;
    const entry = watched.get(signal);
    if (entry === undefined) return;
    entry.waiters.delete(waiter);
    if (entry.waiters.size === 0) {
      watched.delete(signal);
      signal.removeEventListener('abort', entry.onAbort);
    }
  };

  const settle = (waiter: Waiter, result: ReadResult): void => {
    if (waiter.settled) return;
    waiter.settled = true;
    unwatch(waiter);
    const batch = waiter.batch;
    if (batch !== undefined) {
      batch.live -= 1;
      if (batch.live === 0 && batch.sent) batch.signal.abort('every caller of the batch settled');
    }
    waiter.resolve(result);
  };

  const send = async (batch: Batch, call: NonNullable<MetricSource['readMany']>): Promise<void> => {
    const waiters = batch.waiters.filter((w) => !w.settled);
    if (waiters.length === 0) return;
    batches += 1;
    reads += waiters.length;
    let deadline = Number.POSITIVE_INFINITY;
    for (const w of waiters) deadline = Math.min(deadline, w.ctx.deadline);
    let results: unknown;
    try {
      results = await call(
        waiters.map((w) => w.request),
        { signal: batch.signal, deadline },
      );
    } catch (error) {
      const failed = brokenResult(source, thrownBy('readMany', error), error);
      for (const w of waiters) settle(w, failed);
      return;
    }
    if (!Array.isArray(results) || results.length !== waiters.length) {
      const got = Array.isArray(results)
        ? `${results.length} results for ${waiters.length} requests`
        : 'no array';
      const failed = brokenResult(source, `readMany returned ${got}`);
      for (const w of waiters) settle(w, failed);
      return;
    }
    for (let i = 0; i < waiters.length; i++) settle(waiters[i] as Waiter, results[i] as ReadResult);
  };

  const flush = (batch: Batch, call: NonNullable<MetricSource['readMany']>): void => {
    if (batch.sent) return;
    batch.sent = true;
    if (open === batch) open = undefined;
    // A batch whose callers all gave up before it left is never sent.
    if (batch.live === 0) return;
    void send(batch, call);
  };

  const enqueue = (waiter: Waiter, call: NonNullable<MetricSource['readMany']>): void => {
    let batch = open;
    if (batch === undefined) {
      const created: Batch = { waiters: [], live: 0, sent: false, signal: new LocalAbortSignal() };
      open = created;
      batch = created;
      if (windowMs === undefined) void Promise.resolve().then(() => flush(created, call));
      else clock.setTimeout(() => flush(created, call), windowMs);
    }
    batch.waiters.push(waiter);
    batch.live += 1;
    waiter.batch = batch;
    if (batch.waiters.length >= maxBatch) flush(batch, call);
  };

  return {
    name: source.name,
    read(request, ctx) {
      if (readMany === undefined) return source.read(request, ctx);
      if (ctx.signal.aborted) return Promise.resolve(abortedResult(ctx.signal.reason));
      if (ctx.deadline <= clock.now()) return source.read(request, ctx);
      return new Promise<ReadResult>((resolve) => {
        const waiter: Waiter = {
          request,
          ctx,
          resolve,
          settled: false,
          batch: undefined,
        };
        watch(waiter);
        enqueue(waiter, readMany);
      });
    },
    async readMany(requests, ctx) {
      if (readMany === undefined) {
        return Promise.all(
          requests.map((r) =>
            // Through a promise first: a read that throws synchronously is caught too.
            Promise.resolve()
              .then(() => source.read(r, ctx))
              .catch((error: unknown) => brokenResult(source, thrownBy('read', error), error)),
          ),
        );
      }
      const out: ReadResult[] = [];
      for (let i = 0; i < requests.length; i += maxBatch) {
        const part = requests.slice(i, i + maxBatch);
        let results: readonly ReadResult[] | undefined;
        try {
          results = await readMany(part, ctx);
        } catch (error) {
          const failed = brokenResult(source, thrownBy('readMany', error), error);
          for (const _ of part) out.push(failed);
          continue;
        }
        if (!Array.isArray(results) || results.length !== part.length) {
          const failed = brokenResult(source, 'readMany returned the wrong number of results');
          for (const _ of part) out.push(failed);
          continue;
        }
        batches += 1;
        reads += part.length;
        out.push(...results);
      }
      return out;
    },
    describe: (request) => source.describe(request),
    dispose: () => source.dispose(),
    stats: () => ({ reads, batches }),
  };
}
