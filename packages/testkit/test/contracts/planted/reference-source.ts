import {
  type MetricRequest,
  type MetricSource,
  type PortContext,
  type ReadResult,
  RollgateError,
} from '@rollgate/core';

/** How a reference source's backend behaves, and the bug planted in it (if any). */
export interface ReferenceSourceOptions {
  readonly backend: 'ok' | 'failing' | 'hanging';
  readonly bug?:
    | 'two-series-without-segmentBy'
    | 'samples-outside-range'
    | 'readMany-out-of-order'
    | 'readMany-one-bad-query-fails-all';
}

const COMPONENT = 'reference-source';

function error(
  code: 'ABORTED' | 'TIMEOUT' | 'SOURCE_UNAVAILABLE' | 'SOURCE_BAD_QUERY',
  message: string,
): ReadResult {
  return {
    status: 'error',
    error: new RollgateError(code, message, {
      component: COMPONENT,
      retryable: code === 'TIMEOUT' || code === 'SOURCE_UNAVAILABLE',
    }),
  };
}

/**
 * A small MetricSource that follows the port's rules (one aggregated series without segmentBy,
 * samples at start, start + step, ..., end; `readMany` answers each request as `read` does),
 * unless told to break one of them.
 */
export function referenceSource(options: ReferenceSourceOptions): MetricSource {
  const source: MetricSource = {
    name: `reference:${options.backend}`,
    describe: (request) => `reference ${JSON.stringify(request.query)}`,
    async read(request: MetricRequest, ctx: PortContext): Promise<ReadResult> {
      if (ctx.signal.aborted) return error('ABORTED', 'aborted by the caller');
      if (options.backend === 'failing') return error('SOURCE_UNAVAILABLE', 'the backend answered 503');
      if (options.backend === 'hanging') {
        return new Promise<ReadResult>((resolve) => {
          const timer = setTimeout(
            () => resolve(error('TIMEOUT', 'no answer by the deadline')),
            Math.max(0, ctx.deadline - Date.now()),
          );
          ctx.signal.addEventListener('abort', () => {
            clearTimeout(timer);
            resolve(error('ABORTED', 'aborted by the caller'));
          });
        });
      }
      if ('selector' in request.query && request.query.selector.service === 'none')
        return { status: 'no-data', reason: 'no series matched' };
      if ('selector' in request.query && 'bad label' in request.query.selector)
        return error('SOURCE_BAD_QUERY', 'label names are letters, digits and _');
      const samples: { t: number; v: number }[] = [];
      // A value per service, so answers given to the wrong request show.
      const value = 'selector' in request.query ? (request.query.selector.service ?? '').length : 10;
      for (let t = request.start; t <= request.end; t += request.stepMs) samples.push({ t, v: value });
      if (options.bug === 'samples-outside-range')
        samples.push({ t: request.end + request.stepMs, v: value });
      const series = [{ labels: {}, samples }];
      if (options.bug === 'two-series-without-segmentBy') {
        // The backend's two instances, passed through instead of summed.
        return {
          status: 'ok',
          series: [
            { labels: { instance: 'a' }, samples },
            { labels: { instance: 'b' }, samples },
          ],
        };
      }
      return { status: 'ok', series };
    },
    async readMany(requests, ctx) {
      const results = await Promise.all(requests.map((r) => source.read(r, ctx)));
      if (options.bug === 'readMany-out-of-order') return [...results].reverse();
      const bad = results.find((r) => r.status === 'error' && r.error.code === 'SOURCE_BAD_QUERY');
      if (options.bug === 'readMany-one-bad-query-fails-all' && bad) return results.map(() => bad);
      return results;
    },
    async dispose() {},
  };
  return source;
}
