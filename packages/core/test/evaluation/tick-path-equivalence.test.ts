import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sanitize } from '../../src/evaluation/signal-reader';
import type { ReadResult, Series } from '../../src/ports/metric-source';

/**
 * The tick path's shortcuts (docs/benchmarks.md, "fleet-eval-issue-13") against the code they
 * replaced, on random inputs: the same answers, field for field.
 */

/** sanitize's rebuild of an ok result before the change: every series copied into a new array. */
function sanitizeBefore(result: ReadResult & { status: 'ok' }): ReadResult {
  const series: Series[] = [];
  let samples = 0;
  let unchanged = true;
  for (const s of result.series) {
    const labels = s.labels !== null && typeof s.labels === 'object' ? s.labels : {};
    let usable = true;
    let previous = Number.NEGATIVE_INFINITY;
    for (const p of s.samples) {
      if (Number.isNaN(p.v) || !Number.isFinite(p.t)) {
        usable = false;
        continue;
      }
      if (p.t < previous) usable = false;
      previous = p.t;
    }
    const clean = usable
      ? s.samples
      : s.samples
          .filter((p) => !Number.isNaN(p.v) && Number.isFinite(p.t))
          .map((p) => ({ t: p.t, v: p.v }))
          .sort((a, b) => a.t - b.t);
    if (!usable || labels !== s.labels) unchanged = false;
    samples += clean.length;
    series.push({ labels, samples: clean });
  }
  if (samples === 0) return { status: 'no-data', reason: 'the source returned no usable samples' };
  return unchanged && result.warnings === undefined ? result : { status: 'ok', series };
}

const sample = fc.record({
  t: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY)),
  v: fc.oneof(fc.double({ min: 0, max: 100, noNaN: true }), fc.constant(Number.NaN)),
});
const series = fc.record({
  labels: fc.oneof(fc.constant({}), fc.constant({ pod: 'a' }), fc.constant(null)),
  samples: fc.array(sample, { maxLength: 6 }),
});
const okResult = fc.record(
  {
    status: fc.constant('ok' as const),
    series: fc.array(series, { maxLength: 4 }),
    warnings: fc.constant(['w']),
  },
  { requiredKeys: ['status', 'series'] },
);

describe('tick path equivalence', () => {
  it('sanitize answers as before: the same result, the adapter own one exactly when it did (property)', () => {
    fc.assert(
      fc.property(okResult, (input) => {
        const result = input as unknown as ReadResult & { status: 'ok' };
        const before = sanitizeBefore(result);
        const now = sanitize(result);
        expect(now).toEqual(before);
        expect(now === result).toBe(before === result);
      }),
      { numRuns: 3000 },
    );
  });
});
