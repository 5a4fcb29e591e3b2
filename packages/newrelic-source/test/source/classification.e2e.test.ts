import { createServer } from 'node:net';
import type { MetricRequest, ReadResult } from '@rollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNewRelicSource } from '../../src/source/newrelic-source';
import { classificationCases } from '../support/classification-cases';
import { expectOutcome } from '../support/expect-outcome';
import { ACCOUNT_ID, API_KEY, checkout, ctx, sourceFor, startDouble, T_END } from '../support/fixtures';
import type { NerdGraphDouble } from '../support/nerdgraph-double';

const single: MetricRequest = {
  query: { measure: 'requests', selector: checkout },
  start: T_END,
  end: T_END,
  stepMs: 60_000,
};

function asClassification(result: ReadResult) {
  if (result.status === 'error') return { ok: false as const, error: result.error };
  return { ok: true as const, value: result.status === 'ok' ? result.series : [] };
}

describe('the classification table end to end through the double', () => {
  let double: NerdGraphDouble;
  beforeAll(async () => {
    double = await startDouble();
  });
  afterAll(async () => {
    await double.close();
  });

  const cases = classificationCases(new Date(Date.now() + 30_000).toUTCString());
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    double.serveOnce({ kind: 'reply', reply: c.reply });
    const source = sourceFor(double);
    try {
      const result = await source.read(single, ctx());
      if (c.expected.ok) {
        expect(result.status).toBe(c.expected.read);
      } else {
        expectOutcome(asClassification(result), c.expected);
      }
    } finally {
      await source.dispose();
    }
  });
});

describe('failures the double produces itself', () => {
  let double: NerdGraphDouble;
  beforeAll(async () => {
    double = await startDouble();
  });
  afterAll(async () => {
    await double.close();
  });

  it('answers a wrong key with HTTP 401 BAD_API_KEY: SOURCE_AUTH', async () => {
    const source = sourceFor(double, { apiKey: 'NRAK-WRONGKEY000000000000000000' });
    const result = await source.read(single, ctx());
    await source.dispose();
    expect(result.status === 'error' && result.error.code).toBe('SOURCE_AUTH');
    expect(result.status === 'error' && result.error.details.httpStatus).toBe(401);
  });

  it('answers NRQL it cannot parse with the NRQL syntax error: SOURCE_BAD_QUERY', async () => {
    const source = sourceFor(double);
    const result = await source.read(
      {
        query: { measure: 'raw', query: 'SELECT count(*) FORM Transaction', valueType: 'count' },
        start: T_END,
        end: T_END,
        stepMs: 60_000,
      },
      ctx(),
    );
    await source.dispose();
    expect(result.status).toBe('error');
    if (result.status !== 'error') return;
    expect(result.error.code).toBe('SOURCE_BAD_QUERY');
    expect(result.error.retryable).toBe(false);
    expect(result.error.message).toContain('NRQL Syntax Error');
  });

  it('turns a hang into TIMEOUT at the deadline, retryable', async () => {
    double.serveOnce({ kind: 'hang' });
    const source = sourceFor(double);
    const started = Date.now();
    const result = await source.read(single, ctx(300));
    await source.dispose();
    expect(result.status === 'error' && result.error.code).toBe('TIMEOUT');
    expect(result.status === 'error' && result.error.retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('turns a refused connection into SOURCE_UNAVAILABLE, retryable', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const source = createNewRelicSource({
      accountId: ACCOUNT_ID,
      apiKey: API_KEY,
      region: 'eu',
      endpoint: `http://127.0.0.1:${port}/graphql`,
    });
    const result = await source.read(single, ctx());
    await source.dispose();
    expect(result.status).toBe('error');
    if (result.status !== 'error') return;
    expect(result.error.code).toBe('SOURCE_UNAVAILABLE');
    expect(result.error.retryable).toBe(true);
    expect(result.error.details.networkCode).toBe('ECONNREFUSED');
  });

  it('refuses a reply larger than maxResponseBytes with SOURCE_BAD_RESPONSE', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => ({ requests: i, padding: 'x'.repeat(50) }));
    double.serveOnce({
      kind: 'reply',
      reply: {
        status: 200,
        body: JSON.stringify({ data: { actor: { account: { nrql: { results: rows } } } } }),
      },
    });
    const source = sourceFor(double, { maxResponseBytes: 2048 });
    const result = await source.read(single, ctx());
    await source.dispose();
    expect(result.status === 'error' && result.error.code).toBe('SOURCE_BAD_RESPONSE');
  });
});
