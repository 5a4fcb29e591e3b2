import type { MetricRequest, MetricSource, PortContext, ReadResult } from '@rollgate/core';

/**
 * A MetricSource that answers a repeated request from memory. Calibration replays the same
 * history once per candidate contract; most reads are identical across candidates, so the
 * backend is asked once. Errors are not cached (a retry may succeed).
 */
export function cachingSource(
  source: MetricSource,
): MetricSource & { readonly hits: number; readonly misses: number } {
  const cache = new Map<string, Promise<ReadResult>>();
  let hits = 0;
  let misses = 0;
  return {
    name: source.name,
    get hits() {
      return hits;
    },
    get misses() {
      return misses;
    },
    describe: (request) => source.describe(request),
    dispose: () => source.dispose(),
    read(request: MetricRequest, ctx: PortContext): Promise<ReadResult> {
      const key = JSON.stringify([
        request.query,
        request.start,
        request.end,
        request.stepMs,
        request.segmentBy ?? null,
      ]);
      const cached = cache.get(key);
      if (cached) {
        hits++;
        return cached;
      }
      misses++;
      const pending = source.read(request, ctx).then((result) => {
        if (result.status === 'error') cache.delete(key);
        return result;
      });
      cache.set(key, pending);
      return pending;
    },
  };
}
