import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuditRecordSchema } from '../../src/audit/audit-record';
import { RollgateError } from '../../src/errors/rollgate-error';
import type { MachineSnapshot, MachineStateName } from '../../src/machine/machine-state';
import { TERMINAL_STATES } from '../../src/machine/machine-state';
import { startWatch, transition } from '../../src/machine/rollback-machine';
import type { FakeCall, FaultDecision } from '../../src/testing/memory-faults';
import { DEPLOY_AT, errorsFrom, healthy, world } from './world';

/** The real system: one watch over in-memory ports, run by a succession of controller processes. */
interface Real {
  readonly w: ReturnType<typeof world>;
  readonly faults: Map<FakeCall['port'], FaultDecision[]>;
  /** The machine state each cutover was issued from. */
  readonly cutoverFrom: MachineStateName[];
  result: Awaited<ReturnType<ReturnType<typeof world>['watch']>> | null;
}

interface Model {
  done: boolean;
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
    controller.events.on('transition', (t) => {
      state = t.to;
    });
    controller.events.on('command', (c) => {
      if (c.type === 'cutover') r.cutoverFrom.push(state ?? 'Starting');
      seen++;
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
    checkInvariants(r);
  }
  toString(): string {
    return `RunProcess(${this.commands})`;
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
}

function checkFinal(r: Real): void {
  const result = r.result;
  if (!result) throw new Error('the watch did not finish');
  expect(TERMINAL_STATES.has(result.state)).toBe(true);
  // Exactly one complete audit record per terminal watch.
  const records = r.w.audit.records.filter((a) => a.watchId === result.watchId);
  expect(records).toHaveLength(1);
  const audit = AuditRecordSchema.parse(records[0]);
  expect(audit.outcome).toBe(result.outcome);
  expect(audit.phases.at(-1)?.state).toBe(result.state);
  // A failed verification never ends in RolledBack.
  if (result.state === 'RolledBack') {
    expect(audit.recovery?.verified).toBe(true);
    expect(r.w.executor.switches).toHaveLength(1);
  }
  if (audit.recovery && !audit.recovery.verified) expect(result.state).not.toBe('RolledBack');
  // Whatever was cut over was retrieved from the artifact store as verified and is not the failing one.
  if (r.w.executor.switches.length === 1) expect(r.w.executor.switches[0]?.to).toBe('v1');
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
          const real: Real = { w, faults, cutoverFrom: [], result: null };
          await fc.asyncModelRun(() => ({ model: { done: false }, real }), commands);
          // Finish the watch in a last process without injected failures, then check the end state.
          faults.clear();
          if (!real.result) real.result = await w.watch(w.restart());
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
