import type {
  ArtifactRef,
  Clock,
  MetricRequest,
  MetricSource,
  PortContext,
  ReadResult,
  Selector,
  Series,
} from '@rollgate/core';
import { RollgateError } from '@rollgate/core';
import { systemClock } from '@rollgate/core/node';
import { KubeClient } from '../connection/kube-client';
import { createKubeConnection, type KubeConnectionOptions } from '../connection/kube-connection';
import { podsPath } from '../resources/api-paths';
import { listItems, POD_TEMPLATE_HASH_LABEL, type PodView, parsePod } from '../resources/kube-objects';
import { equalitySelector } from '../resources/label-selector';
import { requireNumber, requireObjectName } from '../resources/object-names';
import { containerProblems, formatProblem, livePods, readyFraction } from './pod-health';
import { RestartTracker } from './restart-tracker';

const COMPONENT = 'k8s-pod-health';

/** Options of {@link createPodHealthSource}. */
export interface PodHealthSourceOptions extends KubeConnectionOptions {
  /** Namespace of the pods. */
  readonly namespace: string;
  /** The controller's clock: samples are stamped with its `now()` (at most the range's end). Default: `systemClock`. */
  readonly clock?: Clock;
  /** Source name for logs and audit records. Default `kubernetes-pods:<namespace>`. */
  readonly name?: string;
  /**
   * The API only knows the present. A request whose `end` is older than now minus this many ms
   * (a backtest, a replay) answers `no-data` instead of passing today's value off as history.
   * Default 60 000.
   */
  readonly historyToleranceMs?: number;
}

/** The selector of one ReplicaSet's pods: `{ 'pod-template-hash': artifact.digest }`. */
export function podSelectorFor(artifact: ArtifactRef): Selector {
  if (artifact.digest === undefined) {
    throw new RollgateError(
      'CONFIG_INVALID',
      `Artifact ${artifact.id} has no digest (pod-template-hash); take it from the Kubernetes executor.`,
      { component: COMPONENT },
    );
  }
  return { [POD_TEMPLATE_HASH_LABEL]: artifact.digest };
}

function badQuery(message: string): ReadResult {
  return { status: 'error', error: new RollgateError('SOURCE_BAD_QUERY', message, { component: COMPONENT }) };
}

/**
 * A `MetricSource` over the pods of one ReplicaSet (select them with its `pod-template-hash`
 * label; every selector key is a label matcher), the health-probe signal:
 * - `ready`: the fraction (0..1) of live pods whose Ready condition is True;
 * - `restarts`: container restarts since the previous read of the same query (a count measure).
 * Container problems (CrashLoopBackOff, ImagePullBackOff, OOMKilled, ...) are reported in
 * `warnings` as `<Reason>: pod <pod> container <container> (...)`.
 *
 * The Kubernetes API has no history: every read returns ONE sample per series, the current
 * value stamped at the clock's now, or the range's end when that is earlier. Other measures resolve to a `SOURCE_BAD_QUERY` error.
 *
 * @throws RollgateError `CONFIG_INVALID` for bad options (a connection option is required: a
 *   metric source reads no environment, so there is no default kubeconfig).
 */
export function createPodHealthSource(options: PodHealthSourceOptions): MetricSource {
  const namespace = requireObjectName('namespace', options.namespace, 'label', COMPONENT);
  const toleranceMs = requireNumber(
    'historyToleranceMs',
    options.historyToleranceMs,
    60_000,
    { min: 0 },
    COMPONENT,
  );
  const clock = options.clock ?? systemClock;
  const connection = createKubeConnection(options, { component: COMPONENT, allowDefault: false });
  const ownsConnection = options.connection === undefined;
  const client = new KubeClient({ connection, role: 'source', component: COMPONENT, clock });
  const trackers = new Map<string, RestartTracker>();
  let disposed = false;

  function plan(request: MetricRequest): { measure: 'ready' | 'restarts'; selector: string } | ReadResult {
    const { query } = request;
    if (query.measure !== 'ready' && query.measure !== 'restarts') {
      return badQuery(
        `The pod health source answers the measures ready and restarts only; read ${query.measure} from a ` +
          'metrics backend (Prometheus, New Relic).',
      );
    }
    const selector = equalitySelector(query.selector);
    if (typeof selector !== 'string') return badQuery(`Selector: ${selector.invalid}.`);
    return { measure: query.measure, selector };
  }

  function describe(request: MetricRequest): string {
    const planned = plan(request);
    const selector = 'selector' in planned ? planned.selector : '<invalid selector>';
    const what =
      request.query.measure === 'restarts'
        ? 'restarts: increase of containerStatuses[].restartCount since the previous read'
        : `${request.query.measure}: fraction of pods with condition Ready=True`;
    const segment = request.segmentBy === undefined ? '' : `, per label ${request.segmentBy}`;
    return `GET ${podsPath(namespace)}?labelSelector=${selector} (${what}${segment}; current value only)`;
  }

  async function read(request: MetricRequest, ctx: PortContext): Promise<ReadResult> {
    if (ctx.signal.aborted) {
      return {
        status: 'error',
        error: new RollgateError('ABORTED', 'Aborted by the caller before the pods were read.', {
          component: COMPONENT,
          cause: ctx.signal.reason,
        }),
      };
    }
    const planned = plan(request);
    if (!('selector' in planned)) return planned;
    if (planned.selector === '') {
      return {
        status: 'no-data',
        reason: 'Empty selector: name the pods of one ReplicaSet, e.g. { "pod-template-hash": "<hash>" }.',
      };
    }
    const now = clock.now();
    if (request.end < now - toleranceMs) {
      return {
        status: 'no-data',
        reason: 'The Kubernetes API has no history: pod health is only known now, not for a past range.',
      };
    }
    const reply = await client.request(
      {
        method: 'GET',
        path: podsPath(namespace),
        query: { labelSelector: planned.selector },
        access: { verb: 'list', resource: 'pods', namespace },
      },
      ctx,
    );
    if (!reply.ok) return { status: 'error', error: reply.error };
    const items = listItems(reply.body);
    if (typeof items === 'string') {
      return {
        status: 'error',
        error: new RollgateError('SOURCE_BAD_RESPONSE', `The pod list reply is malformed: ${items}.`, {
          component: COMPONENT,
        }),
      };
    }
    const pods = livePods(items.map(parsePod).filter((p): p is PodView => typeof p !== 'string'));
    if (pods.length === 0) {
      return {
        status: 'no-data',
        reason: `No live pods match labelSelector ${planned.selector} in namespace ${namespace}.`,
      };
    }
    // The value observed now stands for the end of the range (which may lie up to the tolerance
    // in the past): a sample after `end` would break the port's [start, end] rule.
    const stamp = Math.min(clock.now(), request.end);
    const groups = new Map<string, PodView[]>();
    for (const pod of pods) {
      const key = request.segmentBy === undefined ? '' : (pod.labels[request.segmentBy] ?? '');
      const group = groups.get(key);
      if (group) group.push(pod);
      else groups.set(key, [pod]);
    }
    const warnings = containerProblems(pods).map(formatProblem);
    let increaseByPod: ReadonlyMap<string, number> = new Map();
    if (planned.measure === 'restarts') {
      const key = `${planned.selector}|${request.segmentBy ?? ''}`;
      let tracker = trackers.get(key);
      if (!tracker) {
        tracker = new RestartTracker();
        trackers.set(key, tracker);
      }
      const observed = tracker.observe(pods, stamp, request.stepMs);
      increaseByPod = observed.increaseByPod;
      if (observed.baselined > 0) {
        warnings.push(
          `baseline: ${observed.baselined} container(s) had restarted before this source first saw them; ` +
            'those earlier restarts are not counted.',
        );
      }
    }
    const series: Series[] = [];
    for (const key of [...groups.keys()].sort()) {
      const group = groups.get(key) ?? [];
      const v =
        planned.measure === 'ready'
          ? (readyFraction(group) ?? 0)
          : group.reduce((sum, pod) => sum + (increaseByPod.get(pod.uid) ?? 0), 0);
      const labels: Record<string, string> =
        request.segmentBy === undefined ? {} : { [request.segmentBy]: key };
      series.push({ labels, samples: [{ t: stamp, v }] });
    }
    return warnings.length > 0 ? { status: 'ok', series, warnings } : { status: 'ok', series };
  }

  return {
    name: options.name ?? `kubernetes-pods:${namespace}`,
    read,
    describe,
    async dispose() {
      if (disposed) return;
      disposed = true;
      if (ownsConnection) await connection.close();
    },
  };
}
