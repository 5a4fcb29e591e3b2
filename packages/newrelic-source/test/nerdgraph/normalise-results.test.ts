import { describe, expect, it } from 'vitest';
import type { NrqlRow } from '../../src/nerdgraph/classify';
import { normaliseResults } from '../../src/nerdgraph/normalise-results';
import type { NrqlPlan } from '../../src/nrql/query-builders';

const T = 1_700_000_400_000;

function plan(overrides: Partial<NrqlPlan> = {}): NrqlPlan {
  return {
    nrql: 'SELECT ...',
    alias: 'value',
    unit: 'as-is',
    timeseries: false,
    sampleTime: T,
    facet: undefined,
    threshold: undefined,
    ...overrides,
  };
}

function bucket(endSeconds: number, value: unknown, extra: Record<string, unknown> = {}): NrqlRow {
  return { beginTimeSeconds: endSeconds - 60, endTimeSeconds: endSeconds, ...extra, value };
}

describe('normaliseResults', () => {
  it('takes a number under the alias, at the request end without TIMESERIES', () => {
    expect(normaliseResults([{ value: 12 }], plan())).toEqual({
      status: 'ok',
      series: [{ labels: {}, samples: [{ t: T, v: 12 }] }],
    });
  });

  it('takes a number under any other single key when the alias is absent', () => {
    const result = normaliseResults([{ 'count.whatever': 3 }], plan());
    expect(result).toMatchObject({ series: [{ samples: [{ v: 3 }] }] });
  });

  it('takes a threshold-keyed object, flat or nested under any key', () => {
    const p = plan({ unit: 'seconds-to-ms', threshold: '99' });
    for (const row of [
      { value: { '99': 0.2345 } },
      { 'percentile.duration': { '99': 0.2345 } },
      { value: 0.2345 },
    ]) {
      expect(normaliseResults([row], p)).toMatchObject({ series: [{ samples: [{ v: 234.5 }] }] });
    }
    const several = normaliseResults([{ value: { '50': 0.1, '99.9': 0.9 } }], plan({ threshold: '99.9' }));
    expect(several).toMatchObject({ series: [{ samples: [{ v: 0.9 }] }] });
  });

  it('converts percentage() 0..100 to a fraction', () => {
    expect(normaliseResults([{ value: 75 }], plan({ unit: 'percent-to-fraction' }))).toMatchObject({
      series: [{ samples: [{ v: 0.75 }] }],
    });
  });

  it('uses endTimeSeconds × 1000 as the sample time and sorts ascending', () => {
    const rows = [bucket(1_700_000_400, 3), bucket(1_700_000_280, 1), bucket(1_700_000_340, 2)];
    const result = normaliseResults(rows, plan({ timeseries: true }));
    expect(result).toEqual({
      status: 'ok',
      series: [
        {
          labels: {},
          samples: [
            { t: 1_700_000_280_000, v: 1 },
            { t: 1_700_000_340_000, v: 2 },
            { t: 1_700_000_400_000, v: 3 },
          ],
        },
      ],
    });
  });

  it('splits faceted rows into one labelled series per facet value', () => {
    const rows = [
      bucket(1_700_000_400, 1, { facet: 'us', region: 'us' }),
      bucket(1_700_000_400, 2, { facet: 'eu', region: 'eu' }),
      bucket(1_700_000_340, 4, { facet: 'eu', region: 'eu' }),
    ];
    const result = normaliseResults(rows, plan({ timeseries: true, facet: 'region' }));
    expect(result).toEqual({
      status: 'ok',
      series: [
        {
          labels: { region: 'eu' },
          samples: [
            { t: 1_700_000_340_000, v: 4 },
            { t: 1_700_000_400_000, v: 2 },
          ],
        },
        { labels: { region: 'us' }, samples: [{ t: 1_700_000_400_000, v: 1 }] },
      ],
    });
  });

  it('falls back to the `facet` key for the label', () => {
    expect(normaliseResults([{ facet: 'eu', value: 1 }], plan({ facet: 'region' }))).toMatchObject({
      series: [{ labels: { region: 'eu' } }],
    });
  });

  it.each([
    ['[]', []],
    ['[{}]', [{}]],
    ['a null value', [{ value: null }]],
    ['a threshold object with a null value', [{ value: { '99': null } }]],
    ['an empty object value', [{ value: {} }]],
    ['an empty list value', [{ value: [] }]],
    ['TIMESERIES rows with only nulls', [bucket(1_700_000_400, null), bucket(1_700_000_340, null)]],
    ['TIMESERIES rows without a value key', [{ beginTimeSeconds: 1, endTimeSeconds: 2 }]],
  ])('maps %s to no-data', (_name, rows) => {
    const result = normaliseResults(
      rows as NrqlRow[],
      plan({ timeseries: rows.some((r) => 'endTimeSeconds' in r) }),
    );
    expect(result.status).toBe('no-data');
    if (result.status === 'no-data') expect(result.reason.length).toBeGreaterThan(0);
  });

  it('keeps the samples that have values and skips null buckets', () => {
    const result = normaliseResults(
      [bucket(1_700_000_340, null), bucket(1_700_000_400, 5)],
      plan({ timeseries: true }),
    );
    expect(result).toMatchObject({ series: [{ samples: [{ t: 1_700_000_400_000, v: 5 }] }] });
  });

  it('keeps ±Infinity (a JSON number beyond double range) and never lets NaN through', () => {
    const rows = JSON.parse('[{"value": 1e400}]') as NrqlRow[];
    expect(normaliseResults(rows, plan())).toMatchObject({
      series: [{ samples: [{ v: Number.POSITIVE_INFINITY }] }],
    });
    expect(normaliseResults([{ value: Number.NaN }], plan()).status).toBe('no-data');
  });

  it.each([
    ['a string value', [{ value: '12' }]],
    ['a boolean value', [{ value: true }]],
    ['a list of numbers', [{ value: [1, 2] }]],
    ['several values in a row', [{ a: 1, b: 2 }]],
    ['several thresholds, none asked for', [{ value: { '50': 1, '90': 2 } }]],
    ['a threshold object holding a string', [{ value: { '99': 'x' } }]],
  ])('refuses %s with SOURCE_BAD_RESPONSE', (_name, rows) => {
    const result = normaliseResults(rows as NrqlRow[], plan({ alias: undefined }));
    expect(result.status === 'error' && result.error.code).toBe('SOURCE_BAD_RESPONSE');
  });

  it('refuses TIMESERIES rows without endTimeSeconds and faceted rows without a facet', () => {
    const noTime = normaliseResults([{ value: 1 }], plan({ timeseries: true }));
    expect(noTime.status === 'error' && noTime.error.code).toBe('SOURCE_BAD_RESPONSE');
    const noFacet = normaliseResults([{ value: 1 }], plan({ facet: 'region' }));
    expect(noFacet.status === 'error' && noFacet.error.code).toBe('SOURCE_BAD_RESPONSE');
  });
});
