import type {
  ArtifactRef,
  Clock,
  CutoverReceipt,
  Executor,
  GateReport,
  PortContext,
  Result,
} from '@rollgate/core';
import { fail, ok, parseOptions, RollgateError, sleep } from '@rollgate/core';
import { systemClock } from '@rollgate/core/node';
import { KubeClient } from '../connection/kube-client';
import { createKubeConnection, type KubeConnectionOptions } from '../connection/kube-connection';
import type { ApiAccess } from '../errors/classify';
import {
  type KubernetesExecutorFields,
  KubernetesExecutorOptionsSchema,
} from '../options/kubernetes-executor-options-schema';
import { deploymentPath, podsPath, replicaSetsPath } from '../resources/api-paths';
import {
  type DeploymentView,
  listItems,
  listResourceVersion,
  type PodView,
  parseDeployment,
  parsePod,
  parseReplicaSet,
  type ReplicaSetView,
} from '../resources/kube-objects';
import { formatLabelSelector } from '../resources/label-selector';
import { requireNumber, requireObjectName } from '../resources/object-names';
import { type DigestIndex, findArtifactReplicaSet, indexDigests, toArtifactRef } from './artifact-ref';
import { byRevisionDescending, findNewReplicaSet, ownedReplicaSets } from './replica-sets';
import { findRevision } from './revision-target';
import { OPERATION_ANNOTATION, rollbackPatch } from './rollback-patch';
import { progressFingerprint, rolloutStatus } from './rollout-status';
import { equalIgnoreHash } from './template-equality';

const COMPONENT = 'k8s-executor';
// A progressDeadlineSeconds of MaxInt32 means "no deadline" to the deployment controller.
const NO_PROGRESS_DEADLINE = 2_147_483_647;

/**
 * Options of {@link createKubernetesExecutor}: the fields of `KubernetesExecutorOptionsSchema`
 * (their doc comments there), the connection, and the runtime-only clock and name.
 */
export interface KubernetesExecutorOptions extends KubeConnectionOptions, KubernetesExecutorFields {
  /** The controller's clock; `ctx.deadline` is read against it. Default: `systemClock`. */
  readonly clock?: Clock;
  /** Executor name for logs and audit records. Default `kubernetes:<namespace>/<deployment>`. */
  readonly name?: string;
}

/** `kubectl rollout undo` options. */
export interface UndoOptions {
  /** The revision to roll back to; 0 or absent means the previous revision. */
  readonly toRevision?: number;
}

/** The Kubernetes executor: the `Executor` port plus kubectl-style revision helpers. */
export interface KubernetesExecutor extends Executor {
  /**
   * The artifact `kubectl rollout undo [--to-revision=N]` would restore: revision N, or with 0 /
   * no argument the second-highest revision. `ARTIFACT_NOT_FOUND` when there is no such revision
   * or no history.
   */
  resolveRevision(toRevision: number, ctx: PortContext): Promise<Result<ArtifactRef>>;
  /** `kubectl rollout undo`: {@link resolveRevision} then `cutover`. */
  undo(options: UndoOptions, operationId: string, ctx: PortContext): Promise<Result<CutoverReceipt>>;
}

interface Snapshot {
  readonly deployment: DeploymentView;
  readonly owned: readonly ReplicaSetView[];
}

/**
 * Creates an `Executor` for one Deployment with `kubectl rollout undo` / `rollout status`
 * semantics (docs/adapters/kubernetes.md). Artifacts are the Deployment's owned ReplicaSets,
 * identified by `<deployment>@<pod-template-hash>`. No traffic weights (`supportsWeights: false`).
 *
 * @throws RollgateError `CONFIG_INVALID` for bad options.
 */
export function createKubernetesExecutor(options: KubernetesExecutorOptions): KubernetesExecutor {
  checkDescribedOptions(options);
  const namespace = requireObjectName('namespace', options.namespace, 'label', COMPONENT);
  const name = requireObjectName('deployment', options.deployment, 'subdomain', COMPONENT);
  const conflictRetries = requireNumber(
    'conflictRetries',
    options.conflictRetries,
    5,
    { min: 0, integer: true },
    COMPONENT,
  );
  const graceMs = requireNumber(
    'progressDeadlineGraceMs',
    options.progressDeadlineGraceMs,
    10_000,
    { min: 0 },
    COMPONENT,
  );
  const retryDelayMs = requireNumber('retryDelayMs', options.retryDelayMs, 1000, { min: 0 }, COMPONENT);
  const resolveDigests = options.resolveImageDigests ?? true;
  const clock = options.clock ?? systemClock;
  const connection = createKubeConnection(options, { component: COMPONENT, allowDefault: true });
  const ownsConnection = options.connection === undefined;
  const client = new KubeClient({ connection, role: 'executor', component: COMPONENT, clock });
  const where = `${namespace}/${name}`;
  const executorName = options.name ?? `kubernetes:${where}`;
  let disposed = false;

  const deploymentAccess = (verb: ApiAccess['verb']): ApiAccess => ({
    verb,
    resource: 'deployments.apps',
    namespace,
    name,
  });

  function aborted(ctx: PortContext): RollgateError | undefined {
    if (!ctx.signal.aborted) return undefined;
    return new RollgateError('ABORTED', `Aborted by the caller; deployment ${where} was not changed.`, {
      component: COMPONENT,
      cause: ctx.signal.reason,
    });
  }

  function badReply(what: string): RollgateError {
    return new RollgateError(
      'EXECUTOR_UNAVAILABLE',
      `The Kubernetes API returned an unusable ${what} for deployment ${where}; is the server an API server?`,
      { component: COMPONENT },
    );
  }

  async function getDeployment(ctx: PortContext): Promise<Result<DeploymentView>> {
    const reply = await client.request(
      { method: 'GET', path: deploymentPath(namespace, name), access: deploymentAccess('get') },
      ctx,
    );
    if (!reply.ok) return fail(reply.error);
    const parsed = parseDeployment(reply.body);
    return typeof parsed === 'string' ? fail(badReply(`Deployment (${parsed})`)) : ok(parsed);
  }

  // kubectl rollout status lists with a field selector and watches from the LIST's
  // resourceVersion: a single object's resourceVersion can be older than the server's watch
  // history, which would make every watch from it answer 410.
  async function listDeployment(
    ctx: PortContext,
  ): Promise<Result<{ deployment: DeploymentView | undefined; rv: string }>> {
    const reply = await client.request(
      {
        method: 'GET',
        path: deploymentPath(namespace),
        query: { fieldSelector: `metadata.name=${name}` },
        access: { verb: 'list', resource: 'deployments.apps', namespace },
      },
      ctx,
    );
    if (!reply.ok) return fail(reply.error);
    const items = listItems(reply.body);
    if (typeof items === 'string') return fail(badReply(`Deployment list (${items})`));
    const rv = listResourceVersion(reply.body);
    const first = items[0];
    if (first === undefined) return ok({ deployment: undefined, rv: rv ?? '' });
    const parsed = parseDeployment(first);
    if (typeof parsed === 'string') return fail(badReply(`Deployment (${parsed})`));
    return ok({ deployment: parsed, rv: rv ?? parsed.resourceVersion });
  }

  async function snapshot(ctx: PortContext): Promise<Result<Snapshot>> {
    const deployment = await getDeployment(ctx);
    if (!deployment.ok) return deployment;
    const reply = await client.request(
      {
        method: 'GET',
        path: replicaSetsPath(namespace),
        query: { labelSelector: formatLabelSelector(deployment.value.selector) },
        access: { verb: 'list', resource: 'replicasets.apps', namespace },
      },
      ctx,
    );
    if (!reply.ok) return fail(reply.error);
    const items = listItems(reply.body);
    if (typeof items === 'string') return fail(badReply(`ReplicaSet list (${items})`));
    const replicaSets: ReplicaSetView[] = [];
    for (const item of items) {
      const rs = parseReplicaSet(item);
      if (typeof rs === 'string') return fail(badReply(`ReplicaSet (${rs})`));
      replicaSets.push(rs);
    }
    return ok({ deployment: deployment.value, owned: ownedReplicaSets(deployment.value, replicaSets) });
  }

  // Digests are an enrichment: without `list pods` (or with no running pods) artifacts simply
  // carry no imageDigest attributes.
  async function digests(deployment: DeploymentView, ctx: PortContext): Promise<DigestIndex> {
    if (!resolveDigests) return new Map();
    const reply = await client.request(
      {
        method: 'GET',
        path: podsPath(namespace),
        query: { labelSelector: formatLabelSelector(deployment.selector) },
        access: { verb: 'list', resource: 'pods', namespace },
      },
      ctx,
    );
    if (!reply.ok) return new Map();
    const items = listItems(reply.body);
    if (typeof items === 'string') return new Map();
    const pods = items.map(parsePod).filter((p): p is PodView => typeof p !== 'string');
    return indexDigests(pods);
  }

  function noNewReplicaSet(deployment: DeploymentView): RollgateError {
    return new RollgateError(
      'EXECUTOR_UNAVAILABLE',
      `Deployment ${where} has no ReplicaSet for its current template yet (generation ${deployment.generation}, ` +
        `observed ${deployment.status.observedGeneration}): the deployment controller has not caught up; retry shortly.`,
      { component: COMPONENT, retryable: true },
    );
  }

  async function current(ctx: PortContext): Promise<Result<ArtifactRef>> {
    const abort = aborted(ctx);
    if (abort) return fail(abort);
    const snap = await snapshot(ctx);
    if (!snap.ok) return snap;
    const live = findNewReplicaSet(snap.value.deployment, snap.value.owned);
    if (!live) return fail(noNewReplicaSet(snap.value.deployment));
    return ok(toArtifactRef(snap.value.deployment, live, await digests(snap.value.deployment, ctx)));
  }

  async function candidates(ctx: PortContext): Promise<Result<readonly ArtifactRef[]>> {
    const abort = aborted(ctx);
    if (abort) return fail(abort);
    const snap = await snapshot(ctx);
    if (!snap.ok) return snap;
    const index = await digests(snap.value.deployment, ctx);
    const sorted = [...snap.value.owned].sort(byRevisionDescending);
    return ok(sorted.map((rs) => toArtifactRef(snap.value.deployment, rs, index)));
  }

  function unknownTarget(
    target: ArtifactRef,
    owned: readonly ReplicaSetView[],
    deployment: DeploymentView,
  ): RollgateError {
    const known = [...owned]
      .sort(byRevisionDescending)
      .map((rs) => toArtifactRef(deployment, rs, new Map()).id)
      .join(', ');
    return new RollgateError(
      'ARTIFACT_NOT_FOUND',
      `Deployment ${where} has no ReplicaSet for artifact ${JSON.stringify(target.id)} (known: ${known || 'none'}); ` +
        'its ReplicaSet may have been pruned by revisionHistoryLimit.',
      { component: COMPONENT, details: { artifactId: target.id } },
    );
  }

  async function cutover(
    target: ArtifactRef,
    operationId: string,
    ctx: PortContext,
  ): Promise<Result<CutoverReceipt>> {
    const abort = aborted(ctx);
    if (abort) return fail(abort);
    if (typeof operationId !== 'string' || operationId.length === 0 || operationId.length > 253) {
      return fail(
        new RollgateError(
          'CONFIG_INVALID',
          'cutover needs a non-empty operationId of at most 253 characters.',
          {
            component: COMPONENT,
          },
        ),
      );
    }
    let lastConflict: RollgateError | undefined;
    for (let attempt = 0; attempt <= conflictRetries; attempt++) {
      const snap = await snapshot(ctx);
      if (!snap.ok) return snap;
      const { deployment, owned } = snap.value;
      const rs = findArtifactReplicaSet(name, owned, target);
      const live = findNewReplicaSet(deployment, owned);
      const liveRef = live ? toArtifactRef(deployment, live, new Map()) : null;
      if (deployment.annotations[OPERATION_ANNOTATION] === operationId) {
        const still = rs !== undefined && equalIgnoreHash(rs.template, deployment.template);
        return ok({
          operationId,
          from: null,
          to: rs ? toArtifactRef(deployment, rs, new Map()) : target,
          changed: false,
          detail: still
            ? `operation ${operationId} was already applied to deployment ${where} (annotation ${OPERATION_ANNOTATION}); nothing changed`
            : `operation ${operationId} was already applied to deployment ${where}, which has changed since; not applying it twice`,
        });
      }
      if (!rs) return fail(unknownTarget(target, owned, deployment));
      const to = toArtifactRef(deployment, rs, new Map());
      if (deployment.paused) {
        return fail(
          new RollgateError(
            'EXECUTOR_REFUSED',
            `Deployment ${where} is paused; a paused deployment cannot be rolled back. Resume it first with ` +
              `'kubectl rollout resume deployment/${name} -n ${namespace}' and try again.`,
            { component: COMPONENT, details: { paused: true } },
          ),
        );
      }
      if (equalIgnoreHash(rs.template, deployment.template)) {
        return ok({
          operationId,
          from: liveRef,
          to,
          changed: false,
          detail: `skipped rollback: the template of deployment ${where} already matches revision ${to.revision ?? '?'} (${to.id})`,
        });
      }
      const abortNow = aborted(ctx);
      if (abortNow) return fail(abortNow);
      const reply = await client.request(
        {
          method: 'PATCH',
          path: deploymentPath(namespace, name),
          body: rollbackPatch(deployment, rs, operationId),
          contentType: 'application/json-patch+json',
          access: deploymentAccess('patch'),
        },
        ctx,
      );
      if (reply.ok) {
        return ok({
          operationId,
          from: liveRef,
          to,
          changed: true,
          detail:
            `rolled back deployment ${where} to revision ${to.revision ?? '?'} (ReplicaSet ${rs.name}, ` +
            `pod-template-hash ${rs.podTemplateHash ?? '?'}): JSON patch replaced /spec/template and ` +
            `/metadata/annotations at resourceVersion ${deployment.resourceVersion}; the controller reuses the ` +
            'ReplicaSet with a new revision',
        });
      }
      if (reply.kind !== 'conflict') return fail(reply.error);
      lastConflict = reply.error;
    }
    return fail(
      new RollgateError(
        'CUTOVER_FAILED',
        `Deployment ${where} kept changing while the rollback was applied: ${conflictRetries + 1} attempts ended in ` +
          '409 Conflict. Another writer (a deploy, an autoscaler) is updating it; retry when it settles.',
        { component: COMPONENT, retryable: true, cause: lastConflict },
      ),
    );
  }

  async function awaitReady(target: ArtifactRef, ctx: PortContext): Promise<Result<GateReport>> {
    const abort = aborted(ctx);
    if (abort) return fail(abort);
    const start = clock.now();
    const first = await retryTransient(() => snapshot(ctx), ctx);
    if (!first.ok) return first;
    const rs = findArtifactReplicaSet(name, first.value.owned, target);
    if (!rs) return fail(unknownTarget(target, first.value.owned, first.value.deployment));
    const targetTemplate = rs.template;

    const deleted = (): Result<GateReport> =>
      fail(
        new RollgateError('GATE_FAILED', `Deployment ${where} was deleted while the gate waited.`, {
          component: COMPONENT,
        }),
      );

    let deployment = first.value.deployment;
    let fingerprint = progressFingerprint(deployment);
    let lastProgressAt = start;
    let outcome: Result<GateReport> | undefined;
    let watchRv = '';
    let expirations = 0;

    const progressBound = (): number => {
      const seconds = deployment.progressDeadlineSeconds;
      if (seconds === undefined || seconds >= NO_PROGRESS_DEADLINE) return Number.POSITIVE_INFINITY;
      return lastProgressAt + seconds * 1000 + graceMs;
    };

    const judge = (d: DeploymentView): Result<GateReport> | undefined => {
      deployment = d;
      const fp = progressFingerprint(d);
      if (fp !== fingerprint) {
        fingerprint = fp;
        lastProgressAt = clock.now();
      }
      if (!equalIgnoreHash(targetTemplate, d.template)) {
        return fail(
          new RollgateError(
            'GATE_FAILED',
            `Deployment ${where} no longer runs artifact ${target.id}: its template changed while the gate waited ` +
              '(another deploy or rollback?).',
            { component: COMPONENT },
          ),
        );
      }
      const status = rolloutStatus(d);
      if (status.state === 'failed') {
        return fail(
          new RollgateError(
            'GATE_FAILED',
            `${status.message}; the rollout of ${target.id} will not complete.`,
            {
              component: COMPONENT,
              details: { reason: 'ProgressDeadlineExceeded' },
            },
          ),
        );
      }
      if (status.state === 'done') {
        const s = d.status;
        return ok({
          ready: true,
          detail:
            `${status.message}: ${s.updatedReplicas}/${d.replicas} updated, ${s.availableReplicas} available, ` +
            `observedGeneration ${s.observedGeneration} (artifact ${target.id}, ${((clock.now() - start) / 1000).toFixed(1)} s)`,
        });
      }
      return undefined;
    };

    const relist = async (): Promise<Result<GateReport> | undefined> => {
      const listed = await retryTransient(() => listDeployment(ctx), ctx);
      if (!listed.ok) return listed;
      if (listed.value.deployment === undefined) return deleted();
      watchRv = listed.value.rv;
      return judge(listed.value.deployment);
    };

    outcome = await relist();
    while (outcome === undefined) {
      const bound = progressBound();
      const until = Math.min(bound, ctx.deadline);
      const timeoutSeconds = Math.max(1, Math.min(300, Math.ceil((until - clock.now()) / 1000)));
      let verdict: Result<GateReport> | undefined;
      const end = await client.watch(
        {
          method: 'GET',
          path: deploymentPath(namespace),
          query: {
            fieldSelector: `metadata.name=${name}`,
            watch: '1',
            resourceVersion: watchRv,
            allowWatchBookmarks: 'true',
            timeoutSeconds: String(timeoutSeconds),
          },
          access: { verb: 'watch', resource: 'deployments.apps', namespace },
        },
        ctx,
        until,
        (event) => {
          if (event.type === 'DELETED') {
            verdict = deleted();
            return 'stop';
          }
          if (event.type === 'BOOKMARK') {
            const rv = listResourceVersion(event.object);
            if (rv !== undefined) watchRv = rv;
            return 'continue';
          }
          const parsed = parseDeployment(event.object);
          if (typeof parsed === 'string') return 'continue';
          watchRv = parsed.resourceVersion;
          verdict = judge(parsed);
          return verdict === undefined ? 'continue' : 'stop';
        },
      );
      if (verdict !== undefined) {
        outcome = verdict;
        break;
      }
      if (end.kind === 'closed' || end.kind === 'stopped') continue;
      if (end.kind === 'deadline') {
        const now = clock.now();
        if (now >= ctx.deadline) {
          return fail(
            new RollgateError(
              'TIMEOUT',
              `Deadline reached while waiting for the rollout of ${target.id}: ${rolloutStatus(deployment).message}.`,
              { component: COMPONENT, retryable: true },
            ),
          );
        }
        if (now >= progressBound()) {
          return fail(
            new RollgateError(
              'GATE_FAILED',
              `Deployment ${where} made no progress for ${deployment.progressDeadlineSeconds} s (its ` +
                `progressDeadlineSeconds) plus ${graceMs} ms and the controller reported nothing: ` +
                `${rolloutStatus(deployment).message}. Is the deployment controller running?`,
              { component: COMPONENT },
            ),
          );
        }
        continue;
      }
      if (end.kind === 'error') {
        if (end.error.code === 'ABORTED' || !end.error.retryable) return fail(end.error);
        const waited = await pause(end.error.retryAfterMs ?? retryDelayMs, ctx);
        if (!waited.ok) return waited;
      } else {
        // 410 Expired: list again and resume from the fresh resourceVersion; back off if it repeats.
        expirations++;
        if (expirations > 1) {
          const waited = await pause(retryDelayMs, ctx);
          if (!waited.ok) return waited;
        }
      }
      outcome = await relist();
    }
    return outcome;
  }

  async function pause(ms: number, ctx: PortContext): Promise<Result<void>> {
    const remaining = ctx.deadline - clock.now();
    if (remaining <= ms) {
      return fail(
        new RollgateError('TIMEOUT', `Deadline reached while waiting on deployment ${where}.`, {
          component: COMPONENT,
          retryable: true,
        }),
      );
    }
    try {
      await sleep(clock, ms, ctx.signal);
      return ok(undefined);
    } catch (error) {
      return fail(RollgateError.from(error, 'ABORTED', COMPONENT));
    }
  }

  // The gate is a wait by nature, so it rides out transient API failures (5xx, 429, network)
  // until the deadline instead of failing a rollback on one dropped request.
  async function retryTransient<T>(call: () => Promise<Result<T>>, ctx: PortContext): Promise<Result<T>> {
    for (;;) {
      const result = await call();
      if (result.ok || !result.error.retryable || result.error.code === 'TIMEOUT') return result;
      const waited = await pause(result.error.retryAfterMs ?? retryDelayMs, ctx);
      if (!waited.ok) return fail(result.error);
    }
  }

  async function resolveRevision(toRevision: number, ctx: PortContext): Promise<Result<ArtifactRef>> {
    const abort = aborted(ctx);
    if (abort) return fail(abort);
    const snap = await snapshot(ctx);
    if (!snap.ok) return snap;
    const found = findRevision(name, snap.value.owned, toRevision);
    if ('reason' in found) {
      return fail(
        new RollgateError('ARTIFACT_NOT_FOUND', `Deployment ${where}: ${found.message}.`, {
          component: COMPONENT,
          details: { toRevision, reason: found.reason },
        }),
      );
    }
    return ok(toArtifactRef(snap.value.deployment, found, await digests(snap.value.deployment, ctx)));
  }

  return {
    name: executorName,
    supportsWeights: false,
    current,
    candidates,
    cutover,
    awaitReady,
    resolveRevision,
    async undo(undoOptions, operationId, ctx) {
      const target = await resolveRevision(undoOptions.toRevision ?? 0, ctx);
      if (!target.ok) return target;
      return cutover(target.value, operationId, ctx);
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      if (ownsConnection) await connection.close();
    },
  };
}

/**
 * Checks the options a configuration file can hold with `KubernetesExecutorOptionsSchema`, so a
 * program gets the words `rollgate config check` gives; the runtime-only ones (`connection`,
 * `dispatcher`, `clock`, `name`, a `KubeConfigLike`, `inCluster: { pathPrefix }`) are checked
 * where they are used.
 */
function checkDescribedOptions(options: KubernetesExecutorOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new RollgateError(
      'CONFIG_INVALID',
      'k8s-executor: options must be an object with namespace and deployment.',
      {
        component: COMPONENT,
      },
    );
  }
  const {
    connection: _c,
    dispatcher: _d,
    clock: _k,
    name: _n,
    kubeconfig,
    inCluster,
    ...described
  } = options;
  parseOptions(
    KubernetesExecutorOptionsSchema,
    {
      ...described,
      ...(typeof kubeconfig === 'string' ? { kubeconfig } : {}),
      ...(typeof inCluster === 'boolean' ? { inCluster } : {}),
    },
    (option, message) =>
      new RollgateError('CONFIG_INVALID', `k8s-executor: Option ${option}: ${message}.`, {
        component: COMPONENT,
        details: { option },
      }),
  );
}
