import type { MetricRequest, ReadResult, Sample, Series } from '@rollgate/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PrometheusReply, RawSeries } from '../../src/reply/envelope';
import { toReadResult } from '../../src/reply/to-read-result';

/**
 * The series shaping as it was before the samples were kept as parsed when ordered
 * (docs/benchmarks.md, `alloc15-issue-13`): NaN dropped by a filter, every sample copied, then
 * sorted. Only the samples step, which is what changed; the rest of toReadResult is the same code.
 */
function samplesBefore(raw: RawSeries['samples']): Sample[] {
  const samples: Sample[] = raw.filter((s) => !Number.isNaN(s.v)).map((s) => ({ t: s.t, v: s.v }));
  samples.sort((a, b) => a.t - b.t);
  return samples;
}

const request: MetricRequest = {
  query: { measure: 'requests', selector: {} },
  start: 0,
  end: 600_000,
  stepMs: 5000,
};

// Times on a coarse grid so ties happen; values with NaN and infinities in them.
const value = fc.oneof(
  { weight: 6, arbitrary: fc.double({ noNaN: true, min: -1e6, max: 1e6 }) },
  { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY) },
);
const sample = fc.record({ t: fc.integer({ min: 0, max: 40 }).map((k) => k * 5000), v: value });
// Half the series ascending (Prometheus' own order), half in any order.
const samples = fc.oneof(
  fc.array(sample, { maxLength: 30 }).map((list) => [...list].sort((a, b) => a.t - b.t)),
  fc.array(sample, { maxLength: 30 }),
);

describe('toReadResult keeps ordered samples as parsed', () => {
  it('gives the same series, samples and JSON as copying, filtering and sorting them', () => {
    fc.assert(
      fc.property(samples, (raw) => {
        const reply: PrometheusReply = {
          resultType: 'matrix',
          series: [{ metric: { job: 'x' }, samples: raw }],
          warnings: [],
          infos: [],
        };
        const frozen = JSON.stringify(raw);
        const result = toReadResult(reply, request);
        const expected = samplesBefore(raw);
        if (expected.length === 0) {
          expect(result.status).toBe('no-data');
          return;
        }
        expect(result.status).toBe('ok');
        const got = (result as Extract<ReadResult, { status: 'ok' }>).series[0] as Series;
        expect(got.samples).toEqual(expected);
        expect(got.samples.length).toBe(expected.length);
        got.samples.forEach((s, i) => {
          expect(Object.keys(s)).toEqual(['t', 'v']);
          expect(Object.is(s.t, expected[i]?.t) && Object.is(s.v, expected[i]?.v)).toBe(true);
        });
        // The parsed samples are never changed, copied or not.
        expect(JSON.stringify(raw)).toBe(frozen);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps the parsed array when it is ordered and NaN-free, and copies it otherwise', () => {
    const ordered = [
      { t: 1000, v: 1 },
      { t: 1000, v: 2 },
      { t: 2000, v: Number.POSITIVE_INFINITY },
    ];
    const kept = toReadResult(
      { resultType: 'matrix', series: [{ metric: {}, samples: ordered }], warnings: [], infos: [] },
      request,
    ) as Extract<ReadResult, { status: 'ok' }>;
    expect(kept.series[0]?.samples).toBe(ordered);
    const withNaN = [
      { t: 1000, v: 1 },
      { t: 2000, v: Number.NaN },
    ];
    const copied = toReadResult(
      { resultType: 'matrix', series: [{ metric: {}, samples: withNaN }], warnings: [], infos: [] },
      request,
    ) as Extract<ReadResult, { status: 'ok' }>;
    expect(copied.series[0]?.samples).toEqual([{ t: 1000, v: 1 }]);
    expect(copied.series[0]?.samples).not.toBe(withNaN);
  });
});
