import { describe, expect, it } from 'vitest';
import { sanitize } from '../../src/evaluation/signal-reader';
import type { ReadResult, Sample } from '../../src/ports/metric-source';

const query = { measure: 'requests', selector: {} } as const;

function samplesOf(result: ReadResult): readonly Sample[] {
  if (result.status !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(result)}`);
  return result.series[0]?.samples ?? [];
}

describe('sanitize', () => {
  it('uses finite, ascending samples as they are: no copy on the tick path', () => {
    const samples = [
      { t: 1, v: 3 },
      { t: 2, v: 4 },
      { t: 2, v: 5 },
      { t: 3, v: Number.POSITIVE_INFINITY },
    ];
    const out = sanitize({ status: 'ok', series: [{ labels: {}, samples }] });
    expect(samplesOf(out)).toBe(samples);
  });

  it('returns a clean result itself, and a rebuilt one when anything had to change', () => {
    const clean: ReadResult = { status: 'ok', series: [{ labels: { pod: 'a' }, samples: [{ t: 1, v: 2 }] }] };
    expect(sanitize(clean, query)).toBe(clean);
    // Labels missing: the series gets an empty object, so the result is a new one.
    const unlabelled = {
      status: 'ok',
      series: [{ labels: null, samples: [{ t: 1, v: 2 }] }],
    } as unknown as ReadResult;
    const fixed = sanitize(unlabelled, query);
    expect(fixed).not.toBe(unlabelled);
    expect(fixed).toEqual({ status: 'ok', series: [{ labels: {}, samples: [{ t: 1, v: 2 }] }] });
    // Backend warnings that are not a partial answer are not carried into the engine's result.
    const warned: ReadResult = { ...clean, warnings: ['slow query'] } as ReadResult;
    expect(sanitize(warned, query)).toEqual(clean);
  });

  it('copies and orders samples that arrive out of order, ties in arrival order', () => {
    const samples = [
      { t: 3, v: 1 },
      { t: 1, v: 2 },
      { t: 3, v: 3 },
      { t: 2, v: 4 },
    ];
    const out = samplesOf(sanitize({ status: 'ok', series: [{ labels: {}, samples }] }, query));
    expect(out).not.toBe(samples);
    expect(out).toEqual([
      { t: 1, v: 2 },
      { t: 2, v: 4 },
      { t: 3, v: 1 },
      { t: 3, v: 3 },
    ]);
    expect(samples[0]).toEqual({ t: 3, v: 1 });
  });

  it('drops NaN values and non-finite times, keeping the rest in order', () => {
    const samples = [
      { t: 1, v: 1 },
      { t: 2, v: Number.NaN },
      { t: Number.POSITIVE_INFINITY, v: 3 },
      { t: 4, v: 4 },
    ];
    expect(samplesOf(sanitize({ status: 'ok', series: [{ labels: {}, samples }] }, query))).toEqual([
      { t: 1, v: 1 },
      { t: 4, v: 4 },
    ]);
  });

  it('still refuses an impossible reading and a malformed sample in an ordered series', () => {
    const impossible = sanitize(
      {
        status: 'ok',
        series: [
          {
            labels: {},
            samples: [
              { t: 1, v: 1 },
              { t: 2, v: -1 },
            ],
          },
        ],
      },
      query,
    );
    expect(impossible.status === 'error' && impossible.error.code).toBe('SOURCE_BAD_RESPONSE');
    const malformed = sanitize({
      status: 'ok',
      series: [{ labels: {}, samples: [{ t: 1, v: 1 }, { t: 2, v: '3' } as unknown as Sample] }],
    });
    expect(malformed.status === 'error' && malformed.error.message).toMatch(/not \{t: number, v: number\}/);
  });
});
