import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { joinAggregate, joinCounts } from '../../src/evaluation/count-intervals';
import { isSurge, LOAD_SMOOTH_STEPS, smoothedLoad } from '../../src/evaluation/load-surge';
import { PREVIOUS_TRIALS } from '../../src/evaluation/signal-evaluation';
import { AGGREGATE } from '../../src/evaluation/watch-state';
import type { ReadResult } from '../../src/ports/metric-source';

/**
 * Two shortcuts of the evaluation's count reads (docs/benchmarks.md, "floor10-issue-13") against
 * the general forms they stand in for: the aggregate join without its map, and the load marks
 * read from the newest trials only.
 */
describe("the count reads' shortcuts", () => {
  it('joinAggregate is the aggregate of joinCounts, as an array (property)', () => {
    const sample = fc.record({ t: fc.integer({ min: 0, max: 12 }), v: fc.integer({ min: -1, max: 9 }) });
    const read = fc.oneof(
      fc.record({
        status: fc.constant('ok' as const),
        series: fc.array(
          fc.record({ labels: fc.constant({}), samples: fc.array(sample, { maxLength: 6 }) }),
          {
            maxLength: 2,
          },
        ),
      }),
      fc.constant<ReadResult>({ status: 'no-data', reason: 'none' }),
    );
    fc.assert(
      fc.property(read, read, fc.option(fc.integer({ min: 0, max: 12 })), (events, trials, after) => {
        const e = events as ReadResult;
        const t = trials as ReadResult;
        expect(joinAggregate(e, t, after)).toEqual(joinCounts(e, t, undefined, after).get(AGGREGATE) ?? []);
      }),
      { numRuns: 3000 },
    );
  });

  it('the newest PREVIOUS_TRIALS trials mark surges and load as the whole window does (property)', () => {
    expect(PREVIOUS_TRIALS).toBeGreaterThanOrEqual(LOAD_SMOOTH_STEPS - 1);
    const profile = fc.record({
      meanPerStep: fc.double({ min: 1, max: 500, noNaN: true }),
      highPerStep: fc.double({ min: 1, max: 800, noNaN: true }),
    });
    fc.assert(
      fc.property(
        profile,
        fc.array(fc.integer({ min: 0, max: 2000 }), { maxLength: 60 }),
        fc.integer({ min: 0, max: 2000 }),
        (load, window, trials) => {
          const p = load as unknown as Parameters<typeof isSurge>[0];
          const newest = window.slice(-PREVIOUS_TRIALS);
          expect(isSurge(p, newest, trials)).toBe(isSurge(p, window, trials));
          expect(smoothedLoad(p, newest, trials)).toBe(smoothedLoad(p, window, trials));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
