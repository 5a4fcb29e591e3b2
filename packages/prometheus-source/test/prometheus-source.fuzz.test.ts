import { RollgateError } from '@rollgate/core';
import fc from 'fast-check';
import { MockAgent } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { createPrometheusSource } from '../src/index';
import { classify } from '../src/reply/classify';

const ORIGIN = 'http://fuzz.test:9090';

/** An oracle independent of the parser: what a reply must at least look like to be data. */
function looksLikeEnvelope(status: number, body: string | Uint8Array): boolean {
  if (status < 200 || status > 299) return false;
  try {
    const text = typeof body === 'string' ? body : new TextDecoder().decode(body);
    const json = JSON.parse(text.replace(/^\uFEFF/, '')) as {
      status?: unknown;
      data?: { resultType?: unknown };
    };
    return (
      json.status === 'success' &&
      ['vector', 'matrix', 'scalar', 'string'].includes(String(json.data?.resultType))
    );
  } catch {
    return false;
  }
}

const statuses = fc.oneof(
  fc.constantFrom(200, 204, 301, 400, 401, 403, 404, 422, 429, 499, 500, 502, 503, 504),
  fc.integer({ min: 200, max: 599 }),
);
const sampleValue = fc.oneof(
  fc.constantFrom('NaN', '+Inf', '-Inf', 'Inf', '1e-07', '0', '', 'x'),
  fc.double().map(String),
  fc.jsonValue(),
);
const pair = fc.oneof(fc.tuple(fc.oneof(fc.double(), fc.jsonValue()), sampleValue), fc.jsonValue());
const element = fc.record(
  {
    metric: fc.oneof(fc.dictionary(fc.string(), fc.string()), fc.jsonValue()),
    value: pair,
    values: fc.oneof(fc.array(pair, { maxLength: 5 }), fc.jsonValue()),
    histogram: fc.jsonValue(),
  },
  { requiredKeys: [] },
);
/** Envelope-shaped JSON with every part possibly wrong: the parser's hardest inputs. */
const envelopeish = fc
  .record(
    {
      status: fc.oneof(fc.constantFrom('success', 'error'), fc.jsonValue()),
      data: fc.oneof(
        fc.record(
          {
            resultType: fc.oneof(fc.constantFrom('vector', 'matrix', 'scalar', 'string'), fc.string()),
            result: fc.oneof(fc.array(element, { maxLength: 4 }), pair, fc.jsonValue()),
          },
          { requiredKeys: [] },
        ),
        fc.jsonValue(),
      ),
      errorType: fc.oneof(fc.constantFrom('bad_data', 'execution', 'timeout', 'internal'), fc.jsonValue()),
      error: fc.oneof(fc.string(), fc.jsonValue()),
      warnings: fc.oneof(fc.array(fc.string(), { maxLength: 2 }), fc.jsonValue()),
    },
    { requiredKeys: [] },
  )
  .map((value) => JSON.stringify(value));
const bodies = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  envelopeish,
);
const headers = fc.dictionary(
  fc.constantFrom('content-type', 'retry-after', 'Retry-After', 'x-other', 'content-length'),
  fc.oneof(fc.string(), fc.constantFrom('5', 'text/html', 'Wed, 21 Oct 2015 07:28:00 GMT', '-1', 'NaN')),
);

describe('fuzz: classify', () => {
  it('always returns a result, never ok for a non-envelope', () => {
    fc.assert(
      fc.property(
        statuses,
        bodies,
        headers,
        fc.option(fc.integer(), { nil: undefined }),
        (status, body, hdrs, now) => {
          const result = classify(status, body, hdrs, now === undefined ? {} : { now });
          if (result.ok) {
            expect(looksLikeEnvelope(status, body)).toBe(true);
          } else {
            expect(RollgateError.is(result.error)).toBe(true);
            expect(typeof result.error.retryable).toBe('boolean');
            if (result.error.retryAfterMs !== undefined)
              expect(result.error.retryAfterMs).toBeGreaterThanOrEqual(0);
          }
        },
      ),
      { numRuns: 3_000 },
    );
  });
});

describe('fuzz: read through the HTTP stack', () => {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const source = createPrometheusSource({ url: ORIGIN, dispatcher: agent });
  afterAll(async () => {
    await source.dispose();
    await agent.close();
  });

  it('resolves every reply to the result union with NaN-free ascending samples', async () => {
    await fc.assert(
      fc.asyncProperty(
        statuses,
        bodies,
        fc.boolean(),
        fc.boolean(),
        async (status, body, range, segmented) => {
          agent
            .get(ORIGIN)
            .intercept({ path: range ? '/api/v1/query_range' : '/api/v1/query', method: 'POST' })
            .reply(status, typeof body === 'string' ? body : Buffer.from(body));
          const end = 1_700_000_060_000;
          const result = await source.read(
            {
              query: { measure: 'raw', query: 'sum(up)', valueType: 'gauge' },
              start: range ? end - 60_000 : end,
              end,
              stepMs: 10_000,
              ...(segmented ? { segmentBy: 'job' } : {}),
            },
            { signal: new AbortController().signal, deadline: Date.now() + 5_000 },
          );
          expect(['ok', 'no-data', 'error']).toContain(result.status);
          if (result.status === 'ok') {
            expect(looksLikeEnvelope(status, body)).toBe(true);
            expect(result.series.length).toBeGreaterThan(0);
            for (const series of result.series) {
              expect(series.samples.length).toBeGreaterThan(0);
              for (let i = 0; i < series.samples.length; i++) {
                const sample = series.samples[i];
                expect(Number.isNaN(sample?.v)).toBe(false);
                if (i > 0) expect(sample?.t).toBeGreaterThanOrEqual(series.samples[i - 1]?.t ?? 0);
              }
            }
          }
          if (result.status === 'error') expect(RollgateError.is(result.error)).toBe(true);
          if (result.status === 'no-data') expect(result.reason.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
