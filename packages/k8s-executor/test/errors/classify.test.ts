import { parseRetryAfter } from '@rollgate/core/node';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ClassifyContext, classify, parseStatusBody } from '../../src/errors/classify';

const status = (code: number, reason: string, message: string, details?: Record<string, unknown>): string =>
  JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    code,
    reason,
    message,
    ...(details ? { details } : {}),
  });

const executorCtx: ClassifyContext = {
  role: 'executor',
  component: 'k8s-executor',
  verb: 'patch',
  resource: 'deployments.apps',
  namespace: 'prod',
  name: 'web',
  nowMs: Date.parse('2025-01-01T00:00:00Z'),
};
const sourceCtx: ClassifyContext = {
  ...executorCtx,
  role: 'source',
  component: 'k8s-pod-health',
  verb: 'list',
  resource: 'pods',
};

describe('classify', () => {
  it('passes 2xx through', () => {
    expect(classify(200, '{}', {}, executorCtx).kind).toBe('ok');
    expect(classify(201, '{}', {}, executorCtx).kind).toBe('ok');
  });

  it('maps 401 to SOURCE_AUTH for a source and EXECUTOR_UNAVAILABLE for the executor, not retryable', () => {
    const body = status(401, 'Unauthorized', 'Unauthorized');
    const s = classify(401, body, {}, sourceCtx);
    const e = classify(401, body, {}, executorCtx);
    expect(s.kind === 'error' && s.error.code).toBe('SOURCE_AUTH');
    expect(e.kind === 'error' && e.error.code).toBe('EXECUTOR_UNAVAILABLE');
    if (e.kind !== 'ok') {
      expect(e.error.retryable).toBe(false);
      expect(e.error.message).toMatch(/401 Unauthorized/);
    }
  });

  it('names the missing RBAC verb and resource on 403', () => {
    const c = classify(
      403,
      status(
        403,
        'Forbidden',
        'deployments.apps "web" is forbidden: User "system:serviceaccount:prod:rollgate" cannot patch resource "deployments"',
      ),
      {},
      executorCtx,
    );
    expect(c.kind).toBe('error');
    if (c.kind === 'ok') return;
    expect(c.error.code).toBe('EXECUTOR_REFUSED');
    expect(c.error.retryable).toBe(false);
    expect(c.error.message).toContain(
      'RBAC: the service account (or user) may not patch deployments.apps in namespace prod',
    );
    expect(c.error.message).toContain('add verb patch on deployments.apps to the Role');
    expect(c.error.details).toMatchObject({
      status: 403,
      verb: 'patch',
      resource: 'deployments.apps',
      reason: 'Forbidden',
    });
  });

  it('reports 404 as not-found (ARTIFACT_NOT_FOUND for the executor)', () => {
    const c = classify(
      404,
      status(404, 'NotFound', 'deployments.apps "web" not found'),
      {},
      { ...executorCtx, verb: 'get' },
    );
    expect(c.kind).toBe('not-found');
    if (c.kind !== 'ok') expect(c.error.code).toBe('ARTIFACT_NOT_FOUND');
  });

  it('reports 409 as a retryable conflict and 410 as expired', () => {
    const conflict = classify(409, status(409, 'Conflict', 'the object has been modified'), {}, executorCtx);
    expect(conflict.kind).toBe('conflict');
    if (conflict.kind !== 'ok') expect(conflict.error.retryable).toBe(true);
    expect(
      classify(
        410,
        status(410, 'Expired', 'too old resource version: 1 (5)'),
        {},
        { ...executorCtx, verb: 'watch' },
      ).kind,
    ).toBe('expired');
  });

  it('makes 422 Invalid non-retryable and keeps the Status message', () => {
    const c = classify(
      422,
      status(
        422,
        'Invalid',
        'Deployment.apps "web" is invalid: spec.template.metadata.labels: Invalid value',
      ),
      {},
      executorCtx,
    );
    expect(c.kind).toBe('error');
    if (c.kind === 'ok') return;
    expect(c.error.code).toBe('CUTOVER_FAILED');
    expect(c.error.retryable).toBe(false);
    expect(c.error.message).toContain('spec.template.metadata.labels: Invalid value');
    const read = classify(422, status(422, 'Invalid', 'bad'), {}, { ...executorCtx, verb: 'list' });
    expect(read.kind !== 'ok' && read.error.code).toBe('EXECUTOR_UNAVAILABLE');
    const source = classify(400, status(400, 'BadRequest', 'unable to parse requirement'), {}, sourceCtx);
    expect(source.kind !== 'ok' && source.error.code).toBe('SOURCE_BAD_QUERY');
  });

  it('reads Retry-After on 429 as seconds, as an HTTP-date, or from Status details', () => {
    const seconds = classify(
      429,
      'Too many requests, please try again later.\n',
      { 'retry-after': '3' },
      sourceCtx,
    );
    expect(seconds.kind !== 'ok' && seconds.error.code).toBe('SOURCE_RATE_LIMITED');
    expect(seconds.kind !== 'ok' && seconds.error.retryAfterMs).toBe(3000);
    expect(seconds.kind !== 'ok' && seconds.error.message).toContain(
      'Too many requests, please try again later.',
    );
    const date = classify(429, '', { 'retry-after': 'Wed, 01 Jan 2025 00:00:07 GMT' }, sourceCtx);
    expect(date.kind !== 'ok' && date.error.retryAfterMs).toBe(7000);
    const details = classify(
      429,
      status(429, 'TooManyRequests', 'storage is (re)initializing', { retryAfterSeconds: 2 }),
      {},
      executorCtx,
    );
    expect(details.kind !== 'ok' && details.error.code).toBe('EXECUTOR_UNAVAILABLE');
    expect(details.kind !== 'ok' && details.error.retryable).toBe(true);
    expect(details.kind !== 'ok' && details.error.retryAfterMs).toBe(2000);
  });

  it('treats 5xx as retryable', () => {
    for (const code of [500, 502, 503, 504]) {
      const c = classify(code, status(code, 'InternalError', 'etcdserver: request timed out'), {}, sourceCtx);
      expect(c.kind !== 'ok' && c.error.code).toBe('SOURCE_UNAVAILABLE');
      expect(c.kind !== 'ok' && c.error.retryable).toBe(true);
    }
  });

  it('redacts server text through ctx.redact', () => {
    const c = classify(
      500,
      'proxy error: Authorization: Bearer abc.def.ghi',
      {},
      { ...sourceCtx, redact: (t) => t.replace('abc.def.ghi', '[REDACTED]') },
    );
    expect(c.kind !== 'ok' && c.error.message).not.toContain('abc.def.ghi');
  });

  it('never throws, and retryable is exactly 409/410/429/5xx (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 599 }),
        fc.string(),
        fc.option(fc.string(), { nil: undefined }),
        (code, body, retryAfter) => {
          const headers = retryAfter === undefined ? {} : { 'retry-after': retryAfter };
          const c = classify(code, body, headers, executorCtx);
          if (code >= 200 && code < 300) return c.kind === 'ok';
          if (c.kind === 'ok') return false;
          const shouldRetry = code === 409 || code === 410 || code === 429 || code >= 500;
          return c.error.retryable === shouldRetry && c.error.message.length > 0;
        },
      ),
    );
  });
});

describe('parseStatusBody / parseRetryAfter', () => {
  it('parses a Status and falls back to plain text', () => {
    expect(parseStatusBody(status(409, 'Conflict', 'x'))).toEqual({
      message: 'x',
      reason: 'Conflict',
      code: 409,
    });
    expect(parseStatusBody('  slow down  ')).toEqual({ message: 'slow down' });
    expect(parseStatusBody('')).toEqual({});
  });

  it('parses delta-seconds and HTTP-dates', () => {
    expect(parseRetryAfter('10', undefined)).toBe(10_000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:10 GMT', Date.parse('2025-01-01T00:00:00Z'))).toBe(10_000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:10 GMT', undefined)).toBeUndefined();
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    expect(parseRetryAfter(undefined, 0)).toBeUndefined();
  });
});
