import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuditRecordSchema } from '../../src/audit/audit-record';
import { RollgateError } from '../../src/errors/rollgate-error';
import { createControlRequest, submitControlRequest } from '../../src/machine/control-requests';
import { watchIdFor } from '../../src/machine/controller';
import type { ControlAction, ControlRequest, MachineSnapshot } from '../../src/machine/machine-state';
import { startWatch, transition } from '../../src/machine/rollback-machine';
import { type MachineStateName, TERMINAL_STATES } from '../../src/machine/state-table';
import type { FakeCall, FaultDecision } from '../../src/testing/memory-faults';
import { DEPLOY_AT, errorsFrom, healthy, world } from './world';

/** The real system: one watch over in-memory ports, run by a succession of controller processes. */
interface Real {
  readonly w: ReturnType<typeof world>;
  readonly faults: Map<FakeCall['port'], FaultDecision[]>;
  /** The machine state each cutover was issued from. */
  readonly cutoverFrom: MachineStateName[];
  result: Awaited<ReturnType<ReturnType<typeof world>['watch']>> | null;
  /** Human requests waiting to be stored, at the n-th command of the next process (0: at once). */
  readonly scheduled: { readonly action: ControlAction; readonly atCommand: number }[];
  /** Every request stored so far (the store said so). */
  readonly submitted: ControlRequest[];
  /** Ids of every request a human tried to store (a failing store may still have kept it). */
  readonly attempted: string[];
  /** A refused request that changed the machine's state or pending commands (must stay empty). */
  readonly refusalsThatMoved: string[];
}

interface Model {
  done: boolean;
}

const WATCH_ID = watchIdFor('checkout', { artifactId: 'v2', deployedAt: DEPLOY_AT });
const ctx = { signal: new AbortController().signal, deadline: Number.POSITIVE_INFINITY };

let requestCounter = 0;

async function submit(r: Real, action: ControlAction): Promise<void> {
  const n = requestCounter++;
  const request = createControlRequest(
    { watchId: WATCH_ID, action, actor: `human-${n}`, reason: `reason ${n}` },
    r.w.clock.now(),
    `req-${String(n).padStart(3, '0')}`,
  );
  // The store may be failing at this moment (FailPort): the human then tries again.
  r.attempted.push(request.id);
  for (let attempt = 0; attempt < 3; attempt++) {
    const saved = await submitControlRequest(r.w.state, request, ctx);
    if (saved.ok) {
      r.submitted.push(request);
      return;
    }
  }
}

const KEY_PREFIX = 'watch/';

/** Runs the watch in a fresh controller process, crashing it after `commands` commands. */
class RunProcess implements fc.AsyncCommand<Model, Real> {
  constructor(readonly commands: number) {}
  check(m: Readonly<Model>): boolean {
    return !m.done;
  }
  async run(m: Model, r: Real): Promise<void> {
    const controller = r.w.restart();
    const abort = new AbortController();
    const stored = r.w.state.keys.find((k) => k.startsWith(KEY_PREFIX));
    let state: MachineStateName | undefined = stored
      ? (r.w.state.get(stored) as MachineSnapshot | undefined)?.state
      : undefined;
    let seen = 0;
    const due = r.scheduled.splice(0);
    for (const d of due.filter((x) => x.atCommand === 0)) await submit(r, d.action);
    controller.events.on('transition', (t) => {
      state = t.to;
    });
    controller.events.on('control', ({ record }) => {
      const last = r.w.state.get(`watch/${WATCH_ID}`) as MachineSnapshot | undefined;
      if (record.result === 'refused' && last && last.state !== record.state)
        r.refusalsThatMoved.push(record.id);
    });
    controller.events.on('command', (c) => {
      if (c.type === 'cutover') r.cutoverFrom.push(state ?? 'Starting');
      seen++;
      for (const d of due.filter((x) => x.atCommand === seen)) void submit(r, d.action);
      if (seen === this.commands) abort.abort(new Error('crash'));
    });
    try {
      r.result = await r.w.watch(controller, abort.signal);
      m.done = true;
    } catch (error) {
      // A crash, or a process that could not read its snapshot and refused to start blind.
      expect(
        RollgateError.is(error) && ['ABORTED', 'STORE_FAILED', 'STATE_CORRUPT'].includes(error.code),
      ).toBe(true);
    }
    // Requests scheduled after the process ended are made now, between processes.
    for (const d of due.filter((x) => x.atCommand > seen)) await submit(r, d.action);
    if (due.length > 0) m.done = false;
    checkInvariants(r);
  }
  toString(): string {
    return `RunProcess(${this.commands})`;
  }
}

/** A human asks for promote, abort or retry, at the n-th command of the next process (0: before it). */
class HumanRequest implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly action: ControlAction,
    readonly atCommand: number,
  ) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    r.scheduled.push({ action: this.action, atCommand: this.atCommand });
    m.done = false;
  }
  toString(): string {
    return `HumanRequest(${this.action}, ${this.atCommand})`;
  }
}

/** The next call to a store, the audit sink or the notifier fails (before or after taking effect). */
class FailPort implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly port: FakeCall['port'],
    readonly effect: 'skip' | 'apply',
  ) {}
  check(m: Readonly<Model>): boolean {
    return !m.done;
  }
  async run(_m: Model, r: Real): Promise<void> {
    const queue = r.faults.get(this.port) ?? [];
    queue.push({
      error: new RollgateError('STORE_FAILED', `injected ${this.port} failure`, { retryable: true }),
      effect: this.effect,
    });
    r.faults.set(this.port, queue);
  }
  toString(): string {
    return `FailPort(${this.port}, ${this.effect})`;
  }
}

/** The next call of an executor method fails. */
class FailExecutor implements fc.AsyncCommand<Model, Real> {
  constructor(readonly method: 'current' | 'candidates' | 'cutover' | 'awaitReady') {}
  check(m: Readonly<Model>): boolean {
    return !m.done;
  }
  async run(_m: Model, r: Real): Promise<void> {
    r.w.executor.failNext(
      this.method,
      new RollgateError('EXECUTOR_UNAVAILABLE', `injected ${this.method} failure`),
    );
  }
  toString(): string {
    return `FailExecutor(${this.method})`;
  }
}

/** The next few source reads fail. */
class FailSource implements fc.AsyncCommand<Model, Real> {
  constructor(readonly reads: number) {}
  check(m: Readonly<Model>): boolean {
    return !m.done;
  }
  async run(_m: Model, r: Real): Promise<void> {
    r.w.source.failNext(
      {
        status: 'error',
        error: new RollgateError('SOURCE_UNAVAILABLE', 'injected 503', { retryable: true }),
      },
      this.reads,
    );
  }
  toString(): string {
    return `FailSource(${this.reads})`;
  }
}

function checkInvariants(r: Real): void {
  // A cutover is issued only from CuttingOver, i.e. after validation and retrieval succeeded.
  expect(r.cutoverFrom.every((s) => s === 'CuttingOver')).toBe(true);
  // At most one effective switch per operationId, across every restart.
  const perOperation = new Map<string, number>();
  for (const s of r.w.executor.switches)
    perOperation.set(s.operationId, (perOperation.get(s.operationId) ?? 0) + 1);
  expect([...perOperation.values()].every((n) => n <= 1)).toBe(true);
  // Never a second rollback within one watch.
  expect(r.w.executor.switches.length).toBeLessThanOrEqual(1);
  // A refused request changes nothing but the record of it.
  expect(r.refusalsThatMoved).toEqual([]);
  // Each request is answered at most once, across every restart.
  const stored = r.w.state.get(`watch/${WATCH_ID}`) as MachineSnapshot | undefined;
  const ids = (stored?.controls ?? []).map((c) => c.id);
  expect(new Set(ids).size).toBe(ids.length);
}

function checkFinal(r: Real): void {
  const result = r.result;
  if (!result) throw new Error('the watch did not finish');
  expect(TERMINAL_STATES.has(result.state)).toBe(true);
  // Exactly one complete audit record per ending: revisions 1..n, the newest is this ending.
  const records = r.w.audit.records.filter((a) => a.watchId === result.watchId);
  expect(records.map((a) => a.revision ?? 1)).toEqual(records.map((_, i) => i + 1));
  const audit = AuditRecordSchema.parse(records.at(-1));
  // Every request made was answered, and the newest record holds each with who and why.
  const answered = result.snapshot.controls ?? [];
  const answeredIds = answered.map((c) => c.id);
  for (const q of r.submitted) expect(answeredIds).toContain(q.id);
  for (const id of answeredIds) expect(r.attempted).toContain(id);
  // A request answered after the end (refused by a watch at rest) is in the snapshot only, until a
  // later applied request reopens the watch and its next ending is written.
  answered.forEach((c, i) => {
    const reopenedLater = answered
      .slice(i + 1)
      .some((x) => x.result === 'applied' && TERMINAL_STATES.has(x.state));
    if (c.result === 'applied' || !TERMINAL_STATES.has(c.state) || reopenedLater)
      expect(audit.controls?.find((a) => a.id === c.id)).toMatchObject({ actor: c.actor, reason: c.reason });
  });
  // A human promotion keeps the release without a rollback and without a verification record.
  if (answered.some((c) => c.action === 'promote' && c.result === 'applied')) {
    expect(result.state).toBe('Promoted');
    expect(r.w.executor.switches).toEqual([]);
    expect(audit.verification?.recorded).toBe(false);
  }
  // A watch a human aborted never ends promoted on that decision (after a halt, a later human
  // promote may keep it: then that promote is the decision); the audit names the failed artifact.
  if (result.snapshot.decidedBy?.action === 'abort') {
    expect(result.state).not.toBe('Promoted');
    if (result.state === 'RolledBack') expect(audit.failedArtifact?.id).toBe('v2');
  }
}

describe('rollback machine, model-based', () => {
  it('keeps its invariants with ports failing at random and crashes at any command', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          bad: fc.boolean(),
          recovers: fc.boolean(),
          v1: fc.constantFrom('verified', 'missing', 'tampered' as const),
        }),
        fc.commands(
          [
            fc.integer({ min: 1, max: 30 }).map((n) => new RunProcess(n)),
            fc
              .tuple(
                fc.constantFrom(
                  'state' as const,
                  'audit' as const,
                  'artifacts' as const,
                  'notifier' as const,
                ),
                fc.constantFrom('skip' as const, 'apply' as const),
              )
              .map(([port, effect]) => new FailPort(port, effect)),
            fc
              .constantFrom(
                'current' as const,
                'candidates' as const,
                'cutover' as const,
                'awaitReady' as const,
              )
              .map((m) => new FailExecutor(m)),
            fc.integer({ min: 1, max: 8 }).map((n) => new FailSource(n)),
            fc
              .tuple(
                fc.constantFrom('promote' as const, 'abort' as const, 'retry' as const),
                fc.integer({ min: 0, max: 20 }),
              )
              .map(([action, at]) => new HumanRequest(action, at)),
          ],
          { maxCommands: 25 },
        ),
        async (setup, commands) => {
          const faults = new Map<FakeCall['port'], FaultDecision[]>();
          const w = world({
            after: setup.bad ? errorsFrom(8) : (i) => healthy(360 + i),
            recovers: setup.recovers,
            v1: setup.v1,
            fault: (call) => faults.get(call.port)?.shift(),
          });
          const real: Real = {
            w,
            faults,
            cutoverFrom: [],
            result: null,
            scheduled: [],
            submitted: [],
            attempted: [],
            refusalsThatMoved: [],
          };
          await fc.asyncModelRun(() => ({ model: { done: false }, real }), commands);
          // Finish the watch in a last process without injected failures (making any request
          // still scheduled first), then check the end state.
          faults.clear();
          for (const d of real.scheduled.splice(0)) await submit(real, d.action);
          if (
            !real.result ||
            real.submitted.some((q) => !real.result?.snapshot.controls?.some((c) => c.id === q.id))
          )
            real.result = await w.watch(w.restart());
          checkInvariants(real);
          checkFinal(real);
        },
      ),
      { numRuns: 60 },
    );
  }, 120_000);
});

describe('rollback machine, pure transitions', () => {
  it('never issues a cutover outside CuttingOver, whatever events arrive', () => {
    const w = world({ after: errorsFrom(8) });
    const events = fc.oneof(
      fc.constant({ type: 'kill-switch' as const, at: DEPLOY_AT, reason: 'k' }),
      fc.constant({
        type: 'cutover-failed' as const,
        at: DEPLOY_AT,
        error: new RollgateError('CUTOVER_FAILED', 'x').toJSON(),
      }),
      fc.constant({
        type: 'retrieval-failed' as const,
        at: DEPLOY_AT,
        error: new RollgateError('STORE_FAILED', 'x').toJSON(),
      }),
      fc.constant({ type: 'audit-written' as const, at: DEPLOY_AT }),
      fc.constant({ type: 'guard-saved' as const, at: DEPLOY_AT }),
      fc.constant({ type: 'current-identified' as const, at: DEPLOY_AT, artifact: { id: 'v2' } }),
      fc.constant({
        type: 'target-retrieved' as const,
        at: DEPLOY_AT,
        verified: null,
        candidates: [{ id: 'v1' }],
      }),
      fc
        .tuple(fc.constantFrom('promote' as const, 'abort' as const, 'retry' as const), fc.nat(1000))
        .map(([action, n]) => ({
          type: 'control' as const,
          at: DEPLOY_AT + n,
          request: createControlRequest({ watchId: 'w', action, actor: 'fuzz' }, DEPLOY_AT + n, `r${n}`),
        })),
    );
    fc.assert(
      fc.property(fc.array(events, { maxLength: 30 }), (sequence) => {
        let snapshot = startSnapshot(w.contract);
        for (const event of sequence) {
          const next = transition(snapshot, event, w.contract);
          for (const c of next.commands)
            if (c.type === 'cutover') expect(next.snapshot.state).toBe('CuttingOver');
          expect(JSON.parse(JSON.stringify(next.snapshot))).toEqual(next.snapshot);
          snapshot = next.snapshot;
        }
      }),
    );
  });
});

function startSnapshot(contract: ReturnType<typeof world>['contract']): MachineSnapshot {
  return startWatch({
    watchId: 'w',
    contract,
    deploy: { artifactId: 'v2', deployedAt: DEPLOY_AT },
    options: { dryRun: false, cooldownSeconds: 1800, settleMs: 0, weights: null, bakeSecondsPerStep: null },
    guard: { lastRollback: null },
    now: DEPLOY_AT,
  }).snapshot;
}
