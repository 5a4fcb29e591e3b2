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
  readonly bug?: 'two-series-without-segmentBy' | 'samples-outside-range';
}

const COMPONENT = 'reference-source';

function error(code: 'ABORTED' | 'TIMEOUT' | 'SOURCE_UNAVAILABLE', message: string): ReadResult {
  return {
    status: 'error',
    error: new RollgateError(code, message, { component: COMPONENT, retryable: code !== 'ABORTED' }),
  };
}

/**
 * A small MetricSource that follows the port's rules (one aggregated series without segmentBy,
 * samples at start, start + step, ..., end), unless told to break one of them.
 */
export function referenceSource(options: ReferenceSourceOptions): MetricSource {
  return {
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
      const samples: { t: number; v: number }[] = [];
      for (let t = request.start; t <= request.end; t += request.stepMs) samples.push({ t, v: 10 });
      if (options.bug === 'samples-outside-range') samples.push({ t: request.end + request.stepMs, v: 10 });
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
    async dispose() {},
  };
}
