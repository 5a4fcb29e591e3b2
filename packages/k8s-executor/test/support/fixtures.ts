import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonObject } from '../../src/resources/json-value';
import type { KubeApiDouble } from './kube-api-double';

/** Options of {@link deploymentManifest}. */
export interface DeploymentSpecOptions {
  readonly namespace?: string;
  readonly name?: string;
  readonly image: string;
  readonly replicas?: number;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly templateAnnotations?: Readonly<Record<string, string>>;
  readonly progressDeadlineSeconds?: number;
  readonly paused?: boolean;
}

/** A Deployment like `kubectl apply` would send (selector app=<name>). */
export function deploymentManifest(o: DeploymentSpecOptions): JsonObject {
  const name = o.name ?? 'web';
  const template: JsonObject = {
    metadata: {
      labels: { app: name },
      ...(o.templateAnnotations ? { annotations: { ...o.templateAnnotations } } : {}),
    },
    spec: {
      containers: [{ name: 'app', image: o.image, ports: [{ containerPort: 8080, protocol: 'TCP' }] }],
      restartPolicy: 'Always',
    },
  };
  const metadata: JsonObject = { name, namespace: o.namespace ?? 'prod' };
  if (o.annotations) metadata.annotations = { ...o.annotations };
  return {
    metadata,
    spec: {
      replicas: o.replicas ?? 2,
      selector: { matchLabels: { app: name } },
      template,
      progressDeadlineSeconds: o.progressDeadlineSeconds ?? 600,
      revisionHistoryLimit: 10,
      ...(o.paused ? { paused: true } : {}),
    },
  };
}

/**
 * Rolls the Deployment out once per image (revisions 1..n), letting the controller settle each
 * time: afterwards ReplicaSets for every image exist and the last one is live.
 */
export function seedRollouts(
  double: KubeApiDouble,
  images: readonly string[],
  base: Omit<DeploymentSpecOptions, 'image'> = {},
): void {
  const namespace = base.namespace ?? 'prod';
  const name = base.name ?? 'web';
  for (const image of images) {
    const current = double.get('deployments', namespace, name);
    const manifest = deploymentManifest({ ...base, image });
    if (current?.metadata && typeof current.metadata === 'object' && !Array.isArray(current.metadata)) {
      // Keep what the controller wrote (revision annotation), like kubectl set image does.
      const annotations = (current.metadata as JsonObject).annotations;
      if (annotations && typeof annotations === 'object' && !Array.isArray(annotations)) {
        (manifest.metadata as JsonObject).annotations = {
          ...(annotations as JsonObject),
          ...(base.annotations ?? {}),
        };
      }
    }
    double.apply('deployments', manifest);
    double.controller.settle(namespace, name);
  }
}

/** A temporary directory removed by the returned cleanup. */
export async function tempDir(): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'rollgate-k8s-'));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/** Writes a kubeconfig (JSON is valid YAML) pointing at `server` with a bearer token. */
export async function writeKubeconfig(
  dir: string,
  o: { server: string; token: string; caData?: string; context?: string; insecure?: boolean },
): Promise<string> {
  const cluster: JsonObject = { server: o.server };
  if (o.caData !== undefined) cluster['certificate-authority-data'] = o.caData;
  if (o.insecure ?? o.server.startsWith('http:')) cluster['insecure-skip-tls-verify'] = true;
  const context = o.context ?? 'double';
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'double', cluster }],
    users: [{ name: 'rollgate', user: { token: o.token } }],
    contexts: [{ name: context, context: { cluster: 'double', user: 'rollgate', namespace: 'prod' } }],
    'current-context': context,
  };
  const path = join(dir, 'kubeconfig');
  await writeFile(path, JSON.stringify(config), 'utf8');
  return path;
}

/** Resolves when `check` is true, polling every 5 ms, or rejects after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A loopback port nothing listens on (for "unreachable API" cases). */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
