import { describe, expect, it } from 'vitest';
import { classifyScrape } from '../../src/index';

const url = 'http://127.0.0.1:9100/metrics';
const text = { 'content-type': 'text/plain; version=0.0.4' };

describe('classifyScrape', () => {
  it('parses a 2xx text exposition', () => {
    const r = classifyScrape(200, 'up_gauge 1\n', text, { url });
    expect(r.ok && r.value.samples).toEqual([{ name: 'up_gauge', labels: {}, value: 1 }]);
  });

  it('fails the whole scrape on any unreadable line, like Prometheus', () => {
    const r = classifyScrape(200, 'a 1\nb{ 2\n', text, { url });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('SOURCE_BAD_RESPONSE');
      expect(r.error.message).toContain('line 2');
      expect(r.error.retryable).toBe(false);
    }
  });

  it('refuses protobuf and an HTML page served as 200', () => {
    const proto = classifyScrape(
      200,
      new Uint8Array([1, 2, 3]),
      { 'content-type': 'application/vnd.google.protobuf' },
      { url },
    );
    expect(!proto.ok && proto.error.code).toBe('SOURCE_BAD_RESPONSE');
    const html = classifyScrape(
      200,
      '<html><body>Login</body></html>',
      { 'content-type': 'text/html' },
      { url },
    );
    expect(!html.ok && html.error.code).toBe('SOURCE_BAD_RESPONSE');
  });

  it('maps statuses to codes, retryable where trying later may help', () => {
    const cases: [number, string, boolean][] = [
      [401, 'SOURCE_AUTH', false],
      [403, 'SOURCE_AUTH', false],
      [404, 'SOURCE_BAD_QUERY', false],
      [408, 'TIMEOUT', true],
      [429, 'SOURCE_RATE_LIMITED', true],
      [500, 'SOURCE_UNAVAILABLE', true],
      [503, 'SOURCE_UNAVAILABLE', true],
      [302, 'SOURCE_BAD_RESPONSE', false],
    ];
    for (const [status, code, retryable] of cases) {
      const r = classifyScrape(status, 'nope', {}, { url });
      expect(r.ok, String(status)).toBe(false);
      if (!r.ok) {
        expect(r.error.code, String(status)).toBe(code);
        expect(r.error.retryable, String(status)).toBe(retryable);
        expect(r.error.details.status).toBe(status);
        expect(r.error.message).toContain(url);
      }
    }
    const limited = classifyScrape(429, '', { 'Retry-After': '7' }, { url });
    expect(!limited.ok && limited.error.retryAfterMs).toBe(7_000);
  });

  it('scrubs secrets the endpoint echoes back', () => {
    const r = classifyScrape(
      503,
      '<h1>token abc-secret-123 rejected</h1>',
      {},
      { url, secrets: ['abc-secret-123'] },
    );
    expect(!r.ok && r.error.message).toContain('token [redacted] rejected');
    expect(!r.ok && r.error.message).not.toContain('abc-secret-123');
  });
});
