import { randomUUID } from 'node:crypto';
import { isJsonObject, type JsonObject } from '../../src/resources/json-value';

/** The resources the API double serves. */
export type ResourceKind = 'deployments' | 'replicasets' | 'pods' | 'leases';

/** One change, as a watch stream reports it. */
export interface StoredEvent {
  readonly rv: number;
  readonly kind: ResourceKind;
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly object: JsonObject;
}

const clone = (o: JsonObject): JsonObject => JSON.parse(JSON.stringify(o)) as JsonObject;

function meta(o: JsonObject): JsonObject {
  if (!isJsonObject(o.metadata)) o.metadata = {};
  return o.metadata as JsonObject;
}

/**
 * etcd in miniature: objects per kind/namespace/name, one global resourceVersion counter bumped
 * on every write, an event history for watches (compactable, so old resourceVersions expire
 * with 410 like a real server) and change listeners.
 */
export class ObjectStore {
  #rv = 1000;
  #objects = new Map<string, JsonObject>();
  #history: StoredEvent[] = [];
  #compactedRv = 0;
  readonly #listeners = new Set<(event: StoredEvent) => void>();

  get resourceVersion(): number {
    return this.#rv;
  }

  /** The oldest resourceVersion a watch may still start from. */
  get compactedRv(): number {
    return this.#compactedRv;
  }

  static key(kind: ResourceKind, namespace: string, name: string): string {
    return `${kind}/${namespace}/${name}`;
  }

  get(kind: ResourceKind, namespace: string, name: string): JsonObject | undefined {
    const o = this.#objects.get(ObjectStore.key(kind, namespace, name));
    return o === undefined ? undefined : clone(o);
  }

  list(kind: ResourceKind, namespace: string): JsonObject[] {
    const prefix = `${kind}/${namespace}/`;
    return [...this.#objects.entries()]
      .filter(([k]) => k.startsWith(prefix))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, o]) => clone(o));
  }

  /** Stores an object (create or replace), stamping uid, creationTimestamp and a new resourceVersion. */
  write(kind: ResourceKind, object: JsonObject): JsonObject {
    const o = clone(object);
    const m = meta(o);
    const namespace = String(m.namespace);
    const name = String(m.name);
    const key = ObjectStore.key(kind, namespace, name);
    const previous = this.#objects.get(key);
    const existed = previous !== undefined;
    if (previous) {
      // An update keeps the object's identity.
      const pm = meta(previous);
      if (typeof m.uid !== 'string') m.uid = pm.uid ?? null;
      if (typeof m.creationTimestamp !== 'string') m.creationTimestamp = pm.creationTimestamp ?? null;
    }
    this.#rv++;
    if (typeof m.uid !== 'string') m.uid = randomUUID();
    if (typeof m.creationTimestamp !== 'string')
      m.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    m.resourceVersion = String(this.#rv);
    this.#objects.set(key, o);
    this.#emit({ rv: this.#rv, kind, type: existed ? 'MODIFIED' : 'ADDED', object: clone(o) });
    return clone(o);
  }

  remove(kind: ResourceKind, namespace: string, name: string): boolean {
    const key = ObjectStore.key(kind, namespace, name);
    const o = this.#objects.get(key);
    if (!o) return false;
    this.#objects.delete(key);
    this.#rv++;
    const gone = clone(o);
    meta(gone).resourceVersion = String(this.#rv);
    this.#emit({ rv: this.#rv, kind, type: 'DELETED', object: gone });
    return true;
  }

  /** Forgets history: watches from any older resourceVersion now get 410 Expired. */
  compact(): void {
    this.#compactedRv = this.#rv;
    this.#history = [];
  }

  /** Events after `rv`, or undefined when `rv` is older than the compacted history. */
  eventsSince(rv: number): StoredEvent[] | undefined {
    if (rv < this.#compactedRv) return undefined;
    return this.#history.filter((e) => e.rv > rv);
  }

  subscribe(listener: (event: StoredEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(event: StoredEvent): void {
    this.#history.push(event);
    if (this.#history.length > 5000) {
      this.#history.splice(0, 1000);
      this.#compactedRv = (this.#history[0]?.rv ?? this.#rv) - 1;
    }
    for (const listener of this.#listeners) listener(event);
  }
}
