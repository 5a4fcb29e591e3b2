import { createHash, randomBytes } from 'node:crypto';
import { equalIgnoreHash } from '../../src/executor/template-equality';
import { isJsonObject, type JsonObject, stringMap } from '../../src/resources/json-value';
import type { ObjectStore, StoredEvent } from './object-store';

/**
 * - `normal`: rolls out like the real controller (maxSurge 1, maxUnavailable 0), one step per tick;
 * - `never-available`: new pods crash-loop and never become Ready; after progressDeadlineSeconds
 *   the Progressing condition turns False with reason ProgressDeadlineExceeded;
 * - `stopped`: the controller is down: nothing is observed (generation stays ahead).
 */
export type ControllerMode = 'normal' | 'never-available' | 'stopped';

const SKIP_COPY = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  'deployment.kubernetes.io/revision',
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);
const REVISION = 'deployment.kubernetes.io/revision';
const HASH = 'pod-template-hash';
// rand.SafeEncodeString's alphabet: no vowels, no look-alikes.
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

const obj = (v: unknown): JsonObject => (isJsonObject(v) ? v : {});
const meta = (o: JsonObject): JsonObject => {
  if (!isJsonObject(o.metadata)) o.metadata = {};
  return o.metadata as JsonObject;
};
const revisionOf = (rs: JsonObject): number => {
  const v = stringMap(meta(rs).annotations)[REVISION];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : 0;
};

/** A deterministic pod-template-hash for a template (the real one is FNV over a Go dump). */
export function podTemplateHash(template: JsonObject): string {
  const digest = createHash('sha256').update(JSON.stringify(template)).digest();
  let n = digest.readUInt32BE(0);
  let out = '';
  for (let i = 0; i < 10; i++) {
    out += ALPHABET[n % ALPHABET.length];
    n = Math.floor(n / ALPHABET.length) + (digest[i + 4] ?? 0);
  }
  return out;
}

function imageDigest(image: string): string {
  return `sha256:${createHash('sha256').update(image).digest('hex')}`;
}

function podReady(pod: JsonObject): boolean {
  const conditions = obj(pod.status).conditions;
  return (
    Array.isArray(conditions) &&
    conditions.some((c) => isJsonObject(c) && c.type === 'Ready' && c.status === 'True')
  );
}

function containersOf(template: JsonObject): Array<{ name: string; image: string }> {
  const containers = obj(template.spec).containers;
  if (!Array.isArray(containers)) return [];
  return containers.filter(isJsonObject).map((c) => ({ name: String(c.name), image: String(c.image) }));
}

/**
 * The deployment controller's reaction to a Deployment change, simplified but faithful where
 * the executor can see it: the new ReplicaSet is the oldest owned one whose template equals the
 * Deployment's ignoring the hash label (reused on rollback with revision max+1, annotations
 * copied, revision-history kept), otherwise a new one; status fields (observedGeneration,
 * replicas, updatedReplicas, readyReplicas, availableReplicas, conditions) advance over ticks.
 */
export class DeploymentController {
  mode: ControllerMode = 'normal';
  readonly #store: ObjectStore;
  readonly #tickMs: number;
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #rolloutStart = new Map<string, number>();
  #writing = false;
  #closed = false;
  readonly #unsubscribe: () => void;

  constructor(store: ObjectStore, tickMs: number) {
    this.#store = store;
    this.#tickMs = tickMs;
    this.#unsubscribe = store.subscribe((e) => this.#onEvent(e));
  }

  #onEvent(event: StoredEvent): void {
    if (this.#writing || event.kind !== 'deployments' || event.type === 'DELETED') return;
    const m = meta(event.object);
    this.schedule(String(m.namespace), String(m.name));
  }

  /** Runs a reconcile step after one tick (and keeps ticking until the rollout settles). */
  schedule(namespace: string, name: string): void {
    if (this.#closed) return;
    const key = `${namespace}/${name}`;
    if (this.#timers.has(key)) return;
    this.#timers.set(
      key,
      setTimeout(() => {
        this.#timers.delete(key);
        if (this.step(namespace, name)) this.schedule(namespace, name);
      }, this.#tickMs),
    );
  }

  /** Runs steps synchronously until the Deployment settles (test setup). */
  settle(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    const timer = this.#timers.get(key);
    if (timer) clearTimeout(timer);
    this.#timers.delete(key);
    for (let i = 0; i < 200 && this.step(namespace, name); i++);
  }

  close(): void {
    this.#closed = true;
    this.#unsubscribe();
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }

  #write(kind: 'deployments' | 'replicasets' | 'pods', o: JsonObject): JsonObject {
    this.#writing = true;
    try {
      return this.#store.write(kind, o);
    } finally {
      this.#writing = false;
    }
  }

  #newPod(rs: JsonObject): JsonObject {
    const m = meta(rs);
    const template = obj(obj(rs.spec).template);
    const now = new Date().toISOString();
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `${String(m.name)}-${randomBytes(3).toString('hex').slice(0, 5)}`,
        namespace: String(m.namespace),
        labels: stringMap(obj(template.metadata).labels),
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            name: String(m.name),
            uid: String(m.uid),
            controller: true,
          },
        ],
      },
      spec: obj(template.spec),
      status: {
        phase: 'Pending',
        startTime: now,
        conditions: [{ type: 'Ready', status: 'False' }],
        containerStatuses: containersOf(template).map((c) => ({
          name: c.name,
          image: c.image,
          imageID: '',
          ready: false,
          restartCount: 0,
          state: { waiting: { reason: 'ContainerCreating' } },
        })),
      },
    };
  }

  #markReady(pod: JsonObject): void {
    const status = obj(pod.status);
    status.phase = 'Running';
    status.conditions = [{ type: 'Ready', status: 'True' }];
    status.containerStatuses = containersOf({ spec: obj(pod.spec) }).map((c) => ({
      name: c.name,
      image: c.image,
      imageID: `docker.io/library/${c.image}@${imageDigest(c.image)}`,
      ready: true,
      restartCount: 0,
      state: { running: { startedAt: new Date().toISOString() } },
    }));
    pod.status = status;
  }

  #markCrashLooping(pod: JsonObject): void {
    const status = obj(pod.status);
    status.phase = 'Running';
    status.conditions = [{ type: 'Ready', status: 'False' }];
    status.containerStatuses = containersOf({ spec: obj(pod.spec) }).map((c) => ({
      name: c.name,
      image: c.image,
      imageID: `docker.io/library/${c.image}@${imageDigest(c.image)}`,
      ready: false,
      restartCount: 3,
      state: { waiting: { reason: 'CrashLoopBackOff' } },
      lastState: { terminated: { reason: 'Error', exitCode: 1 } },
    }));
    pod.status = status;
  }

  /** One reconcile step; true while there is more to do. */
  step(namespace: string, name: string): boolean {
    if (this.mode === 'stopped') return false;
    const d = this.#store.get('deployments', namespace, name);
    if (!d) return false;
    const dm = meta(d);
    const spec = obj(d.spec);
    const key = `${namespace}/${name}`;
    const desired = typeof spec.replicas === 'number' ? spec.replicas : 1;
    const template = obj(spec.template);
    const uid = String(dm.uid);
    const owned = this.#store
      .list('replicasets', namespace)
      .filter(
        (rs) =>
          Array.isArray(meta(rs).ownerReferences) &&
          (meta(rs).ownerReferences as JsonObject[]).some((r) => r.uid === uid && r.controller === true),
      );
    const sorted = [...owned].sort(
      (a, b) =>
        String(meta(a).creationTimestamp).localeCompare(String(meta(b).creationTimestamp)) ||
        String(meta(a).name).localeCompare(String(meta(b).name)),
    );
    let newRs = sorted.find((rs) => equalIgnoreHash(obj(obj(rs.spec).template), template));
    const oldRss = owned.filter(
      (rs) => rs !== newRs && meta(rs).uid !== (newRs ? meta(newRs).uid : undefined),
    );
    const maxOld = Math.max(0, ...oldRss.map(revisionOf));
    const dAnnotations = stringMap(dm.annotations);

    if (!newRs) {
      const hash = podTemplateHash(template);
      const labels = { ...stringMap(obj(template.metadata).labels), [HASH]: hash };
      const annotations: Record<string, string> = {};
      for (const [k, v] of Object.entries(dAnnotations)) if (!SKIP_COPY.has(k)) annotations[k] = v;
      annotations[REVISION] = String(maxOld + 1);
      annotations['deployment.kubernetes.io/desired-replicas'] = String(desired);
      annotations['deployment.kubernetes.io/max-replicas'] = String(desired + 1);
      const selector = obj(spec.selector);
      newRs = this.#write('replicasets', {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: `${name}-${hash}`,
          namespace,
          labels,
          annotations,
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              name,
              uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        spec: {
          replicas: 0,
          selector: { ...selector, matchLabels: { ...stringMap(selector.matchLabels), [HASH]: hash } },
          template: { ...template, metadata: { ...obj(template.metadata), labels } },
        },
      });
      this.#rolloutStart.set(key, Date.now());
    } else if (revisionOf(newRs) <= maxOld) {
      // A rollback: the old ReplicaSet is reused and becomes the newest revision.
      const rm = meta(newRs);
      const annotations = stringMap(rm.annotations);
      for (const [k, v] of Object.entries(dAnnotations)) if (!SKIP_COPY.has(k)) annotations[k] = v;
      const previous = annotations[REVISION];
      if (previous !== undefined) {
        const history = annotations['deployment.kubernetes.io/revision-history'];
        annotations['deployment.kubernetes.io/revision-history'] = history
          ? `${history},${previous}`
          : previous;
      }
      annotations[REVISION] = String(maxOld + 1);
      rm.annotations = annotations;
      newRs = this.#write('replicasets', newRs);
      this.#rolloutStart.set(key, Date.now());
    }

    const newRevision = String(revisionOf(newRs));
    let deploymentChanged = false;
    if (dAnnotations[REVISION] !== newRevision) {
      dm.annotations = { ...dAnnotations, [REVISION]: newRevision };
      deploymentChanged = true;
    }

    const paused = spec.paused === true;
    const pods = this.#store.list('pods', namespace);
    const podsOf = (rs: JsonObject): JsonObject[] =>
      pods.filter((p) => {
        const refs = meta(p).ownerReferences;
        return Array.isArray(refs) && refs.some((r) => isJsonObject(r) && r.uid === meta(rs).uid);
      });
    let newPods = podsOf(newRs);
    let oldPods = oldRss.flatMap(podsOf);
    let worked = false;
    if (!paused) {
      const notReady = newPods.filter((p) => !podReady(p));
      const freshNotReady = notReady.filter((p) => obj(p.status).phase === 'Pending');
      if (this.mode === 'normal' && notReady.length > 0) {
        for (const p of notReady) {
          this.#markReady(p);
          this.#write('pods', p);
        }
        worked = true;
      } else if (this.mode === 'never-available' && freshNotReady.length > 0) {
        for (const p of freshNotReady) {
          this.#markCrashLooping(p);
          this.#write('pods', p);
        }
        worked = true;
      } else if (newPods.length < desired && newPods.length + oldPods.length < desired + 1) {
        this.#write('pods', this.#newPod(newRs));
        obj(newRs.spec).replicas = newPods.length + 1;
        newRs = this.#write('replicasets', newRs);
        worked = true;
      } else if (oldPods.length > 0 && notReady.length === 0) {
        const victim = oldPods[0] as JsonObject;
        this.#store.remove('pods', namespace, String(meta(victim).name));
        const owner = oldRss.find((rs) => podsOf(rs).includes(victim));
        if (owner) {
          obj(owner.spec).replicas = Math.max(0, podsOf(owner).length - 1);
          this.#write('replicasets', owner);
        }
        worked = true;
      }
    }
    const after = this.#store.list('pods', namespace);
    const ownedBy = (rs: JsonObject) =>
      after.filter((p) => {
        const refs = meta(p).ownerReferences;
        return Array.isArray(refs) && refs.some((r) => isJsonObject(r) && r.uid === meta(rs).uid);
      });
    newPods = ownedBy(newRs);
    oldPods = oldRss.flatMap(ownedBy);
    const ready = [...newPods, ...oldPods].filter(podReady).length;
    const updated = newPods.length;
    const total = newPods.length + oldPods.length;
    const available = ready;
    const generation = typeof dm.generation === 'number' ? dm.generation : 1;
    const complete = updated >= desired && total === updated && available >= updated;
    const pds = typeof spec.progressDeadlineSeconds === 'number' ? spec.progressDeadlineSeconds : 600;
    const started = this.#rolloutStart.get(key) ?? Date.now();
    const exceeded = !complete && !paused && Date.now() - started > pds * 1000;
    const progressing = paused
      ? {
          type: 'Progressing',
          status: 'Unknown',
          reason: 'DeploymentPaused',
          message: 'Deployment is paused',
        }
      : complete
        ? {
            type: 'Progressing',
            status: 'True',
            reason: 'NewReplicaSetAvailable',
            message: `ReplicaSet "${String(meta(newRs).name)}" has successfully progressed.`,
          }
        : exceeded
          ? {
              type: 'Progressing',
              status: 'False',
              reason: 'ProgressDeadlineExceeded',
              message: `ReplicaSet "${String(meta(newRs).name)}" has timed out progressing.`,
            }
          : {
              type: 'Progressing',
              status: 'True',
              reason: 'ReplicaSetUpdated',
              message: `ReplicaSet "${String(meta(newRs).name)}" is progressing.`,
            };
    const status: JsonObject = {
      observedGeneration: generation,
      replicas: total,
      updatedReplicas: updated,
      readyReplicas: ready,
      availableReplicas: available,
      unavailableReplicas: Math.max(0, desired - available),
      conditions: [
        {
          type: 'Available',
          status: available >= desired ? 'True' : 'False',
          reason: available >= desired ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
        },
        progressing,
      ],
    };
    if (JSON.stringify(status) !== JSON.stringify(d.status ?? null)) {
      d.status = status;
      deploymentChanged = true;
    }
    if (deploymentChanged) this.#write('deployments', d);
    if (paused || exceeded) return false;
    return worked || !complete;
  }
}
