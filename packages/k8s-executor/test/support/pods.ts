import type { JsonObject } from '../../src/resources/json-value';

/** Options of {@link podManifest}. */
export interface PodOptions {
  readonly hash: string;
  readonly ready?: boolean;
  readonly restarts?: number;
  readonly waiting?: string;
  readonly lastTerminated?: string;
  readonly exitCode?: number;
  /** How long ago the pod started (ms). Default one hour. */
  readonly startedAgoMs?: number;
  readonly labels?: Readonly<Record<string, string>>;
  readonly terminating?: boolean;
  readonly phase?: string;
}

/** A pod of the `web` Deployment's ReplicaSet with pod-template-hash `hash`, status as given. */
export function podManifest(name: string, o: PodOptions): JsonObject {
  const ready = o.ready ?? true;
  const state: JsonObject = o.waiting
    ? { waiting: { reason: o.waiting } }
    : { running: { startedAt: '2025-01-01T00:00:00Z' } };
  const container: JsonObject = {
    name: 'app',
    image: 'registry.example/web:1.0.0',
    imageID: `registry.example/web@sha256:${'b'.repeat(64)}`,
    ready,
    restartCount: o.restarts ?? 0,
    state,
  };
  if (o.lastTerminated)
    container.lastState = { terminated: { reason: o.lastTerminated, exitCode: o.exitCode ?? 1 } };
  const metadata: JsonObject = {
    name,
    namespace: 'prod',
    labels: { app: 'web', 'pod-template-hash': o.hash, ...(o.labels ?? {}) },
  };
  if (o.terminating) metadata.deletionTimestamp = new Date().toISOString();
  return {
    metadata,
    spec: { containers: [{ name: 'app', image: 'registry.example/web:1.0.0' }] },
    status: {
      phase: o.phase ?? 'Running',
      startTime: new Date(Date.now() - (o.startedAgoMs ?? 3_600_000)).toISOString(),
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      containerStatuses: [container],
    },
  };
}
