import type { MetricRequest } from '@rollgate/core';
import { describe, expect, it } from 'vitest';
import type { PrometheusReply } from '../../src/reply/envelope';
import { toReadResult } from '../../src/reply/to-read-result';

const request = (extra: Partial<MetricRequest> = {}): MetricRequest => ({
  query: { measure: 'requests', selector: {} },
  start: 0,
  end: 10_000,
  stepMs: 1000,
  ...extra,
});
const reply = (series: PrometheusReply['series'], warnings: string[] = []): PrometheusReply => ({
  resultType: 'matrix',
  series,
  warnings,
  infos: [],
});

describe('toReadResult', () => {
  it('returns one series with empty labels, NaN dropped, ±Inf kept, ascending', () => {
    const result = toReadResult(
      reply([
        {
          metric: { job: 'x' },
          samples: [
            { t: 3000, v: Number.POSITIVE_INFINITY },
            { t: 1000, v: Number.NaN },
            { t: 2000, v: 4 },
          ],
        },
      ]),
      request(),
    );
    expect(result).toEqual({
      status: 'ok',
      series: [
        {
          labels: {},
          samples: [
            { t: 2000, v: 4 },
            { t: 3000, v: Number.POSITIVE_INFINITY },
          ],
        },
      ],
    });
  });

  it('maps an empty result to no-data with a reason', () => {
    const result = toReadResult(reply([]), request());
    expect(result.status).toBe('no-data');
    if (result.status === 'no-data') expect(result.reason).toMatch(/no series/);
  });

  it('maps only-NaN samples to no-data, with a hint for quantiles', () => {
    const result = toReadResult(
      reply([{ metric: {}, samples: [{ t: 1000, v: Number.NaN }] }]),
      request({ query: { measure: 'latency-quantile', selector: {}, quantile: 0.99 } }),
    );
    expect(result.status).toBe('no-data');
    if (result.status === 'no-data') expect(result.reason).toMatch(/NaN.*no request completed/);
  });

  it('hints at the bucket boundary when exceedances find nothing', () => {
    const result = toReadResult(
      reply([]),
      request({ query: { measure: 'latency-exceedances', selector: {}, thresholdMs: 300 } }),
    );
    expect(result.status === 'no-data' && result.reason).toMatch(/bucket boundary/);
  });

  it('gives one series per segment with the label set ("" when missing), sorted', () => {
    const result = toReadResult(
      reply([
        { metric: { region: 'us' }, samples: [{ t: 1000, v: 1 }] },
        { metric: {}, samples: [{ t: 1000, v: 2 }] },
        { metric: { region: 'eu' }, samples: [{ t: 1000, v: 3 }] },
      ]),
      request({ segmentBy: 'region' }),
    );
    expect(result.status === 'ok' && result.series.map((s) => s.labels)).toEqual([
      { region: '' },
      { region: 'eu' },
      { region: 'us' },
    ]);
  });

  it('refuses several series without segmentBy, and duplicate segments (an unaggregated raw query)', () => {
    const two = reply([
      { metric: { instance: 'a' }, samples: [{ t: 1000, v: 1 }] },
      { metric: { instance: 'b' }, samples: [{ t: 1000, v: 1 }] },
    ]);
    const raw = request({ query: { measure: 'raw', query: 'up', valueType: 'gauge' } });
    const result = toReadResult(two, raw);
    expect(result.status === 'error' && result.error.code).toBe('SOURCE_BAD_QUERY');
    const dup = toReadResult(two, { ...raw, segmentBy: 'job' });
    expect(dup.status === 'error' && dup.error.message).toMatch(/sum by \(job\)/);
  });

  it('passes warnings through as partial', () => {
    const result = toReadResult(
      reply([{ metric: {}, samples: [{ t: 1, v: 1 }] }], ['partial response']),
      request(),
    );
    expect(result.status === 'ok' && result.partial).toEqual(['partial response']);
  });

  it('passes warnings through on an empty answer too: a partial empty result is no "zero" (issue 18)', () => {
    const result = toReadResult(reply([], ['partial response: store gateway down']), request());
    expect(result.status).toBe('no-data');
    expect(result.status === 'no-data' && result.partial).toEqual(['partial response: store gateway down']);
    const nan = toReadResult(
      reply([{ metric: {}, samples: [{ t: 1000, v: Number.NaN }] }], ['partial response']),
      request(),
    );
    expect(nan.status === 'no-data' && nan.partial).toEqual(['partial response']);
  });

  it('leaves infos out of the result: they say nothing about completeness', () => {
    const result = toReadResult(
      { ...reply([{ metric: {}, samples: [{ t: 1, v: 1 }] }]), infos: ['metric might not be a counter'] },
      request(),
    );
    expect(result).toEqual({ status: 'ok', series: [{ labels: {}, samples: [{ t: 1, v: 1 }] }] });
  });

  it('refuses a string result', () => {
    const result = toReadResult({ resultType: 'string', series: [], warnings: [], infos: [] }, request());
    expect(result.status === 'error' && result.error.code).toBe('SOURCE_BAD_QUERY');
  });
});
