import type { MetricRequest, MetricSource } from '@rollgate/core';
import { ROLLGATE_ERROR_CODES, RollgateError } from '@rollgate/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, ctx, sourceFor, startDouble, T_END } from '../support/fixtures';
import type { NerdGraphDouble } from '../support/nerdgraph-double';
import { fuzzReply, isValidNrqlReply, numbersIn } from '../support/reply-arbitraries';

// A raw gauge read leaves values as NerdGraph sends them, so each can be found in the reply.
const request: MetricRequest = {
  query: { measure: 'raw', query: 'SELECT latest(x) FROM Anything', valueType: 'gauge' },
  start: T_END,
  end: T_END,
  stepMs: 60_000,
};

describe('fuzzed replies through the double and the source', () => {
  let double: NerdGraphDouble;
  let source: MetricSource;
  beforeAll(async () => {
    double = await startDouble();
    source = sourceFor(double);
  });
  afterAll(async () => {
    await source.dispose();
    await double.close();
  });

  it('never rejects, and is ok only for a valid NRQL result with values taken from it', async () => {
    let oks = 0;
    await fc.assert(
      fc.asyncProperty(fuzzReply, async (reply) => {
        double.serveOnce({ kind: 'reply', reply });
        const result = await source.read(request, ctx());
        expect(['ok', 'no-data', 'error']).toContain(result.status);
        if (result.status === 'error') {
          expect(RollgateError.is(result.error)).toBe(true);
          expect(ROLLGATE_ERROR_CODES).toContain(result.error.code);
          expect(JSON.stringify(result.error.toJSON())).not.toContain(API_KEY);
          return;
        }
        if (result.status === 'no-data') {
          expect(result.reason.length).toBeGreaterThan(0);
          return;
        }
        oks += 1;
        expect(isValidNrqlReply(reply.status, reply.body)).toBe(true);
        const numbers = numbersIn(reply.body);
        for (const series of result.series) {
          for (const sample of series.samples) {
            expect(sample.t).toBe(T_END);
            expect(Number.isNaN(sample.v)).toBe(false);
            expect(numbers.has(sample.v)).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
    // The generator does reach the ok path, so the property above is exercised.
    expect(oks).toBeGreaterThan(0);
  });
});
