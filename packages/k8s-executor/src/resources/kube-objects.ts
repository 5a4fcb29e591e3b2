import { isJsonObject, type JsonObject, type JsonValue, stringMap } from './json-value';

/** The label the deployment controller adds to every ReplicaSet and pod it creates. */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';
/** The annotation holding a ReplicaSet's (and its Deployment's) rollout revision. */
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';

/** `metav1.LabelSelector`: matchLabels AND every matchExpression. */
export interface LabelSelector {
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly matchExpressions: readonly LabelSelectorRequirement[];
}

/** One `matchExpressions` entry. */
export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values: readonly string[];
}

/** A status condition (Deployment, Pod). */
export interface Condition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
}

/** The `status` of a Deployment, zero-filled the way the API omits zeros. */
export interface DeploymentStatus {
  readonly observedGeneration: number;
  readonly replicas: number;
  readonly updatedReplicas: number;
  readonly readyReplicas: number;
  readonly availableReplicas: number;
  readonly conditions: readonly Condition[];
}

/** The parts of an `apps/v1` Deployment Rollgate reads; `raw` keeps the whole object. */
export interface DeploymentView {
  readonly raw: JsonObject;
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  readonly resourceVersion: string;
  readonly generation: number;
  readonly annotations: Readonly<Record<string, string>>;
  /** Whether `metadata.annotations` is present at all (a JSON patch `replace` needs it). */
  readonly hasAnnotations: boolean;
  readonly selector: LabelSelector;
  readonly template: JsonObject;
  /** `spec.replicas`, which the API defaults to 1. */
  readonly replicas: number;
  readonly paused: boolean;
  /** `spec.progressDeadlineSeconds` (the API defaults it to 600). */
  readonly progressDeadlineSeconds: number | undefined;
  readonly status: DeploymentStatus;
}

/** An owner reference; `controller: true` marks the managing controller. */
export interface OwnerReference {
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
  readonly controller: boolean;
}

/** The parts of an `apps/v1` ReplicaSet Rollgate reads. */
export interface ReplicaSetView {
  readonly raw: JsonObject;
  readonly name: string;
  readonly uid: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly ownerReferences: readonly OwnerReference[];
  readonly template: JsonObject;
  /** Epoch ms of `metadata.creationTimestamp`, when present. */
  readonly createdAt: number | undefined;
  /** The revision annotation as a number; undefined when absent or not an integer. */
  readonly revision: number | undefined;
  /** The `pod-template-hash` label of the ReplicaSet (or of its template). */
  readonly podTemplateHash: string | undefined;
  readonly replicas: number;
}

/** One container's status as the health source and the artifact digests need it. */
export interface ContainerStatusView {
  readonly name: string;
  readonly ready: boolean;
  readonly restartCount: number;
  readonly image: string | undefined;
  readonly imageID: string | undefined;
  /** `state.waiting.reason`: CrashLoopBackOff, ImagePullBackOff, ErrImagePull, ... */
  readonly waitingReason: string | undefined;
  /** `lastState.terminated.reason`: OOMKilled, Error, ... */
  readonly lastTerminatedReason: string | undefined;
  readonly lastTerminatedExitCode: number | undefined;
}

/** The parts of a core/v1 Pod Rollgate reads. */
export interface PodView {
  readonly name: string;
  readonly uid: string;
  readonly labels: Readonly<Record<string, string>>;
  /** True once `metadata.deletionTimestamp` is set: the pod is going away. */
  readonly terminating: boolean;
  readonly phase: string | undefined;
  /** `status.conditions[type=Ready].status == "True"`. */
  readonly ready: boolean;
  /** Epoch ms of `status.startTime` (or creation), when known. */
  readonly startedAt: number | undefined;
  readonly containers: readonly ContainerStatusView[];
}

/** A `coordination.k8s.io/v1` Lease's spec. */
export interface LeaseSpecView {
  readonly holderIdentity: string;
  readonly leaseDurationSeconds: number;
  readonly acquireTime: string | undefined;
  readonly renewTime: string | undefined;
  readonly leaseTransitions: number;
}

/** A Lease with the resourceVersion an update must carry. */
export interface LeaseView {
  readonly raw: JsonObject;
  readonly resourceVersion: string;
  readonly spec: LeaseSpecView;
}

function objectAt(value: JsonValue | undefined): JsonObject {
  return isJsonObject(value) ? value : {};
}

function numberAt(value: JsonValue | undefined, fallback = 0): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function stringAt(value: JsonValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function timeAt(value: JsonValue | undefined): number | undefined {
  if (typeof value !== 'string') return undefined;
  const t = Date.parse(value);
  return Number.isFinite(t) ? t : undefined;
}

function conditionsAt(value: JsonValue | undefined): Condition[] {
  if (!Array.isArray(value)) return [];
  const out: Condition[] = [];
  for (const entry of value) {
    if (!isJsonObject(entry) || typeof entry.type !== 'string') continue;
    const condition: { type: string; status: string; reason?: string; message?: string } = {
      type: entry.type,
      status: stringAt(entry.status) ?? 'Unknown',
    };
    const reason = stringAt(entry.reason);
    if (reason !== undefined) condition.reason = reason;
    const message = stringAt(entry.message);
    if (message !== undefined) condition.message = message;
    out.push(condition);
  }
  return out;
}

/** Parses `spec.selector`; unknown operators make the selector invalid (undefined). */
export function parseLabelSelector(value: JsonValue | undefined): LabelSelector | undefined {
  if (!isJsonObject(value)) return undefined;
  const matchExpressions: LabelSelectorRequirement[] = [];
  const expressions = value.matchExpressions;
  if (Array.isArray(expressions)) {
    for (const e of expressions) {
      if (!isJsonObject(e) || typeof e.key !== 'string') return undefined;
      const operator = e.operator;
      if (operator !== 'In' && operator !== 'NotIn' && operator !== 'Exists' && operator !== 'DoesNotExist') {
        return undefined;
      }
      const values = Array.isArray(e.values)
        ? e.values.filter((v): v is string => typeof v === 'string')
        : [];
      matchExpressions.push({ key: e.key, operator, values });
    }
  }
  return { matchLabels: stringMap(value.matchLabels), matchExpressions };
}

/** Parses a Deployment, or says which required field is missing. */
export function parseDeployment(value: unknown): DeploymentView | string {
  if (!isJsonObject(value)) return 'the reply is not a JSON object';
  const metadata = objectAt(value.metadata);
  const spec = objectAt(value.spec);
  const status = objectAt(value.status);
  const name = stringAt(metadata.name);
  const uid = stringAt(metadata.uid);
  const resourceVersion = stringAt(metadata.resourceVersion);
  if (!name || !uid || !resourceVersion)
    return 'metadata.name, metadata.uid or metadata.resourceVersion is missing';
  const selector = parseLabelSelector(spec.selector);
  if (!selector) return 'spec.selector is missing or invalid';
  if (!isJsonObject(spec.template)) return 'spec.template is missing';
  const progress = spec.progressDeadlineSeconds;
  return {
    raw: value,
    name,
    namespace: stringAt(metadata.namespace) ?? '',
    uid,
    resourceVersion,
    generation: numberAt(metadata.generation),
    annotations: stringMap(metadata.annotations),
    hasAnnotations: isJsonObject(metadata.annotations),
    selector,
    template: spec.template,
    replicas: numberAt(spec.replicas, 1),
    paused: spec.paused === true,
    progressDeadlineSeconds: typeof progress === 'number' ? progress : undefined,
    status: {
      observedGeneration: numberAt(status.observedGeneration),
      replicas: numberAt(status.replicas),
      updatedReplicas: numberAt(status.updatedReplicas),
      readyReplicas: numberAt(status.readyReplicas),
      availableReplicas: numberAt(status.availableReplicas),
      conditions: conditionsAt(status.conditions),
    },
  };
}

function ownerReferencesAt(value: JsonValue | undefined): OwnerReference[] {
  if (!Array.isArray(value)) return [];
  const out: OwnerReference[] = [];
  for (const ref of value) {
    if (!isJsonObject(ref)) continue;
    const uid = stringAt(ref.uid);
    if (!uid) continue;
    out.push({
      kind: stringAt(ref.kind) ?? '',
      name: stringAt(ref.name) ?? '',
      uid,
      controller: ref.controller === true,
    });
  }
  return out;
}

/** Parses a ReplicaSet, or says which required field is missing. */
export function parseReplicaSet(value: unknown): ReplicaSetView | string {
  if (!isJsonObject(value)) return 'a list item is not a JSON object';
  const metadata = objectAt(value.metadata);
  const spec = objectAt(value.spec);
  const name = stringAt(metadata.name);
  const uid = stringAt(metadata.uid);
  if (!name || !uid) return 'a ReplicaSet lacks metadata.name or metadata.uid';
  if (!isJsonObject(spec.template)) return `ReplicaSet ${name} lacks spec.template`;
  const labels = stringMap(metadata.labels);
  const annotations = stringMap(metadata.annotations);
  const templateLabels = stringMap(objectAt(spec.template.metadata).labels);
  const revisionText = annotations[REVISION_ANNOTATION];
  const revision =
    revisionText !== undefined && /^\d+$/.test(revisionText) ? Number(revisionText) : undefined;
  return {
    raw: value,
    name,
    uid,
    labels,
    annotations,
    ownerReferences: ownerReferencesAt(metadata.ownerReferences),
    template: spec.template,
    createdAt: timeAt(metadata.creationTimestamp),
    revision,
    podTemplateHash: labels[POD_TEMPLATE_HASH_LABEL] ?? templateLabels[POD_TEMPLATE_HASH_LABEL],
    replicas: numberAt(spec.replicas, 1),
  };
}

function containerStatusesAt(value: JsonValue | undefined): ContainerStatusView[] {
  if (!Array.isArray(value)) return [];
  const out: ContainerStatusView[] = [];
  for (const cs of value) {
    if (!isJsonObject(cs) || typeof cs.name !== 'string') continue;
    const waiting = objectAt(objectAt(cs.state).waiting);
    const terminated = objectAt(objectAt(cs.lastState).terminated);
    const exitCode = terminated.exitCode;
    out.push({
      name: cs.name,
      ready: cs.ready === true,
      restartCount: numberAt(cs.restartCount),
      image: stringAt(cs.image),
      imageID: stringAt(cs.imageID),
      waitingReason: stringAt(waiting.reason),
      lastTerminatedReason: stringAt(terminated.reason),
      lastTerminatedExitCode: typeof exitCode === 'number' ? exitCode : undefined,
    });
  }
  return out;
}

/** Parses a Pod, or says which required field is missing. */
export function parsePod(value: unknown): PodView | string {
  if (!isJsonObject(value)) return 'a list item is not a JSON object';
  const metadata = objectAt(value.metadata);
  const status = objectAt(value.status);
  const name = stringAt(metadata.name);
  if (!name) return 'a Pod lacks metadata.name';
  const ready = conditionsAt(status.conditions).some((c) => c.type === 'Ready' && c.status === 'True');
  return {
    name,
    uid: stringAt(metadata.uid) ?? name,
    labels: stringMap(metadata.labels),
    terminating: typeof metadata.deletionTimestamp === 'string',
    phase: stringAt(status.phase),
    ready,
    startedAt: timeAt(status.startTime) ?? timeAt(metadata.creationTimestamp),
    containers: containerStatusesAt(status.containerStatuses),
  };
}

/** Parses a Lease. A missing spec reads as an unheld lease. */
export function parseLease(value: unknown): LeaseView | string {
  if (!isJsonObject(value)) return 'the reply is not a JSON object';
  const metadata = objectAt(value.metadata);
  const resourceVersion = stringAt(metadata.resourceVersion);
  if (!resourceVersion) return 'metadata.resourceVersion is missing';
  const spec = objectAt(value.spec);
  return {
    raw: value,
    resourceVersion,
    spec: {
      holderIdentity: stringAt(spec.holderIdentity) ?? '',
      leaseDurationSeconds: numberAt(spec.leaseDurationSeconds),
      acquireTime: stringAt(spec.acquireTime),
      renewTime: stringAt(spec.renewTime),
      leaseTransitions: numberAt(spec.leaseTransitions),
    },
  };
}

/** The `items` of a list reply, or an explanation when the reply is not a list. */
export function listItems(value: unknown): JsonValue[] | string {
  if (!isJsonObject(value) || !Array.isArray(value.items)) return 'the reply has no items array';
  return value.items;
}

/** The list's `metadata.resourceVersion` (where a watch starts), when present. */
export function listResourceVersion(value: unknown): string | undefined {
  if (!isJsonObject(value)) return undefined;
  return stringAt(objectAt(value.metadata).resourceVersion);
}
