import { describe, expect, it } from 'vitest';
import { classify } from '../../src/reply/classify';

const json = (value: unknown) => JSON.stringify(value);
const vector = (result: unknown) => json({ status: 'success', data: { resultType: 'vector', result } });
const errorBody = (errorType: string, error: string) => json({ status: 'error', errorType, error });

function expectError(result: ReturnType<typeof classify>) {
  expect(result.ok).toBe(false);
  if (result.ok) throw new Error('unreachable');
  return result.error;
}

describe('classify: successful replies', () => {
  it('parses a vector with special values mapped', () => {
    const result = classify(
      200,
      vector([
        { metric: { a: '1' }, value: [1_700_000_000.5, '+Inf'] },
        { metric: {}, value: [1_700_000_000.5, 'NaN'] },
      ]),
      { 'content-type': 'application/json' },
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.resultType).toBe('vector');
    expect(result.value.series[0]).toEqual({
      metric: { a: '1' },
      samples: [{ t: 1_700_000_000_500, v: Number.POSITIVE_INFINITY }],
    });
    expect(result.value.series[1]?.samples[0]?.v).toBeNaN();
  });

  it('parses a matrix and a scalar, and keeps warnings apart from infos (issue 18: only warnings mean partial data)', () => {
    const matrix = classify(
      200,
      json({
        status: 'success',
        data: {
          resultType: 'matrix',
          result: [
            {
              metric: {},
              values: [
                [1, '1'],
                [2, '-Inf'],
              ],
            },
          ],
        },
        warnings: ['too many series'],
        infos: ['metric might not be a counter'],
      }),
      {},
    );
    expect(matrix.ok && matrix.value.series[0]?.samples).toEqual([
      { t: 1000, v: 1 },
      { t: 2000, v: Number.NEGATIVE_INFINITY },
    ]);
    expect(matrix.ok && matrix.value.warnings).toEqual(['too many series']);
    expect(matrix.ok && matrix.value.infos).toEqual(['metric might not be a counter']);
    // Before Prometheus had `infos`, its info annotations came in `warnings`, marked as such.
    const old = classify(
      200,
      json({
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: {}, value: [1, '1'] }] },
        warnings: [
          'PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "up"',
        ],
      }),
      {},
    );
    expect(old.ok && old.value.warnings).toEqual([]);
    expect(old.ok && old.value.infos).toHaveLength(1);
    const scalar = classify(
      200,
      json({ status: 'success', data: { resultType: 'scalar', result: [3, '0.5'] } }),
      {},
    );
    expect(scalar.ok && scalar.value.series).toEqual([{ metric: {}, samples: [{ t: 3000, v: 0.5 }] }]);
  });

  it('accepts a body given as bytes, with a BOM', () => {
    const bytes = new TextEncoder().encode(`\uFEFF${vector([])}`);
    const result = classify(200, bytes, {});
    expect(result.ok).toBe(true);
  });
});

describe('classify: bad responses on 2xx are never data', () => {
  const cases: [string, string][] = [
    ['malformed JSON', '{"status":"success","data":'],
    ['HTML from a proxy', '<html><body><h1>Sign in</h1></body></html>'],
    ['empty body', ''],
    ['a JSON array', '[]'],
    ['an unknown status', json({ status: 'ok', data: {} })],
    ['numbers instead of strings', vector([{ metric: {}, value: [1, 5] }])],
    ['no metric', vector([{ value: [1, '5'] }])],
    ['non-string label', vector([{ metric: { a: 1 }, value: [1, '5'] }])],
    ['string timestamp', vector([{ metric: {}, value: ['1', '5'] }])],
    ['an unknown result type', json({ status: 'success', data: { resultType: 'streams', result: [] } })],
    ['a bad value', vector([{ metric: {}, value: [1, 'five'] }])],
  ];
  for (const [name, body] of cases) {
    it(`${name} is SOURCE_BAD_RESPONSE`, () => {
      const error = expectError(classify(200, body, { 'content-type': 'text/html' }));
      expect(error.code).toBe('SOURCE_BAD_RESPONSE');
      expect(error.retryable).toBe(false);
      expect(error.component).toBe('prometheus-source');
    });
  }

  it('rejects native histograms with a message that says what to do', () => {
    const body = vector([{ metric: {}, histogram: [1, { count: '3', sum: '1', buckets: [] }] }]);
    const error = expectError(classify(200, body, {}));
    expect(error.code).toBe('SOURCE_BAD_RESPONSE');
    expect(error.message).toMatch(/native-histogram/);
    expect(error.message).toMatch(/histogram_quantile/);
    const matrix = json({
      status: 'success',
      data: { resultType: 'matrix', result: [{ metric: {}, histograms: [[1, { count: '1' }]] }] },
    });
    expect(expectError(classify(200, matrix, {})).message).toMatch(/native-histogram/);
  });

  it('turns a 2xx error envelope into the error it describes', () => {
    expect(expectError(classify(200, errorBody('bad_data', 'parse error'), {})).code).toBe(
      'SOURCE_BAD_QUERY',
    );
  });
});

describe('classify: HTTP errors', () => {
  it('400 bad_data and 422 execution are SOURCE_BAD_QUERY, not retryable, with the server text', () => {
    const bad = expectError(
      classify(400, errorBody('bad_data', '1:5: parse error: unexpected end of input'), {}),
    );
    expect(bad.code).toBe('SOURCE_BAD_QUERY');
    expect(bad.retryable).toBe(false);
    expect(bad.message).toContain('parse error: unexpected end of input');
    expect(bad.details).toMatchObject({ status: 400, errorType: 'bad_data' });
    const exec = expectError(
      classify(422, errorBody('execution', 'query processing would load too many samples'), {}),
    );
    expect(exec.code).toBe('SOURCE_BAD_QUERY');
    expect(exec.retryable).toBe(false);
  });

  it('401 and 403 are SOURCE_AUTH', () => {
    expect(expectError(classify(401, 'Unauthorized', {})).code).toBe('SOURCE_AUTH');
    const forbidden = expectError(classify(403, '<html>Forbidden</html>', { 'content-type': 'text/html' }));
    expect(forbidden.code).toBe('SOURCE_AUTH');
    expect(forbidden.retryable).toBe(false);
  });

  it('429 is SOURCE_RATE_LIMITED with Retry-After in seconds or as an HTTP date', () => {
    const seconds = expectError(classify(429, 'Too Many Requests', { 'retry-after': '7' }));
    expect(seconds.code).toBe('SOURCE_RATE_LIMITED');
    expect(seconds.retryable).toBe(true);
    expect(seconds.retryAfterMs).toBe(7000);
    const now = Date.UTC(2025, 0, 1, 12, 0, 0);
    const date = expectError(classify(429, '', { 'Retry-After': 'Wed, 01 Jan 2025 12:00:30 GMT' }, { now }));
    expect(date.retryAfterMs).toBe(30_000);
    const none = expectError(classify(429, '', {}));
    expect(none.retryAfterMs).toBeUndefined();
  });

  it('the plain-text 503 of a starting Prometheus is SOURCE_UNAVAILABLE, retryable', () => {
    const error = expectError(
      classify(503, 'Service Unavailable', { 'content-type': 'text/plain; charset=utf-8' }),
    );
    expect(error.code).toBe('SOURCE_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('Service Unavailable');
  });

  it('502/504 HTML from a proxy is SOURCE_UNAVAILABLE with a tag-free excerpt', () => {
    const html =
      '<html><head><style>body{}</style></head><body><h1>502 Bad Gateway</h1><hr><center>nginx</center></body></html>';
    const error = expectError(classify(502, html, { 'content-type': 'text/html' }));
    expect(error.code).toBe('SOURCE_UNAVAILABLE');
    expect(error.message).toContain('502 Bad Gateway nginx');
    expect(error.message).not.toContain('<h1>');
    expect(expectError(classify(504, html, {})).retryable).toBe(true);
  });

  it('honours Retry-After on a 503 too', () => {
    expect(expectError(classify(503, '', { 'retry-after': '3' })).retryAfterMs).toBe(3000);
  });

  it('a server-side query timeout is TIMEOUT, retryable', () => {
    const error = expectError(
      classify(503, errorBody('timeout', 'query timed out in expression evaluation'), {}),
    );
    expect(error.code).toBe('TIMEOUT');
    expect(error.retryable).toBe(true);
  });

  it('500 internal and 499 canceled are retryable SOURCE_UNAVAILABLE', () => {
    expect(expectError(classify(500, errorBody('internal', 'boom'), {})).code).toBe('SOURCE_UNAVAILABLE');
    expect(expectError(classify(499, errorBody('canceled', 'canceled'), {})).retryable).toBe(true);
  });

  it('404 says to check the url and path prefix', () => {
    const error = expectError(classify(404, '404 page not found', {}));
    expect(error.code).toBe('SOURCE_BAD_QUERY');
    expect(error.message).toMatch(/path prefix/);
  });

  it('a redirect is SOURCE_BAD_RESPONSE (not followed)', () => {
    expect(expectError(classify(302, '', { location: '/login' })).code).toBe('SOURCE_BAD_RESPONSE');
  });

  it('scrubs secrets a proxy echoes back, and cuts long bodies', () => {
    const body = `<pre>Authorization: Bearer s3cr3t-token-value ${'x'.repeat(1000)}</pre>`;
    const error = expectError(classify(502, body, {}, { secrets: ['s3cr3t-token-value'] }));
    expect(error.message).not.toContain('s3cr3t-token-value');
    expect(error.message).toContain('[redacted]');
    expect(error.message.length).toBeLessThan(600);
    const envelope = expectError(
      classify(
        400,
        errorBody('bad_data', 'bad token s3cr3t-token-value'),
        {},
        { secrets: ['s3cr3t-token-value'] },
      ),
    );
    expect(JSON.stringify(envelope)).not.toContain('s3cr3t-token-value');
  });
});
