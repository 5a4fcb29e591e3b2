import { inspect } from 'node:util';
import type { MetricRequest, ReadResult } from '@rollgate/core';
import { RollgateError } from '@rollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNewRelicSource } from '../../src/source/newrelic-source';
import {
  ACCOUNT_ID,
  API_KEY,
  checkout,
  ctx,
  MINUTE,
  sourceFor,
  startDouble,
  T_END,
} from '../support/fixtures';
import type { NerdGraphDouble } from '../support/nerdgraph-double';
import { replies } from '../support/nerdgraph-double';

const request: MetricRequest = {
  query: { measure: 'requests', selector: checkout },
  start: T_END,
  end: T_END,
  stepMs: MINUTE,
};

/** Every way an error or result might be shown, logged or stored. */
function renderings(value: unknown): string[] {
  const out = [
    inspect(value, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
    JSON.stringify(value) ?? '',
  ];
  if (RollgateError.is(value)) {
    out.push(
      value.message,
      JSON.stringify(value.toJSON()),
      JSON.stringify(value.details),
      String(value.cause),
      value.stack ?? '',
    );
  }
  if (typeof value === 'object' && value !== null && 'error' in value)
    out.push(...renderings((value as { error: unknown }).error));
  return out;
}

function expectNoSecret(value: unknown, secret: string): void {
  for (const text of renderings(value)) {
    expect(text).not.toContain(secret);
    expect(text).not.toContain(JSON.stringify(secret).slice(1, -1));
  }
}

describe('the API key never leaves the API-Key header', () => {
  let double: NerdGraphDouble;
  beforeAll(async () => {
    double = await startDouble();
  });
  afterAll(async () => {
    await double.close();
  });

  it.each([401, 200, 500, 429])(
    'not from an error body (HTTP %i) that echoes the request headers',
    async (status) => {
      double.serveOnce({ kind: 'echo-headers', status });
      const source = sourceFor(double);
      const result = await source.read(request, ctx());
      await source.dispose();
      expect(result.status).toBe('error');
      // The double really did echo it: the key was in the reply.
      expect(double.requests.at(-1)?.headers['api-key']).toBe(API_KEY);
      expectNoSecret(result, API_KEY);
      if (result.status === 'error') expect(result.error.message).toContain('[redacted]');
    },
  );

  it('not when the key has characters JSON escapes, echoed in escaped form', async () => {
    const oddKey = 'NRAK-odd"key\\with/slash';
    const odd = await startDouble({ apiKey: oddKey });
    odd.serve({ kind: 'echo-headers', status: 401 });
    const source = sourceFor(odd, { apiKey: oddKey });
    const result = await source.read(request, ctx());
    await source.dispose();
    await odd.close();
    expect(result.status === 'error' && result.error.code).toBe('SOURCE_AUTH');
    expectNoSecret(result, oddKey);
  });

  it('not from HTML, syntax-error, timeout, abort or connection failures', async () => {
    const results: ReadResult[] = [];
    const source = sourceFor(double);
    double.serveOnce({ kind: 'reply', reply: replies.html() });
    results.push(await source.read(request, ctx()));
    results.push(
      await source.read(
        { ...request, query: { measure: 'raw', query: 'SELECT nonsense(', valueType: 'gauge' } },
        ctx(),
      ),
    );
    double.serveOnce({ kind: 'hang' });
    results.push(await source.read(request, ctx(100)));
    const c = new AbortController();
    c.abort();
    results.push(await source.read(request, { signal: c.signal, deadline: Date.now() + 1000 }));
    await source.dispose();
    const refused = createNewRelicSource({
      accountId: ACCOUNT_ID,
      apiKey: API_KEY,
      region: 'us',
      endpoint: 'http://127.0.0.1:1/graphql',
    });
    results.push(await refused.read(request, ctx()));
    await refused.dispose();
    expect(results.map((r) => r.status === 'error' && r.error.code)).toEqual([
      'SOURCE_BAD_RESPONSE',
      'SOURCE_BAD_QUERY',
      'TIMEOUT',
      'ABORTED',
      'SOURCE_UNAVAILABLE',
    ]);
    for (const result of results) expectNoSecret(result, API_KEY);
  });

  it('not in describe() output, nor in the source object itself', () => {
    const source = sourceFor(double);
    expect(source.describe(request)).not.toContain(API_KEY);
    expect(source.describe({ ...request, stepMs: 0 })).not.toContain(API_KEY);
    expectNoSecret(source, API_KEY);
  });

  it('not in CONFIG_INVALID errors, whichever option is wrong', () => {
    const bad: Record<string, unknown>[] = [
      { apiKey: `${API_KEY} ` },
      { apiKey: `${API_KEY}\n` },
      { accountId: -1 },
      { region: 'ap' },
      { timeoutSeconds: 500 },
      { endpoint: `https://user:${API_KEY}@example.com/graphql` },
      { endpoint: 'not a url' },
      { maxConcurrent: 26 },
    ];
    for (const override of bad) {
      let caught: unknown;
      try {
        createNewRelicSource({ accountId: ACCOUNT_ID, apiKey: API_KEY, region: 'us', ...override } as never);
      } catch (error) {
        caught = error;
      }
      expect(RollgateError.is(caught) && caught.code).toBe('CONFIG_INVALID');
      expectNoSecret(caught, API_KEY);
    }
  });
});

describe('describe() with a raw query that contains the key', () => {
  it('redacts it', async () => {
    const double = await startDouble();
    const source = sourceFor(double);
    const text = source.describe({
      ...request,
      query: {
        measure: 'raw',
        query: `SELECT count(*) FROM Transaction WHERE note = '${API_KEY}'`,
        valueType: 'count',
      },
    });
    expect(text).not.toContain(API_KEY);
    expect(text).toContain('[redacted]');
    await source.dispose();
    await double.close();
  });
});
