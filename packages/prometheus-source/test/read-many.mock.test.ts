import type { MetricRequest, PortContext } from '@rollgate/core';
import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPrometheusSource, type PrometheusSource } from '../src/index';

// The grouped query's reply shapes a real Prometheus does not produce on demand (warnings, a
// malformed body), from a protocol-faithful double.
const ORIGIN = 'http://prometheus.test:9090';
const T = 1_700_000_060_000;
const request = (service: string): MetricRequest => ({
  query: { measure: 'requests', selector: { service } },
  start: T,
  end: T,
  stepMs: 60_000,
});
const ctx = (): PortContext => ({ signal: new AbortController().signal, deadline: Date.now() + 10_000 });
const vector = (service: string | undefined, v: string) => ({
  metric: service === undefined ? {} : { service },
  value: [T / 1000, v],
});

let agent: MockAgent;
let source: PrometheusSource;
let bodies: string[];

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  source = createPrometheusSource({ url: ORIGIN, dispatcher: agent });
  bodies = [];
});
afterEach(async () => {
  await source.dispose();
  await agent.close();
});

function replyOnce(status: number, body: string) {
  agent
    .get(ORIGIN)
    .intercept({ path: '/api/v1/query', method: 'POST' })
    .reply(status, (opts) => {
      bodies.push(new URLSearchParams(String(opts.body)).get('query') ?? '');
      return body;
    });
}

describe('readMany grouped replies', () => {
  it('sends one sum by (service) query and splits the reply: a missing series is no-data', async () => {
    replyOnce(
      200,
      JSON.stringify({
        status: 'success',
        data: {
          resultType: 'vector',
          // A value nobody asked for and a series without the label are ignored.
          result: [vector('b', '7'), vector('a', '3'), vector('zzz', '1'), vector(undefined, '9')],
        },
      }),
    );
    const results = await source.readMany([request('a'), request('b'), request('c'), request('a')], ctx());
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toMatch(/^sum by \(service\) \(.*service=~"a\|b\|c"/);
    expect(results.map((r) => r.status)).toEqual(['ok', 'ok', 'no-data', 'ok']);
    expect(results.map((r) => (r.status === 'ok' ? r.series : null))).toEqual([
      [{ labels: {}, samples: [{ t: T, v: 3 }] }],
      [{ labels: {}, samples: [{ t: T, v: 7 }] }],
      null,
      [{ labels: {}, samples: [{ t: T, v: 3 }] }],
    ]);
  });

  it("puts the reply's warnings as partial on every request of the query, the empty ones included", async () => {
    replyOnce(
      200,
      JSON.stringify({
        status: 'success',
        warnings: ['partial response: store gateway down'],
        data: { resultType: 'vector', result: [vector('a', '3')] },
      }),
    );
    const results = await source.readMany([request('a'), request('c')], ctx());
    expect(results).toEqual([
      {
        status: 'ok',
        series: [{ labels: {}, samples: [{ t: T, v: 3 }] }],
        partial: ['partial response: store gateway down'],
      },
      expect.objectContaining({ status: 'no-data', partial: ['partial response: store gateway down'] }),
    ]);
  });

  it('gives every request of a query with a malformed reply the same error, never data', async () => {
    replyOnce(
      200,
      '{"status":"success","data":{"resultType":"vector","result":[{"metric":{"service":"a"}}]}}',
    );
    const results = await source.readMany([request('a'), request('b'), request('c')], ctx());
    for (const result of results) {
      expect(result.status).toBe('error');
      if (result.status === 'error') expect(result.error.code).toBe('SOURCE_BAD_RESPONSE');
    }
  });

  it('gives every request of a query the backend refused its error, retryable as the backend said', async () => {
    replyOnce(503, 'Service Unavailable');
    const results = await source.readMany([request('a'), request('b')], ctx());
    expect(results.map((r) => (r.status === 'error' ? [r.error.code, r.error.retryable] : r.status))).toEqual(
      [
        ['SOURCE_UNAVAILABLE', true],
        ['SOURCE_UNAVAILABLE', true],
      ],
    );
  });

  it('answers ABORTED for every request when the caller already gave up, without a query', async () => {
    const c = new AbortController();
    c.abort();
    const results = await source.readMany([request('a'), request('b'), request('c')], {
      signal: c.signal,
      deadline: Date.now() + 10_000,
    });
    expect(bodies).toHaveLength(0);
    expect(results.map((r) => (r.status === 'error' ? r.error.code : r.status))).toEqual([
      'ABORTED',
      'ABORTED',
      'ABORTED',
    ]);
  });
});
