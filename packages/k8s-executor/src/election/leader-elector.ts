import type { Clock, PortContext, TimerHandle } from '@rollgate/core';
import { RollgateError, sleep } from '@rollgate/core';
import { systemClock } from '@rollgate/core/node';
import { KubeClient } from '../connection/kube-client';
import {
  createKubeConnection,
  type KubeConnection,
  type KubeConnectionOptions,
} from '../connection/kube-connection';
import type { ApiAccess } from '../errors/classify';
import { leasePath } from '../resources/api-paths';
import type { JsonObject } from '../resources/json-value';
import { type LeaseView, parseLease } from '../resources/kube-objects';
import { requireNumber, requireObjectName } from '../resources/object-names';
import { type LeaderElectionRecord, recordFromSpec, recordKey, recordToSpec } from './leader-election-record';
import { formatMicroTime } from './micro-time';

const COMPONENT = 'k8s-leader-elector';
/** client-go's JitterFactor: acquire retries wait retryPeriod * (1 + random * 1.2). */
const JITTER_FACTOR = 1.2;

/** Options of {@link createLeaderElector}. */
export interface LeaderElectorOptions extends KubeConnectionOptions {
  /** Namespace of the Lease. */
  readonly namespace: string;
  /** Name of the Lease (`coordination.k8s.io/v1`). */
  readonly name: string;
  /** This replica's identity, unique among the candidates (e.g. the pod name). */
  readonly identity: string;
  /** How long others wait on an unchanged record before taking over. Integer, default 15. */
  readonly leaseDurationSeconds?: number;
  /** How long the leader keeps trying to renew before it stops acting. Default 10. */
  readonly renewDeadlineSeconds?: number;
  /** Pause between attempts. Default 2. */
  readonly retryPeriodSeconds?: number;
  /** Local time: expiry is measured on it, never against the record's timestamps. Default `systemClock`. */
  readonly clock?: Clock;
  /** Give the lease up (empty holder) on `stop()` so a standby takes over at once. Default true. */
  readonly releaseOnStop?: boolean;
  /**
   * Called when this replica starts leading. `signal` aborts when it must stop acting: renewals
   * failed past the renew deadline (before any other replica can acquire the lease) or `stop()`.
   */
  readonly onStartedLeading?: (signal: AbortSignal) => void;
  /** Called when a term ends, right after its signal aborted. */
  readonly onStoppedLeading?: () => void;
  /** Called when the observed holder changes (including the first one seen). */
  readonly onNewLeader?: (identity: string) => void;
  /** Failed attempts and throwing callbacks, for logs; the election carries on. */
  readonly onError?: (error: RollgateError) => void;
  /** Jitter source in [0, 1). Default `Math.random`. */
  readonly random?: () => number;
}

/** A running Lease election. */
export interface LeaderElector {
  readonly identity: string;
  /** Starts campaigning (idempotent). After losing a term it campaigns again until `stop()`. */
  start(): void;
  /**
   * Stops for good: ends the current term (its signal aborts first), then releases the lease and
   * closes the connection the elector created. Idempotent; `start()` afterwards throws.
   */
  stop(): Promise<void>;
  /** True while this replica is in a term: acting is allowed. */
  isLeader(): boolean;
  /** The holder last observed on the Lease; undefined when none. */
  leader(): string | undefined;
  /** The current term's signal, undefined when not leading. */
  readonly signal: AbortSignal | undefined;
}

/** The outcome of one attempt: whether we hold the lease, and when the winning write was sent. */
export interface AttemptResult {
  readonly ok: boolean;
  /** Local time the request that succeeded was sent: leadership is only valid from it on. */
  readonly sentAt: number;
}

/** Settings of {@link LeaseElection}. */
export interface LeaseElectionSettings {
  readonly client: KubeClient;
  readonly clock: Clock;
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  readonly leaseDurationSeconds: number;
  readonly onError?: (error: RollgateError) => void;
}

/**
 * client-go's `tryAcquireOrRenew` on a Lease, one attempt at a time (the runner in
 * {@link createLeaderElector} adds timing and terms):
 * 1. a holder renews optimistically with the resourceVersion it last wrote;
 * 2. otherwise it reads the Lease, creating it when absent;
 * 3. a record that changed since the last read resets `observedTime` (LOCAL clock); another
 *    holder's lease counts as expired only after `leaseDurationSeconds` (the holder's) without a
 *    change; the record's times are never compared with this clock;
 * 4. the update carries the resourceVersion that was read, so of two candidates taking over
 *    the same expired lease one gets 409 Conflict; a takeover increments `leaseTransitions`.
 */
export class LeaseElection {
  readonly #s: LeaseElectionSettings;
  #lease: LeaseView | undefined;
  #observed: LeaderElectionRecord | undefined;
  #observedKey: string | undefined;
  #observedTime = 0;

  constructor(settings: LeaseElectionSettings) {
    this.#s = settings;
  }

  /** The record last observed (read or written). */
  get observed(): LeaderElectionRecord | undefined {
    return this.#observed;
  }

  /** True when the last observed record names this identity as holder. */
  holdsRecord(): boolean {
    return this.#observed?.holderIdentity === this.#s.identity;
  }

  #setObserved(record: LeaderElectionRecord): void {
    this.#observed = record;
    this.#observedKey = recordKey(record);
    this.#observedTime = this.#s.clock.now();
  }

  #leaseValid(now: number): boolean {
    const record = this.#observed;
    if (!record) return false;
    return this.#observedTime + record.leaseDurationSeconds * 1000 > now;
  }

  #access(verb: ApiAccess['verb']): ApiAccess {
    return verb === 'create'
      ? { verb, resource: 'leases.coordination.k8s.io', namespace: this.#s.namespace }
      : { verb, resource: 'leases.coordination.k8s.io', namespace: this.#s.namespace, name: this.#s.name };
  }

  #report(error: RollgateError): void {
    this.#s.onError?.(error);
  }

  async #update(record: LeaderElectionRecord, ctx: PortContext): Promise<boolean> {
    const lease = this.#lease;
    if (!lease) return false;
    const body: JsonObject = { ...lease.raw, spec: recordToSpec(record) };
    const reply = await this.#s.client.request(
      {
        method: 'PUT',
        path: leasePath(this.#s.namespace, this.#s.name),
        body,
        access: this.#access('update'),
      },
      ctx,
    );
    if (!reply.ok) {
      this.#report(reply.error);
      return false;
    }
    const parsed = parseLease(reply.body);
    if (typeof parsed === 'string') return false;
    this.#lease = parsed;
    return true;
  }

  /** One attempt to acquire or renew. Never throws. */
  async tryAcquireOrRenew(ctx: PortContext): Promise<AttemptResult> {
    const { clock, identity, leaseDurationSeconds } = this.#s;
    const sentAt = clock.now();
    const stamp = formatMicroTime(sentAt);
    let record: LeaderElectionRecord = {
      holderIdentity: identity,
      leaseDurationSeconds,
      acquireTime: stamp,
      renewTime: stamp,
      leaseTransitions: 0,
    };

    const observed = this.#observed;
    if (this.holdsRecord() && observed && this.#leaseValid(sentAt)) {
      const renewal = {
        ...record,
        acquireTime: observed.acquireTime,
        leaseTransitions: observed.leaseTransitions,
      };
      if (await this.#update(renewal, ctx)) {
        this.#setObserved(renewal);
        return { ok: true, sentAt };
      }
    }

    const got = await this.#s.client.request(
      { method: 'GET', path: leasePath(this.#s.namespace, this.#s.name), access: this.#access('get') },
      ctx,
    );
    if (!got.ok && got.kind === 'not-found') {
      const created = await this.#s.client.request(
        {
          method: 'POST',
          path: leasePath(this.#s.namespace),
          body: {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name: this.#s.name, namespace: this.#s.namespace },
            spec: recordToSpec(record),
          },
          access: this.#access('create'),
        },
        ctx,
      );
      if (!created.ok) {
        this.#report(created.error);
        return { ok: false, sentAt };
      }
      const parsed = parseLease(created.body);
      if (typeof parsed === 'string') return { ok: false, sentAt };
      this.#lease = parsed;
      this.#setObserved(record);
      return { ok: true, sentAt };
    }
    if (!got.ok) {
      this.#report(got.error);
      return { ok: false, sentAt };
    }
    const lease = parseLease(got.body);
    if (typeof lease === 'string') return { ok: false, sentAt };
    this.#lease = lease;
    const old = recordFromSpec(lease.spec);
    if (recordKey(old) !== this.#observedKey) this.#setObserved(old);
    if (old.holderIdentity !== '' && this.#leaseValid(sentAt) && !this.holdsRecord())
      return { ok: false, sentAt };

    record = this.holdsRecord()
      ? { ...record, acquireTime: old.acquireTime, leaseTransitions: old.leaseTransitions }
      : { ...record, leaseTransitions: old.leaseTransitions + 1 };
    if (!(await this.#update(record, ctx))) return { ok: false, sentAt };
    this.#setObserved(record);
    return { ok: true, sentAt };
  }

  /**
   * client-go's `release`: when this identity holds the record, write an empty holder with a
   * one-second lease so a standby can take over without waiting. Best effort.
   */
  async release(ctx: PortContext): Promise<boolean> {
    if (!this.holdsRecord() || !this.#observed) return true;
    const stamp = formatMicroTime(this.#s.clock.now());
    const record: LeaderElectionRecord = {
      holderIdentity: '',
      leaseDurationSeconds: 1,
      acquireTime: stamp,
      renewTime: stamp,
      leaseTransitions: this.#observed.leaseTransitions,
    };
    if (!(await this.#update(record, ctx))) return false;
    this.#setObserved(record);
    return true;
  }
}

/**
 * Creates a leader elector on a `coordination.k8s.io/v1` Lease with client-go's algorithm, so
 * several controller replicas can run and only the holder acts. A term starts when an attempt
 * succeeds and ends `renewDeadlineSeconds` after the send time of the last successful write
 * unless a renewal succeeds first; with `leaseDurationSeconds > renewDeadlineSeconds`, the term
 * (and its signal) ends before any other replica can see the lease as expired.
 *
 * @throws RollgateError `CONFIG_INVALID` for bad options.
 */
export function createLeaderElector(options: LeaderElectorOptions): LeaderElector {
  const namespace = requireObjectName('namespace', options.namespace, 'label', COMPONENT);
  const leaseName = requireObjectName('name', options.name, 'subdomain', COMPONENT);
  if (
    typeof options.identity !== 'string' ||
    options.identity.length === 0 ||
    options.identity.length > 253
  ) {
    throw new RollgateError(
      'CONFIG_INVALID',
      'Option identity must be a non-empty string (e.g. the pod name).',
      {
        component: COMPONENT,
      },
    );
  }
  const identity = options.identity;
  const leaseDurationSeconds = requireNumber(
    'leaseDurationSeconds',
    options.leaseDurationSeconds,
    15,
    { min: 1, integer: true },
    COMPONENT,
  );
  const renewDeadlineSeconds = requireNumber(
    'renewDeadlineSeconds',
    options.renewDeadlineSeconds,
    10,
    { min: 0.001 },
    COMPONENT,
  );
  const retryPeriodSeconds = requireNumber(
    'retryPeriodSeconds',
    options.retryPeriodSeconds,
    2,
    { min: 0.001 },
    COMPONENT,
  );
  if (leaseDurationSeconds <= renewDeadlineSeconds) {
    throw new RollgateError(
      'CONFIG_INVALID',
      'Option leaseDurationSeconds must be greater than renewDeadlineSeconds, or a standby could take over ' +
        'while the leader still acts.',
      { component: COMPONENT },
    );
  }
  if (renewDeadlineSeconds <= JITTER_FACTOR * retryPeriodSeconds) {
    throw new RollgateError(
      'CONFIG_INVALID',
      `Option renewDeadlineSeconds must be greater than ${JITTER_FACTOR} x retryPeriodSeconds so a renewal can be retried.`,
      { component: COMPONENT },
    );
  }
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const renewDeadlineMs = renewDeadlineSeconds * 1000;
  const retryPeriodMs = retryPeriodSeconds * 1000;
  const connection: KubeConnection = createKubeConnection(options, {
    component: COMPONENT,
    allowDefault: true,
  });
  const ownsConnection = options.connection === undefined;
  const client = new KubeClient({ connection, role: 'elector', component: COMPONENT, clock });
  const report = (error: RollgateError): void => {
    try {
      options.onError?.(error);
    } catch {
      // A throwing listener must not break the election.
    }
  };
  const election = new LeaseElection({
    client,
    clock,
    namespace,
    name: leaseName,
    identity,
    leaseDurationSeconds,
    onError: report,
  });

  let running = false;
  let finished = false;
  let loopDone: Promise<void> | undefined;
  let loopStop: AbortController | undefined;
  let term: AbortController | undefined;
  let termExpiry: TimerHandle | undefined;
  let reportedLeader: string | undefined;

  function callback(name: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      report(
        new RollgateError('INTERNAL', `The ${name} callback threw; the election carries on.`, {
          component: COMPONENT,
          cause: error,
        }),
      );
    }
  }

  function endTerm(): void {
    if (!term) return;
    const ending = term;
    term = undefined;
    if (termExpiry !== undefined) clock.clearTimeout(termExpiry);
    termExpiry = undefined;
    ending.abort(
      new RollgateError('ABORTED', `Leadership of lease ${namespace}/${leaseName} ended.`, {
        component: COMPONENT,
      }),
    );
    callback('onStoppedLeading', () => options.onStoppedLeading?.());
  }

  function holdTerm(sentAt: number): void {
    const expiresAt = sentAt + renewDeadlineMs;
    if (clock.now() >= expiresAt) return;
    if (termExpiry !== undefined) clock.clearTimeout(termExpiry);
    termExpiry = clock.setTimeout(endTerm, expiresAt - clock.now());
    if (term) return;
    term = new AbortController();
    const signal = term.signal;
    callback('onStartedLeading', () => options.onStartedLeading?.(signal));
  }

  function reportTransition(): void {
    const holder = election.observed?.holderIdentity;
    if (holder === undefined || holder === reportedLeader) return;
    reportedLeader = holder;
    callback('onNewLeader', () => options.onNewLeader?.(holder));
  }

  async function loop(stop: AbortSignal): Promise<void> {
    while (running) {
      const ctx: PortContext = { signal: stop, deadline: clock.now() + renewDeadlineMs };
      const attempt = await election.tryAcquireOrRenew(ctx);
      if (!running) break;
      if (attempt.ok) holdTerm(attempt.sentAt);
      reportTransition();
      const wait = term ? retryPeriodMs : retryPeriodMs * (1 + random() * JITTER_FACTOR);
      try {
        await sleep(clock, wait, stop);
      } catch {
        break;
      }
    }
  }

  return {
    identity,
    get signal() {
      return term?.signal;
    },
    start() {
      if (finished) {
        throw new RollgateError(
          'CONFIG_INVALID',
          'This leader elector was stopped; create a new one to campaign again.',
          {
            component: COMPONENT,
          },
        );
      }
      if (running) return;
      running = true;
      loopStop = new AbortController();
      loopDone = loop(loopStop.signal);
    },
    async stop() {
      if (finished) return;
      finished = true;
      running = false;
      loopStop?.abort();
      await loopDone;
      // Stop acting first, then hand the lease over.
      endTerm();
      if (options.releaseOnStop ?? true) {
        await election.release({
          signal: new AbortController().signal,
          deadline: clock.now() + renewDeadlineMs,
        });
      }
      if (ownsConnection) await connection.close();
    },
    isLeader: () => term !== undefined,
    leader() {
      const holder = election.observed?.holderIdentity;
      return holder === undefined || holder === '' ? undefined : holder;
    },
  };
}
