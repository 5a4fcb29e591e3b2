import { RollgateError } from '@rollgate/core';
import { MockAgent } from 'undici';
import { describe, expect, it } from 'vitest';
import type { PrometheusSourceOptions } from '../../src/options/prometheus-source-options-schema';
import { validateOptions } from '../../src/options/validate-options';

function configError(options: unknown): RollgateError {
  try {
    validateOptions(options as PrometheusSourceOptions);
  } catch (error) {
    expect(RollgateError.is(error)).toBe(true);
    return error as RollgateError;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('validateOptions', () => {
  it('applies defaults and splits the url into origin and path prefix', () => {
    const config = validateOptions({ url: 'https://mimir.example.com/prometheus/' });
    expect(config.origin).toBe('https://mimir.example.com');
    expect(config.basePath).toBe('/prometheus');
    expect(config.url).toBe('https://mimir.example.com/prometheus');
    expect(config.timeoutMs).toBe(30_000);
    expect(config.connections).toBe(16);
    expect(config.metrics.requests).toBe('http_requests_total');
    expect(validateOptions({ url: 'http://p:9090/api/v1' }).basePath).toBe('');
  });

  it('turns auth into an authorization header and records what to redact', () => {
    const bearer = validateOptions({ url: 'http://p:9090', auth: { type: 'bearer', token: 'tok-123456' } });
    expect(bearer.headers.authorization).toBe('Bearer tok-123456');
    expect(bearer.secrets).toContain('tok-123456');
    const basic = validateOptions({
      url: 'http://p:9090',
      auth: { type: 'basic', username: 'u', password: 'pw-98765' },
    });
    expect(basic.headers.authorization).toBe(`Basic ${Buffer.from('u:pw-98765').toString('base64')}`);
    expect(basic.secrets).toEqual(
      expect.arrayContaining(['pw-98765', Buffer.from('u:pw-98765').toString('base64')]),
    );
  });

  it('keeps custom headers and treats every header value as a secret (issue 18: X-Scope-OrgID leaked)', () => {
    const config = validateOptions({
      url: 'http://p:9090',
      headers: { 'X-Scope-OrgID': 'team-a', 'X-Api-Key': 'k-abcdef' },
    });
    expect(config.headers).toEqual({ 'x-scope-orgid': 'team-a', 'x-api-key': 'k-abcdef' });
    expect(config.secrets).toEqual(['team-a', 'k-abcdef']);
  });

  const bad: [string, unknown, string][] = [
    ['missing url', {}, 'url'],
    ['not a url', { url: 'prometheus:9090 x' }, 'url'],
    ['ftp', { url: 'ftp://p' }, 'url'],
    ['credentials in the url', { url: 'http://user:pw-secret@p:9090' }, 'url'],
    ['a query string', { url: 'http://p:9090?api_key=zzz' }, 'url'],
    ['unknown option', { url: 'http://p', timeout: 5 }, 'timeout'],
    ['bad timeout', { url: 'http://p', timeoutMs: 0 }, 'timeoutMs'],
    ['fractional connections', { url: 'http://p', connections: 1.5 }, 'connections'],
    ['empty token', { url: 'http://p', auth: { type: 'bearer', token: '' } }, 'auth.token'],
    ['token with a newline', { url: 'http://p', auth: { type: 'bearer', token: 'a\nb' } }, 'auth.token'],
    ['unknown auth type', { url: 'http://p', auth: { type: 'digest' } }, 'auth.type'],
    [
      'username with a colon',
      { url: 'http://p', auth: { type: 'basic', username: 'a:b', password: 'x' } },
      'auth.username',
    ],
    ['header injection', { url: 'http://p', headers: { 'X-A': 'v\r\nX-B: 1' } }, 'headers.X-A'],
    ['reserved header', { url: 'http://p', headers: { Host: 'evil' } }, 'headers.Host'],
    [
      'authorization twice',
      { url: 'http://p', auth: { type: 'bearer', token: 't' }, headers: { Authorization: 'x' } },
      'headers.Authorization',
    ],
    ['tls on http', { url: 'http://p', tls: { rejectUnauthorized: false } }, 'tls'],
    ['tls with a dispatcher', { url: 'https://p', tls: { ca: 'x' }, dispatcher: new MockAgent() }, 'tls'],
    ['cert without key', { url: 'https://p', tls: { cert: 'x' } }, 'tls.key'],
    ['bad dispatcher', { url: 'http://p', dispatcher: {} }, 'dispatcher'],
    ['bad metric name', { url: 'http://p', metrics: { requests: 'http-requests' } }, 'metrics.requests'],
    [
      'histogram with suffix',
      { url: 'http://p', metrics: { latencyHistogram: 'h_bucket' } },
      'metrics.latencyHistogram',
    ],
    ['bad status label', { url: 'http://p', metrics: { statusLabel: 'status code' } }, 'metrics.statusLabel'],
    ['bad regex', { url: 'http://p', metrics: { errorStatusPattern: '5(' } }, 'metrics.errorStatusPattern'],
    ['unknown metric', { url: 'http://p', metrics: { latency: 'x' } }, 'metrics.latency'],
  ];
  for (const [name, options, option] of bad) {
    it(`refuses ${name} with CONFIG_INVALID naming ${option}`, () => {
      const error = configError(options);
      expect(error.code).toBe('CONFIG_INVALID');
      expect(error.details.option).toBe(option);
      expect(error.message).toContain(option);
    });
  }

  it('never repeats a secret in the error', () => {
    for (const options of [
      { url: 'http://user:pw-secret@p:9090' },
      { url: 'http://p:9090?api_key=pw-secret' },
      { url: 'http://p', auth: { type: 'bearer', token: 'pw-secret\n' } },
      { url: 'http://p', headers: { 'X-Api-Key': 'pw-secret\r\n' } },
    ]) {
      const error = configError(options);
      expect(JSON.stringify(error.toJSON())).not.toContain('pw-secret');
      expect(String(error.cause ?? '')).not.toContain('pw-secret');
    }
  });
});
