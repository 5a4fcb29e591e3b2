import type { AuditRecord } from '../audit/audit-record';
import type { Contract } from '../contract/contract-schema';
import { RollgateError, reviveRollgateError, type SerializedRollgateError } from '../errors/rollgate-error';
import { Thrown } from '../errors/thrown';
import { type Evaluation, Evaluator } from '../evaluation/evaluator';
import type { RetryPolicy } from '../evaluation/read-with-retry';
import { SafeEmitter } from '../events/safe-emitter';
import type { AbortSignalLike, PortContext } from '../ports/abort';
import type { ArtifactStore } from '../ports/artifact-store';
import type { AuditSink } from '../ports/audit-sink';
import type { Executor } from '../ports/executor';
import type { MetricSource } from '../ports/metric-source';
import type { Notifier } from '../ports/notifier';
import type { StateStore } from '../ports/state-store';
import { type WatchLease, watchLeaseKey } from '../ports/watch-lease';
import { type Clock, sleep } from '../time/clock';
import { boundAuditSeries } from './audit-series-bound';
import { controlRequestPrefix, controlRequestsListed, type PendingControlRequests } from './control-requests';
import { failingArtifact } from './failing-artifact';
import { keeperOf, type LeaseEvent, LeaseKeeper, leasedSignal } from './lease-keeper';
import type {
  Command,
  ControlRecord,
  ControlRequest,
  DeployEvent,
  MachineEvent,
  MachineSnapshot,
  RollbackGuard,
} from './machine-state';
import { startWatch, transition } from './rollback-machine';
import { type MachineStateName, TERMINAL_STATES } from './state-table';
import { loadStoredSnapshot, StoredSnapshotWriter } from './stored-snapshot';

/** Everything a controller is wired with. Sources are keyed by the name signals refer to. */
export interface ControllerOptions {
  readonly contract: Contract;
  readonly sources: Readonly<Record<string, MetricSource>>;
  readonly executor: Executor;
  readonly artifacts: ArtifactStore;
  readonly state: StateStore;
  readonly audit: AuditSink;
  readonly notifier: Notifier;
  readonly clock: Clock;
  /** Evaluate and audit everything, execute nothing (no cutover, no weights, no verification record). */
  readonly dryRun?: boolean;
  /** No automatic rollback of a service within this long after the previous one. Default 1800. */
  readonly cooldownSeconds?: number;
  /** Wait after each step boundary before evaluating, so the backend has ingested it. Default 1000. */
  readonly settleMs?: number;
  /** Checked before every command: when it returns true, Rollgate stops acting (Halted). */
  readonly killSwitch?: () => boolean | Promise<boolean>;
  /**
   * How often a watch waiting for its next evaluation looks for human requests (promote, abort,
   * retry) in the state store; they are also looked for before every command. 0 looks only
   * before commands. Default 1000.
   */
  readonly controlPollMs?: number;
  readonly retry?: RetryPolicy;
  /** Deadlines for executor calls. */
  readonly timeouts?: { readonly cutoverMs?: number; readonly gateMs?: number; readonly portMs?: number };
  readonly onListenerError?: (error: unknown, event: string) => void;
  /**
   * Exclusive ownership of the service's watches across controllers (docs/stores.md). When
   * given, a watch acquires the lease (key: the service, see `watchLeaseKey`) before its first
   * step, renews it while it runs, confirms it with a fresh renewal before every command, puts
   * its fence on every port call, and stops with `LEASE_LOST` before any further command once
   * another controller holds it. Without it, nothing stops two controllers watching one deploy.
   */
  readonly lease?: WatchLease;
  /** How long a failing lease store is retried before the watch stops without acting. Default 600 000. */
  readonly leaseOutageMs?: number;
}

/** Per-call options of {@link Controller.watch} and {@link Controller.resume}. */
export interface WatchCallOptions {
  readonly signal?: AbortSignalLike;
  /**
   * With a lease held by another controller: wait until it is released or expires (true), or
   * reject at once with `LEASE_HELD` (false, the default).
   */
  readonly waitForLease?: boolean;
}

/** How a watch ended. */
export interface WatchResult {
  readonly watchId: string;
  readonly state: MachineStateName;
  readonly outcome: NonNullable<MachineSnapshot['outcome']>;
  readonly reason: string;
  /** The audit record as written (null if every write failed). */
  readonly audit: AuditRecord | null;
  readonly snapshot: MachineSnapshot;
}

/** Events a controller emits; listeners cannot break it. */
export interface ControllerEvents extends Record<string, unknown> {
  /** A watch starts or resumes in this controller (before its first step here). */
  'watch-start': {
    readonly watchId: string;
    readonly service: string;
    readonly resumed: boolean;
    readonly at: number;
    readonly snapshot: MachineSnapshot;
  };
  transition: {
    /** Always set by the controller (optional for listeners' tests that build one). */
    readonly watchId?: string;
    readonly from: MachineStateName;
    readonly to: MachineStateName;
    readonly at: number;
    readonly reason: string;
  };
  evaluation: Evaluation;
  command: Command;
  /**
   * One step of a watch: the command run (null for an outside event: a human request, the kill
   * switch), the event that answered it, when the command started and ended, and the snapshot
   * after the transition. Telemetry builds durations and counts from these.
   */
  step: {
    readonly watchId: string;
    readonly service: string;
    readonly command: Command | null;
    readonly event: MachineEvent;
    readonly startedAt: number;
    readonly finishedAt: number;
    readonly from: MachineStateName;
    readonly snapshot: MachineSnapshot;
  };
  /** A human request was answered (applied or refused) by this controller. */
  control: { readonly watchId: string; readonly record: ControlRecord };
  lease: LeaseEvent;
  'store-error': {
    readonly operation: string;
    readonly error: SerializedRollgateError;
    readonly watchId?: string;
  };
  outcome: WatchResult;
}

/** A wired controller: `watch` a deploy to an outcome, or `resume` one after a crash. */
export interface Controller {
  readonly events: SafeEmitter<ControllerEvents>;
  readonly evaluator: Evaluator;
  /**
   * Watches one deploy from the deploy event to an outcome. Calling it again with the same
   * watch id resumes the stored snapshot (or returns the finished result): never a second cutover.
   */
  watch(
    deploy: DeployEvent,
    options?: WatchCallOptions & { readonly watchId?: string },
  ): Promise<WatchResult>;
  /** Continues a stored watch. Rejects with `STATE_CORRUPT` or `ARTIFACT_NOT_FOUND` when there is none. */
  resume(watchId: string, options?: WatchCallOptions): Promise<WatchResult>;
}

const NEVER: AbortSignalLike = {
  aborted: false,
  addEventListener: () => {},
  removeEventListener: () => {},
};

/** A stable watch id for a deploy: the same deploy always maps to the same stored watch. */
export function watchIdFor(service: string, deploy: DeployEvent): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);
  return `${clean(service)}--${clean(deploy.artifactId)}--${deploy.deployedAt}`;
}

/**
 * Wires the rollback machine to the ports: the interpreter runs each pending command, feeds
 * the result back as an event, and persists the snapshot after every transition (before the
 * next command runs), so a controller killed at any point resumes where it was.
 */
export function createController(options: ControllerOptions): Controller {
  const { contract } = options;
  const events = new SafeEmitter<ControllerEvents>(options.onListenerError);
  const evaluator = new Evaluator({
    contract,
    sources: options.sources,
    clock: options.clock,
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.onListenerError ? { onListenerError: options.onListenerError } : {}),
  });
  evaluator.events.on('evaluation', (e) => events.emit('evaluation', e));
  const core = new ControllerCore(options, events, evaluator);

  return {
    events,
    evaluator,
    async watch(deploy, watchOptions = {}) {
      if (!Number.isFinite(deploy.deployedAt)) {
        throw new RollgateError(
          'CONFIG_INVALID',
          'the deploy event needs deployedAt (epoch ms): the validation gate compares breach onsets with it',
          { component: 'controller' },
        );
      }
      if (!deploy.artifactId) {
        throw new RollgateError(
          'CONFIG_INVALID',
          'the deploy event needs the artifact id of the new version',
          { component: 'controller' },
        );
      }
      const watchId = watchOptions.watchId ?? watchIdFor(contract.service, deploy);
      return core.leased(watchOptions, (signal) => core.startOrResume(watchId, deploy, signal));
    },
    async resume(watchId, resumeOptions = {}) {
      return core.leased(resumeOptions, async (signal) => {
        const stored = await core.loadSnapshot(watchId, signal);
        if (!stored) {
          throw new RollgateError('ARTIFACT_NOT_FOUND', `no stored watch "${watchId}" to resume`, {
            component: 'controller',
          });
        }
        return core.begin(stored, true, signal);
      });
    },
  };
}

/**
 * One controller's wiring and the steps of its watches, as methods: one object per controller
 * where a dozen closures (and their contexts) were made for each (docs/benchmarks.md,
 * `heap11-issue-13`: a watch's controller is part of the heap it keeps for its whole life).
 */
class ControllerCore {
  readonly contract: Contract;
  readonly clock: Clock;
  readonly portMs: number;
  readonly guardKey: string;

  constructor(
    readonly options: ControllerOptions,
    readonly events: SafeEmitter<ControllerEvents>,
    readonly evaluator: Evaluator,
  ) {
    this.contract = options.contract;
    this.clock = options.clock;
    this.portMs = options.timeouts?.portMs ?? 30_000;
    this.guardKey = `guard/${options.contract.service}`;
  }

  ctx(signal: AbortSignalLike, ms = this.portMs): PortContext {
    // Built for every port call (several a step): one literal, no spread of a second object.
    const fence = keeperOf(signal)?.fence;
    const deadline = this.clock.now() + ms;
    return fence ? { signal, deadline, fence } : { signal, deadline };
  }

  /** An evaluation's port context: its deadline a step, at least 10 s. */
  evaluateCtx(signal: AbortSignalLike): PortContext {
    return this.ctx(signal, Math.max(this.contract.stepSeconds * 1000, 10_000));
  }

  /**
   * Saves the snapshot (its changed parts, then the per-step record: `stored-snapshot.ts`); a
   * retryable failure is tried again a few times with backoff, so a store
   * that restarts does not cost the snapshot of the last step. A fenced save the store refused
   * (`LEASE_LOST`) stops the watch.
   */
  async persist(
    snapshot: MachineSnapshot,
    writer: StoredSnapshotWriter,
    signal: AbortSignalLike,
  ): Promise<void> {
    const planned = writer.plan(snapshot);
    for (const part of planned.parts) {
      if (!(await this.saveKey(part.key, part.value, snapshot.watchId, signal))) return;
    }
    if (!(await this.saveKey(planned.key, planned.record, snapshot.watchId, signal))) return;
    planned.commit();
    for (const key of planned.stale) await this.saveKey(key, null, snapshot.watchId, signal);
  }

  /** One write of a snapshot's save; false when it failed (reported) and the save goes no further. */
  async saveKey(key: string, value: unknown, watchId: string, signal: AbortSignalLike): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      // `safe` written out: every save of every step, without a closure and a Promise around it.
      let saved: Awaited<ReturnType<StateStore['save']>>;
      try {
        saved = portResult(await this.options.state.save(key, value, this.ctx(signal)), 'STORE_FAILED');
      } catch (error) {
        saved = portThrew(error, 'STORE_FAILED');
      }
      if (saved.ok) return true;
      if (saved.error.code === 'LEASE_LOST') throw leaseLost(signal, saved.error);
      this.events.emit('store-error', {
        operation: 'save snapshot',
        error: saved.error.toJSON(),
        watchId,
      });
      if (!saved.error.retryable || attempt >= PERSIST_ATTEMPTS || signal.aborted) return false;
      await sleep(this.clock, 250 * 2 ** (attempt - 1), signal);
    }
  }

  /**
   * A poll for human requests, first half: the watch's `control/<id>/` keys listed. `drive`
   * awaits it in its own frame and asks {@link controlRequestListed}, with no frame of a poll's
   * own: a watch polls twice a step (docs/benchmarks.md, `frame16-issue-13`). May throw.
   */
  listControlRequests(snapshot: MachineSnapshot, ctx: PortContext): Promise<unknown> {
    return this.options.state.list(controlRequestPrefix(snapshot.watchId), ctx);
  }

  /**
   * A poll's second half, once the listing answered `listing` (or threw:
   * a {@link Thrown}): the request, or null, at once for an empty listing (almost every poll),
   * a Promise only when requests are loaded. An abort thrown by the store is thrown.
   */
  controlRequestListed(
    snapshot: MachineSnapshot,
    listing: unknown,
    ctx: PortContext,
  ): ControlRequest | null | Promise<ControlRequest | null> {
    // `safe` written out: twice a step, without a closure and a Promise around it; and
    // `pendingControlRequests` too: an empty listing (almost every poll) is answered with no
    // frame or Promise of its own (docs/benchmarks.md, `alloc15-issue-13`).
    let found: PendingControlRequests | Promise<PendingControlRequests>;
    if (listing instanceof Thrown) {
      found = portThrew(listing.error, 'STORE_FAILED');
    } else {
      try {
        const prefix = controlRequestPrefix(snapshot.watchId);
        const state = this.options.state;
        const listed = controlRequestsListed(
          state,
          snapshot,
          prefix,
          listing as Awaited<ReturnType<StateStore['list']>>,
          ctx,
        );
        found =
          listed instanceof Promise ? this.loadedControlRequests(listed) : portResult(listed, 'STORE_FAILED');
      } catch (error) {
        found = portThrew(error, 'STORE_FAILED');
      }
    }
    if (found instanceof Promise) return found.then((f) => this.controlRequestFound(snapshot, f));
    return this.controlRequestFound(snapshot, found);
  }

  /** Requests loaded after a listing that was not empty; a store that threw is a failed Result. */
  async loadedControlRequests(listed: Promise<PendingControlRequests>): Promise<PendingControlRequests> {
    try {
      return portResult(await listed, 'STORE_FAILED');
    } catch (error) {
      return portThrew(error, 'STORE_FAILED');
    }
  }

  /** The oldest request found, or null; a failed read and damaged requests are reported. */
  controlRequestFound(snapshot: MachineSnapshot, found: PendingControlRequests): ControlRequest | null {
    if (!found.ok) {
      this.events.emit('store-error', {
        operation: 'read human requests',
        error: found.error.toJSON(),
        watchId: snapshot.watchId,
      });
      return null;
    }
    for (const problem of found.value.problems) {
      this.events.emit('store-error', {
        operation: 'read a human request',
        error: new RollgateError('STATE_CORRUPT', `ignored a stored request that is not one: ${problem}`, {
          component: 'controller',
        }).toJSON(),
        watchId: snapshot.watchId,
      });
    }
    return found.value.requests[0] ?? null;
  }

  async loadGuard(signal: AbortSignalLike): Promise<RollbackGuard> {
    const loaded = await safe(() => this.options.state.load(this.guardKey, this.ctx(signal)), 'STORE_FAILED');
    if (!loaded.ok) {
      this.events.emit('store-error', { operation: 'load rollback guard', error: loaded.error.toJSON() });
      return { lastRollback: null };
    }
    const value = loaded.value as RollbackGuard | null;
    return value && typeof value === 'object' && 'lastRollback' in value ? value : { lastRollback: null };
  }

  async run(snapshot: MachineSnapshot, command: Command, signal: AbortSignalLike): Promise<MachineEvent> {
    // Each event's time read from the clock where the event is built: no closure per command
    // (a fleet runs one `evaluate` per watch per step; docs/benchmarks.md, `alloc15-issue-13`).
    switch (command.type) {
      case 'identify-current': {
        const r = await safe(() => this.options.executor.current(this.ctx(signal)), 'EXECUTOR_UNAVAILABLE');
        return r.ok
          ? { type: 'current-identified', at: this.clock.now(), artifact: r.value }
          : { type: 'current-failed', at: this.clock.now(), error: r.error.toJSON() };
      }
      case 'set-weight': {
        const target = failingArtifact(snapshot);
        const setWeight = this.options.executor.setWeight?.bind(this.options.executor);
        if (!setWeight) {
          return {
            type: 'weight-failed',
            at: this.clock.now(),
            error: new RollgateError(
              'EXECUTOR_REFUSED',
              `executor ${this.options.executor.name} does not support traffic weights`,
            ).toJSON(),
          };
        }
        if (snapshot.options.dryRun)
          return { type: 'weight-set', at: this.clock.now(), weight: command.weight };
        await keeperOf(signal)?.ensureFresh(signal);
        const r = await safe(
          () => setWeight(target, command.weight, command.operationId, this.ctx(signal)),
          'CUTOVER_FAILED',
        );
        return r.ok
          ? { type: 'weight-set', at: this.clock.now(), weight: command.weight }
          : { type: 'weight-failed', at: this.clock.now(), error: r.error.toJSON() };
      }
      case 'evaluate': {
        const wait = command.at - this.clock.now();
        if (wait > 0) await sleep(this.clock, wait, signal);
        return evaluated(await this.evaluator.evaluate(watchOf(snapshot, command), this.evaluateCtx(signal)));
      }
      case 'find-onset': {
        const finding = await this.evaluator.findOnset(
          snapshot.bake,
          command.signal,
          command.segment,
          this.ctx(signal),
          command.rule,
          command.trend,
        );
        return { type: 'onset-found', at: this.clock.now(), finding };
      }
      case 'retrieve-target': {
        const verified = await safe(
          () =>
            this.options.artifacts.lastVerified(
              this.contract.service,
              { excluding: command.excluding },
              this.ctx(signal),
            ),
          'STORE_FAILED',
        );
        if (!verified.ok)
          return { type: 'retrieval-failed', at: this.clock.now(), error: verified.error.toJSON() };
        const candidates = await safe(
          () => this.options.executor.candidates(this.ctx(signal)),
          'EXECUTOR_UNAVAILABLE',
        );
        if (!candidates.ok)
          return { type: 'retrieval-failed', at: this.clock.now(), error: candidates.error.toJSON() };
        return {
          type: 'target-retrieved',
          at: this.clock.now(),
          verified: verified.value,
          candidates: candidates.value,
        };
      }
      case 'cutover': {
        // The confirmation before this command may be stale if the process was paused since.
        await keeperOf(signal)?.ensureFresh(signal);
        const r = await safe(
          () =>
            this.options.executor.cutover(
              command.target,
              command.operationId,
              this.ctx(signal, this.options.timeouts?.cutoverMs ?? 120_000),
            ),
          'CUTOVER_FAILED',
        );
        return r.ok
          ? { type: 'cutover-done', at: this.clock.now(), receipt: r.value }
          : { type: 'cutover-failed', at: this.clock.now(), error: r.error.toJSON() };
      }
      case 'await-ready': {
        const r = await safe(
          () =>
            this.options.executor.awaitReady(
              command.target,
              this.ctx(signal, this.options.timeouts?.gateMs ?? 600_000),
            ),
          'GATE_FAILED',
        );
        return r.ok
          ? { type: 'gate-passed', at: this.clock.now(), report: r.value }
          : { type: 'gate-failed', at: this.clock.now(), error: r.error.toJSON() };
      }
      case 'record-verification': {
        const r = await safe(
          () =>
            this.options.artifacts.record(
              {
                service: this.contract.service,
                artifact: command.artifact,
                verifiedAt: this.clock.now(),
                evidence: command.evidence,
              },
              this.ctx(signal),
            ),
          'STORE_FAILED',
        );
        return r.ok
          ? { type: 'verification-recorded', at: this.clock.now(), keyId: r.value.keyId }
          : { type: 'verification-failed', at: this.clock.now(), error: r.error.toJSON() };
      }
      case 'save-guard': {
        const r = await safe(
          () => this.options.state.save(this.guardKey, command.guard, this.ctx(signal)),
          'STORE_FAILED',
        );
        if (!r.ok && r.error.code === 'LEASE_LOST') throw leaseLost(signal, r.error);
        if (!r.ok)
          this.events.emit('store-error', { operation: 'save rollback guard', error: r.error.toJSON() });
        return { type: 'guard-saved', at: this.clock.now() };
      }
      case 'notify': {
        const r = await safe(
          () => this.options.notifier.notify(command.notification, this.ctx(signal)),
          'NOTIFY_FAILED',
        );
        return r.ok
          ? { type: 'notified', at: this.clock.now(), notification: command.notification }
          : {
              type: 'notified',
              at: this.clock.now(),
              notification: command.notification,
              error: `${r.error.code}: ${r.error.message}`,
            };
      }
      case 'write-audit': {
        const r = await safe(
          () => this.options.audit.write(command.record, this.ctx(signal)),
          'STORE_FAILED',
        );
        return r.ok
          ? { type: 'audit-written', at: this.clock.now() }
          : { type: 'audit-failed', at: this.clock.now(), error: r.error.toJSON() };
      }
    }
  }

  /**
   * A command of {@link drive}'s and the event that answers it, applied; resolves to the audit
   * record when the command wrote it. In a frame of its own that ends with the step: `drive` is
   * suspended for the watch's whole life, and held in its locals a step's event (an evaluation's
   * summaries and verdicts, its new watch state) could stay in the generator's register file
   * after the step. Once V8 had compiled `drive` past the interpreter (some hundred steps in), a
   * register dead at the later suspensions kept what the interpreter last stored in it: in some
   * runs one step's evaluation per watch, for the watch's life (docs/benchmarks.md,
   * `heap15-issue-13`). The wait for the step stays in `drive`, so a watch at rest has no more
   * frames suspended than before; a method, not a closure, so `drive`'s context does not grow.
   */
  async step(
    snapshot: MachineSnapshot,
    command: Command,
    startedAt: number,
    apply: (event: MachineEvent, command: Command | null, startedAt: number) => Promise<void>,
    signal: AbortSignalLike,
  ): Promise<AuditRecord | null> {
    // The fenced step before every command: a controller that lost the lease stops here.
    const keeper = keeperOf(signal);
    if (keeper) await keeper.confirm(signal);
    this.events.emit('command', command);
    // An evaluation due now (every step of a watch: `drive` waited for it) is awaited here, with
    // no frame of `run`'s around it (docs/benchmarks.md, `frame16-issue-13`); `run` as before.
    const event =
      command.type === 'evaluate' && command.at - this.clock.now() <= 0
        ? evaluated(await this.evaluator.evaluate(watchOf(snapshot, command), this.evaluateCtx(signal)))
        : await this.run(snapshot, command, signal);
    // An abort is not an answer: the command stays pending in the stored snapshot and a
    // resume runs it again (it is idempotent), exactly as after a crash.
    if (signal.aborted) throw stopError(signal);
    const refused = 'error' in event && typeof event.error === 'object' ? event.error : undefined;
    if (refused?.code === 'LEASE_LOST') throw leaseLost(signal, reviveRollgateError(refused));
    await apply(event, command, startedAt);
    return command.type === 'write-audit' && event.type === 'audit-written' ? command.record : null;
  }

  async drive(
    start: MachineSnapshot,
    writer: StoredSnapshotWriter,
    signal: AbortSignalLike,
  ): Promise<WatchResult> {
    let snapshot = start;
    // A suspended async function keeps its parameters for its whole life: the watch's first
    // snapshot (its watch state, phases, commands) would stay alive beside the current one until
    // the watch ends (docs/benchmarks.md, `heap14-issue-13`).
    start = null as unknown as MachineSnapshot;
    let audit: AuditRecord | null = null;
    const apply = async (event: MachineEvent, command: Command | null, startedAt: number) => {
      const next = transition(snapshot, event, this.contract);
      if (next.snapshot === snapshot) {
        throw new RollgateError(
          'INTERNAL',
          `the machine ignored ${event.type} in ${snapshot.state}; this is a bug`,
          { component: 'controller' },
        );
      }
      // Chart series are thinned here, before the save, so the stored snapshot stays bounded.
      const bounded = boundAuditSeries(next.snapshot);
      await this.persist(bounded, writer, signal);
      const from = snapshot.state;
      snapshot = bounded;
      // The step's payload is built only for a listener (telemetry): a fleet has none.
      if (this.events.listenerCount('step') > 0) {
        this.events.emit('step', {
          watchId: snapshot.watchId,
          service: snapshot.service,
          command,
          event,
          startedAt,
          finishedAt: event.at,
          from,
          snapshot,
        });
      }
      if (event.type === 'control') {
        const record = snapshot.controls?.find((c) => c.id === event.request.id);
        if (record) this.events.emit('control', { watchId: snapshot.watchId, record });
      }
      if (snapshot.state !== from) {
        const phase = snapshot.phases.at(-1);
        this.events.emit('transition', {
          watchId: snapshot.watchId,
          from,
          to: snapshot.state,
          at: phase?.at ?? this.clock.now(),
          reason: phase?.reason ?? '',
        });
      }
    };
    const control = (request: ControlRequest): MachineEvent => ({
      type: 'control',
      at: this.clock.now(),
      request,
    });
    for (;;) {
      if (signal.aborted) throw stopError(signal);
      // Human requests are taken between commands, never while the watch records its end
      // (notify, audit): a request for a watch at rest reopens it here.
      const finishing = TERMINAL_STATES.has(snapshot.state) && snapshot.pending.length > 0;
      if (!finishing) {
        // A poll's two halves, the listing awaited here: no frame of a poll's own.
        const ctx = this.ctx(signal);
        let listing: unknown;
        try {
          listing = await this.listControlRequests(snapshot, ctx);
        } catch (error) {
          listing = new Thrown(error);
        }
        const found = this.controlRequestListed(snapshot, listing, ctx);
        const request = found instanceof Promise ? await found : found;
        if (request) {
          await apply(control(request), null, this.clock.now());
          continue;
        }
      }
      if (snapshot.pending.length === 0) break;
      // Without a kill switch there is nothing to wait for: no Promise and no await per step.
      const engaged =
        this.options.killSwitch !== undefined &&
        !TERMINAL_STATES.has(snapshot.state) &&
        (await this.killSwitchEngaged());
      const command = snapshot.pending[0] as Command;
      const startedAt = this.clock.now();
      if (engaged) {
        await apply(
          { type: 'kill-switch', at: this.clock.now(), reason: 'the kill switch is engaged' },
          null,
          startedAt,
        );
        continue;
      }
      if (command.type === 'evaluate' && command.at > this.clock.now()) {
        // The wait for the step, looking for human requests every `controlPollMs` so a promote
        // or abort does not wait for a long step to end; in this frame, where a method of its
        // own was one more frame suspended per watch at rest, and a poll's frame twice a step
        // (docs/benchmarks.md, `frame16-issue-13`).
        const poll = this.options.controlPollMs ?? 1000;
        let request: ControlRequest | null = null;
        for (
          let left = command.at - this.clock.now();
          poll > 0 && left > 0;
          left = command.at - this.clock.now()
        ) {
          await sleep(this.clock, Math.min(poll, left), signal);
          if (signal.aborted) throw stopError(signal);
          const ctx = this.ctx(signal);
          let listing: unknown;
          try {
            listing = await this.listControlRequests(snapshot, ctx);
          } catch (error) {
            listing = new Thrown(error);
          }
          const found = this.controlRequestListed(snapshot, listing, ctx);
          request = found instanceof Promise ? await found : found;
          if (request) break;
        }
        if (request) {
          await apply(control(request), null, this.clock.now());
          continue;
        }
      }
      const written = await this.step(snapshot, command, startedAt, apply, signal);
      if (written !== null) audit = written;
    }
    if (audit === null && snapshot.auditWritten) {
      const stored = await safe(
        () => this.options.audit.read(snapshot.watchId, this.ctx(signal)),
        'STORE_FAILED',
      );
      audit = stored.ok ? stored.value : null;
    }
    const result: WatchResult = {
      watchId: snapshot.watchId,
      state: snapshot.state,
      outcome: snapshot.outcome ?? 'escalated',
      reason: snapshot.reason ?? '',
      audit,
      snapshot,
    };
    this.events.emit('outcome', result);
    return result;
  }

  begin(
    snapshot: MachineSnapshot,
    resumed: boolean,
    signal: AbortSignalLike,
    writer = new StoredSnapshotWriter(snapshot),
  ): Promise<WatchResult> {
    this.events.emit('watch-start', {
      watchId: snapshot.watchId,
      service: snapshot.service,
      resumed,
      at: this.clock.now(),
      snapshot,
    });
    return this.drive(snapshot, writer, signal);
  }

  /** A kill switch that cannot be read counts as engaged: stopping is the safe side. */
  async killSwitchEngaged(): Promise<boolean> {
    if (!this.options.killSwitch) return false;
    try {
      return await this.options.killSwitch();
    } catch {
      return true;
    }
  }

  /**
   * Loads the stored snapshot. A watch cannot start blind (it could not tell whether a cutover
   * already happened), so a store that keeps failing rejects the watch; a retryable failure is
   * tried again a few times first.
   */
  async loadSnapshot(watchId: string, signal: AbortSignalLike): Promise<MachineSnapshot | null> {
    const load = async (key: string): Promise<unknown> => {
      let loaded = await safe(() => this.options.state.load(key, this.ctx(signal)), 'STATE_CORRUPT');
      for (let attempt = 1; !loaded.ok && loaded.error.retryable && attempt < 4; attempt++) {
        await sleep(this.clock, 250 * 2 ** attempt, signal);
        loaded = await safe(() => this.options.state.load(key, this.ctx(signal)), 'STATE_CORRUPT');
      }
      if (!loaded.ok) throw loaded.error;
      return loaded.value;
    };
    return loadStoredSnapshot(load, watchId);
  }

  /**
   * Runs `work` under the watch lease when there is one: acquired first (waiting if asked),
   * released at the end, left to expire when the watch stopped because it was lost.
   */
  async leased<T>(callOptions: WatchCallOptions, work: (signal: AbortSignalLike) => Promise<T>): Promise<T> {
    const signal = callOptions.signal ?? NEVER;
    if (!this.options.lease) return work(signal);
    const keeper = new LeaseKeeper({
      lease: this.options.lease,
      key: watchLeaseKey(this.contract.service, this.options.dryRun ?? false),
      clock: this.clock,
      portMs: this.portMs,
      outageMs: this.options.leaseOutageMs ?? 600_000,
      emit: (event) => this.events.emit('lease', event),
    });
    await keeper.acquire(signal, callOptions.waitForLease ?? false);
    const guarded = leasedSignal(signal, keeper);
    try {
      return await work(guarded);
    } catch (error) {
      // A command interrupted because the lease was lost rejects with ABORTED: say why.
      throw keeper.lost ?? error;
    } finally {
      guarded.dispose();
      await keeper.release();
    }
  }

  /** Loads (under the lease, when there is one) the stored watch, or starts it. */
  async startOrResume(watchId: string, deploy: DeployEvent, signal: AbortSignalLike): Promise<WatchResult> {
    const stored = await this.loadSnapshot(watchId, signal);
    if (stored) return this.begin(stored, true, signal);
    const weights =
      this.contract.progressive && this.options.executor.supportsWeights
        ? [...this.contract.progressive.weights]
        : null;
    const started = startWatch({
      watchId,
      contract: this.contract,
      deploy,
      options: {
        dryRun: this.options.dryRun ?? false,
        cooldownSeconds: this.options.cooldownSeconds ?? 1800,
        settleMs: this.options.settleMs ?? 1000,
        weights,
        bakeSecondsPerStep: weights ? (this.contract.progressive?.bakeSecondsPerStep ?? null) : null,
      },
      guard: await this.loadGuard(signal),
      now: this.clock.now(),
    });
    const writer = new StoredSnapshotWriter(started.snapshot);
    await this.persist(started.snapshot, writer, signal);
    return this.begin(started.snapshot, false, signal, writer);
  }
}

/** The watch state an evaluate command evaluates. */
function watchOf(snapshot: MachineSnapshot, command: Extract<Command, { type: 'evaluate' }>) {
  const watch = command.watch === 'bake' ? snapshot.bake : snapshot.verify;
  if (!watch)
    throw new RollgateError('STATE_CORRUPT', 'an evaluate command has no watch state', {
      component: 'controller',
    });
  return watch;
}

/** The event that answers an evaluate command. */
function evaluated(result: Awaited<ReturnType<Evaluator['evaluate']>>): MachineEvent {
  return {
    type: 'evaluated',
    at: result.evaluation.at,
    watch: result.state,
    evaluation: result.evaluation,
  };
}

/** How often a retryable snapshot save is tried before the watch goes on without it. */
const PERSIST_ATTEMPTS = 4;

/** Marks the lease of a leased run lost (a fenced write was refused) and returns the error to throw. */
function leaseLost(signal: AbortSignalLike, error: RollgateError): RollgateError {
  const keeper = keeperOf(signal);
  if (!keeper) return error;
  keeper.markLost(error);
  return keeper.lost ?? error;
}

/** Why a watch stopped before an outcome: its lease was lost, or the caller aborted it. */
function stopError(signal: AbortSignalLike): RollgateError {
  return keeperOf(signal)?.lost ?? abortedError(signal);
}

function abortedError(signal: AbortSignalLike): RollgateError {
  return new RollgateError(
    'ABORTED',
    'The watch was aborted; run it again with the same watch id to resume.',
    {
      component: 'controller',
      cause: signal.reason,
    },
  );
}

/** Calls a port; a port that throws despite the rules becomes a failed Result. */
async function safe<T>(
  call: () => Promise<{ ok: true; value: T } | { ok: false; error: RollgateError }>,
  code: RollgateError['code'],
): Promise<{ ok: true; value: T } | { ok: false; error: RollgateError }> {
  try {
    return portResult(await call(), code);
  } catch (error) {
    return portThrew(error, code);
  }
}

/** What a port resolved to, as a Result: anything that is not one is the adapter's bug (`code`). */
function portResult<T>(
  result: { ok: true; value: T } | { ok: false; error: RollgateError },
  code: RollgateError['code'],
): { ok: true; value: T } | { ok: false; error: RollgateError } {
  if (result && typeof result === 'object' && 'ok' in result) return result;
  return {
    ok: false,
    error: new RollgateError(code, 'a port resolved to something that is not a Result', {
      component: 'controller',
    }),
  };
}

/** A port that threw: a failed Result (`code`), except an abort, which stops the watch. */
function portThrew(error: unknown, code: RollgateError['code']): { ok: false; error: RollgateError } {
  if (RollgateError.is(error) && error.code === 'ABORTED') throw error;
  return {
    ok: false,
    error: new RollgateError(
      code,
      `a port threw ${error instanceof Error ? error.name : typeof error} instead of resolving to a Result`,
      {
        component: 'controller',
        cause: error,
      },
    ),
  };
}
