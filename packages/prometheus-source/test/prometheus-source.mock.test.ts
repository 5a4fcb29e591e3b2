import type { MetricRequest, PortContext, ReadResult } from '@rollgate/core';
import { SimulatedClock } from '@rollgate/core/testing';
import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPrometheusSource, type PrometheusSource } from '../src/index';

const ORIGIN = 'http://prometheus.test:9090';
const TOKEN = 'tok-SUPERSECRET-4f9a';
const PASSWORD = 'pw-VERYSECRET-77';
const request: MetricRequest = {
  query: { measure: 'errors', selector: { service: 'checkout' } },
  start: 1_700_000_000_000,
  end: 1_700_000_060_000,
  stepMs: 10_000,
};
const instant: MetricRequest = { ...request, start: request.end };
const ctx = (deadlineIn = 10_000): PortContext => ({
  signal: new AbortController().signal,
  deadline: Date.now() + deadlineIn,
});
const success = (result: unknown, resultType = 'matrix') =>
  JSON.stringify({ status: 'success', data: { resultType, result } });

let agent: MockAgent;
let source: PrometheusSource;

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  source = createPrometheusSource({ url: ORIGIN, dispatcher: agent, auth: { type: 'bearer', token: TOKEN } });
});
afterEach(async () => {
  await source.dispose();
  await agent.close();
});

const intercept = (path = '/api/v1/query_range') => agent.get(ORIGIN).intercept({ path, method: 'POST' });

function expectError(result: ReadResult) {
  expect(result.status).toBe('error');
  if (result.status !== 'error') throw new Error('unreachable');
  return result.error;
}

function expectNoSecret(result: ReadResult, ...secrets: string[]) {
  const error = expectError(result);
  const text = [
    error.message,
    JSON.stringify(error.toJSON()),
    JSON.stringify(error.details),
    String(error.cause ?? ''),
  ].join('\n');
  for (const secret of secrets) expect(text).not.toContain(secret);
}

describe('requests', () => {
  it('POSTs a range query with the form fields, auth and the server-side timeout', async () => {
    let seen: { body: string; headers: Record<string, string> } | undefined;
    intercept().reply((opts) => {
      seen = { body: String(opts.body), headers: opts.headers as Record<string, string> };
      return { statusCode: 200, data: success([{ metric: {}, values: [[1_700_000_060, '3']] }]) };
    });
    const result = await source.read(request, ctx());
    expect(result).toEqual({
      status: 'ok',
      series: [{ labels: {}, samples: [{ t: 1_700_000_060_000, v: 3 }] }],
    });
    const form = new URLSearchParams(seen?.body);
    expect(form.get('query')).toBe(source.describe(request));
    expect(form.get('start')).toBe('1700000000');
    expect(form.get('end')).toBe('1700000060');
    expect(form.get('step')).toBe('10');
    expect(form.get('timeout')).toMatch(/^\d+ms$|^\d+s$/);
    expect(seen?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(seen?.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('uses /api/v1/query with time for start === end, under the path prefix', async () => {
    const prefixed = createPrometheusSource({
      url: `${ORIGIN}/prometheus`,
      dispatcher: agent,
      headers: { 'X-Scope-OrgID': 'tenant-1' },
    });
    let form: URLSearchParams | undefined;
    let tenant: string | undefined;
    agent
      .get(ORIGIN)
      .intercept({ path: '/prometheus/api/v1/query', method: 'POST' })
      .reply((opts) => {
        form = new URLSearchParams(String(opts.body));
        tenant = (opts.headers as Record<string, string>)['x-scope-orgid'];
        return { statusCode: 200, data: success([{ metric: {}, value: [1_700_000_060, '0'] }], 'vector') };
      });
    const result = await prefixed.read(instant, ctx());
    expect(result.status).toBe('ok');
    expect(form?.get('time')).toBe('1700000060');
    expect(form?.has('start')).toBe(false);
    expect(tenant).toBe('tenant-1');
    await prefixed.dispose();
  });

  it('sends basic auth', async () => {
    const basic = createPrometheusSource({
      url: ORIGIN,
      dispatcher: agent,
      auth: { type: 'basic', username: 'reader', password: PASSWORD },
    });
    let authorization: string | undefined;
    intercept('/api/v1/query').reply((opts) => {
      authorization = (opts.headers as Record<string, string>).authorization;
      return { statusCode: 200, data: success([], 'vector') };
    });
    expect((await basic.read(instant, ctx())).status).toBe('no-data');
    expect(authorization).toBe(`Basic ${Buffer.from(`reader:${PASSWORD}`).toString('base64')}`);
    await basic.dispose();
  });
});

describe('failure replies', () => {
  it('a reply slower than the deadline is TIMEOUT, retryable', async () => {
    intercept().reply(200, success([])).delay(5_000);
    const started = Date.now();
    const error = expectError(await source.read(request, ctx(150)));
    expect(error.code).toBe('TIMEOUT');
    expect(error.retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('timeoutMs bounds a read even with a far deadline', async () => {
    const quick = createPrometheusSource({ url: ORIGIN, dispatcher: agent, timeoutMs: 100 });
    intercept().reply(200, success([])).delay(5_000);
    const error = expectError(await quick.read(request, ctx(60_000)));
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toMatch(/timeoutMs/);
    await quick.dispose();
  });

  it('measures the deadline with the injected clock', async () => {
    const clock = new SimulatedClock(1_000_000);
    const simulated = createPrometheusSource({ url: ORIGIN, dispatcher: agent, clock });
    const expired = await simulated.read(request, {
      signal: new AbortController().signal,
      deadline: 999_999,
    });
    expect(expectError(expired).code).toBe('TIMEOUT');
    intercept().reply(200, success([]));
    const fine = await simulated.read(request, { signal: new AbortController().signal, deadline: 1_005_000 });
    expect(fine.status).toBe('no-data');
    await simulated.dispose();
  });

  it('an abort while waiting is ABORTED', async () => {
    intercept().reply(200, success([])).delay(5_000);
    const controller = new AbortController();
    const pending = source.read(request, { signal: controller.signal, deadline: Date.now() + 60_000 });
    setTimeout(() => controller.abort(new Error('shutdown')), 30);
    const error = expectError(await pending);
    expect(error.code).toBe('ABORTED');
    expect(error.retryable).toBe(false);
  });

  it('503 "Service Unavailable" in plain text is SOURCE_UNAVAILABLE, retryable', async () => {
    intercept().reply(503, 'Service Unavailable', {
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
    const error = expectError(await source.read(request, ctx()));
    expect(error.code).toBe('SOURCE_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(error.details).toMatchObject({ status: 503 });
  });

  it('429 with Retry-After in seconds', async () => {
    intercept().reply(429, 'slow down', { headers: { 'retry-after': '12' } });
    const error = expectError(await source.read(request, ctx()));
    expect(error.code).toBe('SOURCE_RATE_LIMITED');
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(12_000);
  });

  it('429 with Retry-After as an HTTP date, measured by the injected clock', async () => {
    const now = Date.UTC(2030, 0, 1, 0, 0, 0);
    const clock = new SimulatedClock(now);
    const dated = createPrometheusSource({ url: ORIGIN, dispatcher: agent, clock });
    intercept().reply(429, '', { headers: { 'retry-after': new Date(now + 45_000).toUTCString() } });
    const error = expectError(
      await dated.read(request, { signal: new AbortController().signal, deadline: now + 10_000 }),
    );
    expect(error.code).toBe('SOURCE_RATE_LIMITED');
    expect(error.retryAfterMs).toBe(45_000);
    await dated.dispose();
  });

  it('malformed JSON with 200 is SOURCE_BAD_RESPONSE, never ok', async () => {
    intercept().reply(200, '{"status":"success","data":{"resultType":"matrix","result":[', {
      headers: { 'content-type': 'application/json' },
    });
    expect(expectError(await source.read(request, ctx())).code).toBe('SOURCE_BAD_RESPONSE');
  });

  it('HTML from a proxy: 200 login page is SOURCE_BAD_RESPONSE, 502 is SOURCE_UNAVAILABLE', async () => {
    intercept().reply(200, '<!doctype html><html><body>Please sign in</body></html>', {
      headers: { 'content-type': 'text/html' },
    });
    const login = expectError(await source.read(request, ctx()));
    expect(login.code).toBe('SOURCE_BAD_RESPONSE');
    expect(login.message).toContain('Please sign in');
    intercept().reply(502, '<html><body><h1>502 Bad Gateway</h1></body></html>', {
      headers: { 'content-type': 'text/html' },
    });
    const gateway = expectError(await source.read(request, ctx()));
    expect(gateway.code).toBe('SOURCE_UNAVAILABLE');
    expect(gateway.retryable).toBe(true);
  });

  it("400 bad_data is SOURCE_BAD_QUERY with Prometheus's explanation", async () => {
    intercept().reply(
      400,
      JSON.stringify({
        status: 'error',
        errorType: 'bad_data',
        error: 'invalid parameter "query": 1:6: parse error',
      }),
    );
    const error = expectError(await source.read(request, ctx()));
    expect(error.code).toBe('SOURCE_BAD_QUERY');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('parse error');
  });

  it('401 with a bearer token: SOURCE_AUTH and the token appears nowhere', async () => {
    intercept().reply(401, `invalid token ${TOKEN}`, {
      headers: { 'www-authenticate': `Bearer error="${TOKEN}"` },
    });
    const result = await source.read(request, ctx());
    expect(expectError(result).code).toBe('SOURCE_AUTH');
    expectNoSecret(result, TOKEN);
  });

  it('403 with basic auth: SOURCE_AUTH and neither the password nor the encoded credentials appear', async () => {
    const encoded = Buffer.from(`reader:${PASSWORD}`).toString('base64');
    const basic = createPrometheusSource({
      url: ORIGIN,
      dispatcher: agent,
      auth: { type: 'basic', username: 'reader', password: PASSWORD },
    });
    intercept().reply(403, `<html>denied for Basic ${encoded} (${PASSWORD})</html>`);
    const result = await basic.read(request, ctx());
    expect(expectError(result).code).toBe('SOURCE_AUTH');
    expectNoSecret(result, PASSWORD, encoded);
    expect(basic.describe(request)).not.toContain(PASSWORD);
    await basic.dispose();
  });

  it('a request the mock does not know (no network) is an error result naming no secret', async () => {
    const result = await source.read(request, ctx());
    expect(expectError(result).code).toBe('SOURCE_UNAVAILABLE');
    expectNoSecret(result, TOKEN);
  });

  it('a reply over maxResponseBytes is SOURCE_BAD_RESPONSE', async () => {
    const small = createPrometheusSource({ url: ORIGIN, dispatcher: agent, maxResponseBytes: 1024 });
    intercept().reply(
      200,
      success([{ metric: {}, values: Array.from({ length: 200 }, (_, i) => [i, '1']) }]),
    );
    const error = expectError(await small.read(request, ctx()));
    expect(error.code).toBe('SOURCE_BAD_RESPONSE');
    expect(error.message).toMatch(/maxResponseBytes/);
    await small.dispose();
  });

  it('a request that cannot become PromQL is SOURCE_BAD_QUERY without a network call', async () => {
    const error = expectError(
      await source.read({ ...request, query: { measure: 'requests', selector: { 'bad name': 'x' } } }, ctx()),
    );
    expect(error.code).toBe('SOURCE_BAD_QUERY');
    expect(error.details).toEqual({ field: 'query.selector.bad name' });
  });

  it('never reads after dispose, and leaves an injected dispatcher open', async () => {
    await source.dispose();
    expect(expectError(await source.read(request, ctx())).code).toBe('SOURCE_UNAVAILABLE');
    intercept('/api/v1/query').reply(200, success([], 'vector'));
    const other = createPrometheusSource({ url: ORIGIN, dispatcher: agent });
    expect((await other.read(instant, ctx())).status).toBe('no-data');
    await other.dispose();
  });
});
