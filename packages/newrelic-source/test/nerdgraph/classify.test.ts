import { describe, expect, it } from 'vitest';
import { classify } from '../../src/nerdgraph/classify';
import { classificationCases } from '../support/classification-cases';
import { expectOutcome } from '../support/expect-outcome';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const cases = classificationCases(new Date(NOW + 30_000).toUTCString());

function headersOf(headers: Readonly<Record<string, string>> | undefined): Record<string, string> {
  return headers ?? {};
}

describe('classify: the classification table', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const result = classify(c.reply.status, c.reply.body, headersOf(c.reply.headers), { now: NOW });
    expectOutcome(result, c.expected);
  });
});

describe('classify: details', () => {
  it('reads the body from bytes as well as from a string', () => {
    const body = new TextEncoder().encode(
      JSON.stringify({ data: { actor: { account: { nrql: { results: [{ a: 1 }] } } } } }),
    );
    const result = classify(200, body, {});
    expect(result.ok).toBe(true);
  });

  it('finds headers whatever their case, and takes the first of a repeated header', () => {
    const upper = classify(429, '', { 'Retry-After': '2' });
    const repeated = classify(429, '', { 'retry-after': ['4', '9'] });
    expect(upper.ok ? undefined : upper.error.retryAfterMs).toBe(2000);
    expect(repeated.ok ? undefined : repeated.error.retryAfterMs).toBe(4000);
  });

  it('ignores an HTTP-date Retry-After when it is not told the time', () => {
    const result = classify(429, '', { 'retry-after': 'Wed, 01 May 2024 12:00:30 GMT' });
    expect(result.ok ? 'ok' : result.error.retryAfterMs).toBeUndefined();
  });

  it('never puts retryAfterMs on an error that is not retryable', () => {
    const result = classify(401, '', { 'retry-after': '5' });
    expect(result.ok ? 'ok' : result.error.retryAfterMs).toBeUndefined();
  });

  it('quotes New Relic’s message and error class in the message and details', () => {
    const body = JSON.stringify({
      data: null,
      errors: [{ message: "NRQL Syntax Error: Error at line 1 position 7, unexpected 'FORM'" }],
    });
    const result = classify(200, body, {});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toContain("unexpected 'FORM'");
    expect(result.error.details).toMatchObject({
      httpStatus: 200,
      messages: [expect.stringContaining('NRQL Syntax Error')],
    });
    const limited = classify(
      200,
      JSON.stringify({ errors: [{ message: 'slow', extensions: { errorClass: 'TOO_MANY_REQUESTS' } }] }),
      {},
    );
    expect(limited.ok ? undefined : limited.error.details.errorClass).toBe('TOO_MANY_REQUESTS');
  });

  it('removes anything shaped like a user key from the messages it quotes', () => {
    const body = JSON.stringify({
      errors: [
        {
          message: 'Key NRAK-ABCDEFGHIJKLMNOPQRSTUVWXYZ0 rejected; header API-Key: NRAK-ZZZ9',
          extensions: { error_code: 'BAD_API_KEY' },
        },
      ],
    });
    const result = classify(401, body, {});
    const text = JSON.stringify(
      result.ok ? result : { message: result.error.message, details: result.error.details },
    );
    expect(text).not.toContain('ABCDEFGHIJKLMNOPQRSTUVWXYZ0');
    expect(text).not.toContain('NRAK-ZZZ9');
    expect(text).toContain('[redacted]');
  });

  it('is pure: the same reply gives the same outcome', () => {
    for (const c of cases) {
      const a = classify(c.reply.status, c.reply.body, headersOf(c.reply.headers), { now: NOW });
      const b = classify(c.reply.status, c.reply.body, headersOf(c.reply.headers), { now: NOW });
      expect(JSON.stringify(a.ok ? a.value : a.error)).toBe(JSON.stringify(b.ok ? b.value : b.error));
    }
  });
});
