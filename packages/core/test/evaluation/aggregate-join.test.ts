import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { joinAggregate, joinCounts } from '../../src/evaluation/count-intervals';
import { AGGREGATE } from '../../src/evaluation/watch-state';
import type { ReadResult } from '../../src/ports/metric-source';

/**
 * A shortcut of the evaluation's count reads (docs/benchmarks.md, "floor10-issue-13") against the
 * general form it stands in for: the aggregate join without its map.
 */
describe('the aggregate join', () => {
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
});
