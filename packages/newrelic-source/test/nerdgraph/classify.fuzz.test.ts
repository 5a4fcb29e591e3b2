import { ROLLGATE_ERROR_CODES, RollgateError } from '@rollgate/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classify } from '../../src/nerdgraph/classify';
import { normaliseResults } from '../../src/nerdgraph/normalise-results';
import { fuzzReply, isValidNrqlReply, numbersIn } from '../support/reply-arbitraries';

const NOW = Date.parse('2024-05-01T12:00:00Z');

describe('classify under fuzzed replies', () => {
  it('never throws, and is ok only for a valid NRQL result', () => {
    fc.assert(
      fc.property(fuzzReply, (reply) => {
        const result = classify(reply.status, reply.body, reply.headers, { now: NOW });
        if (result.ok) {
          expect(isValidNrqlReply(reply.status, reply.body)).toBe(true);
          expect(Array.isArray(result.value)).toBe(true);
        } else {
          expect(RollgateError.is(result.error)).toBe(true);
          expect(ROLLGATE_ERROR_CODES).toContain(result.error.code);
          expect(typeof result.error.retryable).toBe('boolean');
          if (result.error.retryAfterMs !== undefined) {
            expect(result.error.retryable).toBe(true);
            expect(Number.isFinite(result.error.retryAfterMs)).toBe(true);
            expect(result.error.retryAfterMs).toBeGreaterThanOrEqual(0);
          }
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('classifies every valid NRQL result as ok', () => {
    fc.assert(
      fc.property(fuzzReply, (reply) => {
        fc.pre(isValidNrqlReply(reply.status, reply.body));
        expect(classify(reply.status, reply.body, reply.headers).ok).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('with normalisation, never yields NaN or a value that is not in the reply', () => {
    fc.assert(
      fc.property(fuzzReply, fc.boolean(), (reply, timeseries) => {
        const classified = classify(reply.status, reply.body, reply.headers);
        if (!classified.ok) return;
        const read = normaliseResults(classified.value, {
          nrql: 'raw',
          alias: undefined,
          unit: 'as-is',
          timeseries,
          sampleTime: NOW,
          facet: undefined,
          threshold: undefined,
        });
        expect(['ok', 'no-data', 'error']).toContain(read.status);
        if (read.status !== 'ok') return;
        const numbers = numbersIn(reply.body);
        for (const series of read.series) {
          expect(series.samples.length).toBeGreaterThan(0);
          for (const sample of series.samples) {
            expect(Number.isNaN(sample.v)).toBe(false);
            expect(Number.isFinite(sample.t)).toBe(true);
            expect(numbers.has(sample.v)).toBe(true);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});
