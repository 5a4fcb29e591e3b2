import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { PortContext } from '@rollgate/core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createKubeConnection } from '../../src/connection/kube-connection';
import { createKubernetesExecutor } from '../../src/executor/kubernetes-executor';
import { seedRollouts, tempDir, writeKubeconfig } from '../support/fixtures';
import { KubeApiDouble } from '../support/kube-api-double';
import { makeTestPki, type TestPki } from '../support/tls';

const ctx = (ms = 10_000): PortContext => ({
  signal: new AbortController().signal,
  deadline: Date.now() + ms,
});

describe('cluster connection', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let pki: TestPki;

  beforeAll(async () => {
    dir = await tempDir();
    pki = makeTestPki(dir.path);
  });
  afterAll(async () => {
    await dir.cleanup();
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.useRealTimers();
  });

  it('loads a kubeconfig file and verifies the server against its certificate-authority-data over TLS', async () => {
    const double = await KubeApiDouble.start({ tls: { key: pki.serverKey, cert: pki.serverCert } });
    seedRollouts(double, ['web:1', 'web:2']);
    const path = await writeKubeconfig(dir.path, {
      server: double.url,
      token: double.token,
      caData: Buffer.from(pki.caCert).toString('base64'),
    });
    const executor = createKubernetesExecutor({ namespace: 'prod', deployment: 'web', kubeconfig: path });
    try {
      const current = await executor.current(ctx());
      expect(current.ok && current.value.attributes?.['image.app']).toBe('web:2');
      expect(double.requests[0]?.authorization).toBe(`Bearer ${double.token}`);
    } finally {
      await executor.dispose();
      await double.close();
    }
  });

  it('takes a KubeConfig the caller loaded (the declared KubeConfigLike fits the real class)', async () => {
    const double = await KubeApiDouble.start({ tls: { key: pki.serverKey, cert: pki.serverCert } });
    seedRollouts(double, ['web:1', 'web:2']);
    const path = await writeKubeconfig(dir.path, {
      server: double.url,
      token: double.token,
      caData: Buffer.from(pki.caCert).toString('base64'),
    });
    const kc = new KubeConfig();
    kc.loadFromFile(path);
    // Type-checked: a real KubeConfig is accepted where the options declare KubeConfigLike.
    const executor = createKubernetesExecutor({ namespace: 'prod', deployment: 'web', kubeconfig: kc });
    try {
      const current = await executor.current(ctx());
      expect(current.ok && current.value.attributes?.['image.app']).toBe('web:2');
      expect(double.requests[0]?.authorization).toBe(`Bearer ${double.token}`);
    } finally {
      await executor.dispose();
      await double.close();
    }
  });

  it('refuses a server whose certificate the kubeconfig CA did not sign, as a retryable network error', async () => {
    const double = await KubeApiDouble.start({ tls: { key: pki.serverKey, cert: pki.serverCert } });
    const executor = createKubernetesExecutor({
      namespace: 'prod',
      deployment: 'web',
      server: double.url,
      token: double.token,
    });
    try {
      const current = await executor.current(ctx());
      expect(!current.ok && current.error.code).toBe('EXECUTOR_UNAVAILABLE');
      expect(!current.ok && current.error.message).toContain(
        'Check the server address, network policy and TLS settings',
      );
      expect(double.requests).toHaveLength(0);
    } finally {
      await executor.dispose();
      await double.close();
    }
  });

  it('uses the in-cluster service account: token file, CA, KUBERNETES_SERVICE_HOST/PORT, and re-reads a rotated token', async () => {
    const double = await KubeApiDouble.start({
      tls: { key: pki.serverKey, cert: pki.serverCert },
      tokens: ['sa-token-first-generation', 'sa-token-second-generation'],
    });
    seedRollouts(double, ['web:1', 'web:2']);
    const root = join(dir.path, 'pod');
    const sa = join(root, 'var/run/secrets/kubernetes.io/serviceaccount');
    mkdirSync(sa, { recursive: true });
    writeFileSync(join(sa, 'token'), 'sa-token-first-generation');
    writeFileSync(join(sa, 'ca.crt'), pki.caCert);
    writeFileSync(join(sa, 'namespace'), 'prod');
    vi.stubEnv('KUBERNETES_SERVICE_HOST', '127.0.0.1');
    vi.stubEnv('KUBERNETES_SERVICE_PORT', new URL(double.url).port);
    const executor = createKubernetesExecutor({
      namespace: 'prod',
      deployment: 'web',
      inCluster: { pathPrefix: root },
    });
    try {
      expect((await executor.current(ctx())).ok).toBe(true);
      writeFileSync(join(sa, 'token'), 'sa-token-second-generation');
      // The library re-reads the projected token every 60 s.
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() + 61_000);
      expect((await executor.current(ctx())).ok).toBe(true);
      const tokens = double.requests.map((r) => r.token);
      expect(tokens[0]).toBe('sa-token-first-generation');
      expect(tokens.at(-1)).toBe('sa-token-second-generation');
    } finally {
      await executor.dispose();
      await double.close();
    }
  });

  it('runs a kubeconfig exec plugin for credentials', async () => {
    const double = await KubeApiDouble.start({ tokens: ['token-from-exec-plugin'] });
    seedRollouts(double, ['web:1']);
    const plugin = join(dir.path, 'plugin.mjs');
    writeFileSync(
      plugin,
      `process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: 'token-from-exec-plugin' } }));`,
    );
    const path = join(dir.path, 'exec-kubeconfig');
    writeFileSync(
      path,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server: double.url, 'insecure-skip-tls-verify': true } }],
        users: [
          {
            name: 'u',
            user: {
              exec: {
                apiVersion: 'client.authentication.k8s.io/v1',
                command: process.execPath,
                args: [plugin],
                interactiveMode: 'Never',
              },
            },
          },
        ],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'x',
      }),
    );
    const executor = createKubernetesExecutor({ namespace: 'prod', deployment: 'web', kubeconfig: path });
    try {
      expect((await executor.current(ctx())).ok).toBe(true);
      expect(double.requests[0]?.token).toBe('token-from-exec-plugin');
    } finally {
      await executor.dispose();
      await double.close();
    }
  });

  it('selects a named context and reports a missing one or a missing file as CONFIG_INVALID results', async () => {
    const double = await KubeApiDouble.start();
    seedRollouts(double, ['web:1']);
    const path = await writeKubeconfig(dir.path, {
      server: double.url,
      token: double.token,
      context: 'staging',
    });
    const good = createKubernetesExecutor({
      namespace: 'prod',
      deployment: 'web',
      kubeconfig: path,
      context: 'staging',
    });
    const bad = createKubernetesExecutor({
      namespace: 'prod',
      deployment: 'web',
      kubeconfig: path,
      context: 'nope',
    });
    const missing = createKubernetesExecutor({
      namespace: 'prod',
      deployment: 'web',
      kubeconfig: join(dir.path, 'absent'),
    });
    try {
      expect((await good.current(ctx())).ok).toBe(true);
      const b = await bad.current(ctx());
      expect(!b.ok && b.error.code).toBe('CONFIG_INVALID');
      expect(!b.ok && b.error.message).toContain('no context named "nope"');
      const m = await missing.current(ctx());
      expect(!m.ok && m.error.code).toBe('CONFIG_INVALID');
      expect(!m.ok && m.error.message).toContain('Could not load kubeconfig');
    } finally {
      await Promise.all([good.dispose(), bad.dispose(), missing.dispose()]);
      await double.close();
    }
  });

  it('asks for insecure-skip-tls-verify on a plain-http kubeconfig cluster instead of failing obscurely', async () => {
    const path = await writeKubeconfig(dir.path, {
      server: 'http://127.0.0.1:9',
      token: 't0ken-value',
      insecure: false,
    });
    const executor = createKubernetesExecutor({ namespace: 'prod', deployment: 'web', kubeconfig: path });
    const result = await executor.current(ctx());
    expect(!result.ok && result.error.code).toBe('CONFIG_INVALID');
    expect(!result.ok && result.error.message).toContain('insecure-skip-tls-verify');
    await executor.dispose();
  });

  it('validates connection options at the factory', () => {
    const base = { namespace: 'prod', deployment: 'web' };
    expect(() => createKubernetesExecutor({ ...base, kubeconfig: '/x', server: 'https://a' })).toThrow(
      /mutually exclusive/,
    );
    expect(() => createKubernetesExecutor({ ...base, token: 'abc' })).toThrow(
      /only applies with option server/,
    );
    expect(() => createKubernetesExecutor({ ...base, server: 'https://user:pw@host' })).toThrow(
      /must not carry credentials/,
    );
    expect(() => createKubernetesExecutor({ ...base, server: 'ftp://host' })).toThrow(/must use https/);
    expect(() => createKubernetesExecutor({ ...base, namespace: 'Prod!' })).toThrow(
      /Option namespace must be a DNS label/,
    );
    expect(() => createKubernetesExecutor({ ...base, deployment: '' })).toThrow(/Option deployment/);
    const shared = createKubeConnection({ server: 'https://a', token: 'x' });
    expect(() => createKubernetesExecutor({ ...base, connection: shared, server: 'https://b' })).toThrow(
      /drop server/,
    );
  });
});
