import type { PortContext } from '@rollgate/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKubernetesExecutor, type KubernetesExecutor } from '../../src/executor/kubernetes-executor';
import { seedRollouts } from '../support/fixtures';
import { KubeApiDouble } from '../support/kube-api-double';

const ctx = (): PortContext => ({ signal: new AbortController().signal, deadline: Date.now() + 10_000 });
const everything = (e: { message: string; toJSON(): unknown; cause?: unknown }): string =>
  `${e.message} ${JSON.stringify(e.toJSON())} ${String(e.cause)} ${JSON.stringify(e.cause ?? null)}`;

describe('Kubernetes API errors through the executor', () => {
  let double: KubeApiDouble;
  let executor: KubernetesExecutor;

  beforeEach(async () => {
    double = await KubeApiDouble.start();
    seedRollouts(double, ['web:1', 'web:2']);
    executor = createKubernetesExecutor({
      namespace: 'prod',
      deployment: 'web',
      server: double.url,
      token: double.token,
    });
  });
  afterEach(async () => {
    await executor.dispose();
    await double.close();
  });

  it('names the missing RBAC verb and resource on 403', async () => {
    double.deny.push({ verb: 'patch', kind: 'deployments' });
    const receipt = await executor.undo({}, 'op-rbac', ctx());
    expect(receipt.ok).toBe(false);
    if (receipt.ok) return;
    expect(receipt.error.code).toBe('EXECUTOR_REFUSED');
    expect(receipt.error.message).toContain(
      'RBAC: the service account (or user) may not patch deployments.apps in namespace prod',
    );
    expect(receipt.error.message).toContain('add verb patch on deployments.apps to the Role');
    expect(receipt.error.message).toContain('cannot patch resource "deployments" in API group "apps"');
    double.deny.push({ verb: 'list', kind: 'replicasets' });
    const list = await executor.candidates(ctx());
    expect(!list.ok && list.error.message).toContain('may not list replicasets.apps in namespace prod');
  });

  it('reports 401 without the bearer token anywhere in the error', async () => {
    const secret = 'super-secret-bearer-token-0123456789';
    const wrong = createKubernetesExecutor({
      namespace: 'prod',
      deployment: 'web',
      server: double.url,
      token: secret,
    });
    try {
      const result = await wrong.current(ctx());
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.code).toBe('EXECUTOR_UNAVAILABLE');
      expect(result.error.message).toContain('401 Unauthorized');
      expect(everything(result.error)).not.toContain(secret);
      expect(double.requests[0]?.authorization).toBe(`Bearer ${secret}`);
    } finally {
      await wrong.dispose();
    }
  });

  it('scrubs the token even when the server echoes it back', async () => {
    double.inject(
      { kind: 'deployments' },
      { kind: 'status', status: 500, text: `proxy failed for Authorization: Bearer ${double.token}` },
    );
    const result = await executor.current(ctx());
    expect(!result.ok && result.error.retryable).toBe(true);
    if (!result.ok) expect(everything(result.error)).not.toContain(double.token);
  });

  it('makes 429 retryable with Retry-After, from the header (plain text body) or a Status', async () => {
    double.inject(
      { kind: 'deployments' },
      {
        kind: 'status',
        status: 429,
        text: 'Too many requests, please try again later.\n',
        headers: { 'Retry-After': '3' },
      },
    );
    const plain = await executor.current(ctx());
    expect(!plain.ok && plain.error.code).toBe('EXECUTOR_UNAVAILABLE');
    expect(!plain.ok && plain.error.retryable).toBe(true);
    expect(!plain.ok && plain.error.retryAfterMs).toBe(3000);
    double.inject(
      { kind: 'deployments' },
      {
        kind: 'status',
        status: 429,
        json: {
          kind: 'Status',
          status: 'Failure',
          code: 429,
          reason: 'TooManyRequests',
          message: 'too many requests',
          details: { retryAfterSeconds: 1 },
        },
        headers: { 'Retry-After': '1' },
      },
    );
    const status = await executor.current(ctx());
    expect(!status.ok && status.error.retryAfterMs).toBe(1000);
  });

  it('makes 5xx retryable and never throws', async () => {
    for (const code of [500, 503, 504]) {
      double.inject(
        { kind: 'deployments' },
        {
          kind: 'status',
          status: code,
          json: { kind: 'Status', code, reason: 'InternalError', message: 'etcd' },
        },
      );
      const result = await executor.current(ctx());
      expect(!result.ok && result.error.code).toBe('EXECUTOR_UNAVAILABLE');
      expect(!result.ok && result.error.retryable).toBe(true);
    }
  });

  it('maps a hung request to TIMEOUT at the deadline and a caller abort to ABORTED', async () => {
    double.inject({ kind: 'deployments' }, { kind: 'hang' }, 2);
    const timeout = await executor.current({
      signal: new AbortController().signal,
      deadline: Date.now() + 150,
    });
    expect(!timeout.ok && timeout.error.code).toBe('TIMEOUT');
    expect(!timeout.ok && timeout.error.retryable).toBe(true);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('shutdown')), 50);
    const aborted = await executor.current({ signal: controller.signal, deadline: Date.now() + 10_000 });
    expect(!aborted.ok && aborted.error.code).toBe('ABORTED');
  });
});
