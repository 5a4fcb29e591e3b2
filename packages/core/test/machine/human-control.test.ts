import { describe, expect, it } from 'vitest';
import { AuditRecordSchema } from '../../src/audit/audit-record';
import { RollgateError } from '../../src/errors/rollgate-error';
import { judgeControl } from '../../src/machine/control-judgement';
import {
  controlRequestKey,
  createControlRequest,
  pendingControlRequests,
  promoteWatch,
  requestControl,
  submitControlRequest,
} from '../../src/machine/control-requests';
import type { ControlAction, MachineSnapshot } from '../../src/machine/machine-state';
import { startWatch, transition } from '../../src/machine/rollback-machine';
import { runOnClock } from '../../src/testing/simulated-clock';
import { DEPLOY_AT, errorsFrom, world } from './world';

const ctx = { signal: new AbortController().signal, deadline: Number.POSITIVE_INFINITY };
const states = (s: MachineSnapshot) => s.phases.map((p) => p.state);

/** Submits a request from "another process" once the watch has done `afterEvaluations` evaluations. */
function requestDuringWatch(
  w: ReturnType<typeof world>,
  action: ControlAction,
  afterEvaluations: number,
  by = { actor: 'github:alice', reason: 'release manager says so' },
): { submitted: Promise<void> } {
  let seen = 0;
  let done: () => void = () => {};
  const submitted = new Promise<void>((resolve) => {
    done = resolve;
  });
  w.controller.events.on('step', (step) => {
    if (step.event.type !== 'evaluated') return;
    seen += 1;
    if (seen !== afterEvaluations) return;
    const request = createControlRequest({ watchId: step.watchId, action, ...by }, w.clock.now());
    void submitControlRequest(w.state, request, ctx).then(() => done());
  });
  return { submitted };
}

describe('human requests reaching a running watch', () => {
  it('promote ends the bake and keeps the release, recorded as a human promotion and not as verified', async () => {
    const w = world();
    requestDuringWatch(w, 'promote', 3);
    const result = await w.watch();
    expect(result.outcome).toBe('promoted');
    expect(states(result.snapshot)).toEqual(['Starting', 'Watching', 'Promoted']);
    // Picked up within a poll of the request (not at the end of the 120 s bake).
    const promotedAt = result.snapshot.phases.at(-1)?.at ?? 0;
    expect(promotedAt - DEPLOY_AT).toBeLessThan(60_000);
    const verified = await w.artifacts.lastVerified('checkout', { excluding: ['v1'] }, ctx);
    expect(verified.ok && verified.value).toBeNull();
    const audit = AuditRecordSchema.parse(result.audit);
    expect(audit.verification).toMatchObject({ recorded: false, artifactId: 'v2' });
    expect(audit.decidedBy).toMatchObject({
      action: 'promote',
      actor: 'github:alice',
      reason: 'release manager says so',
      result: 'applied',
      state: 'Watching',
    });
    expect(audit.controls).toHaveLength(1);
    expect(audit.reason).toContain('promoted by github:alice (release manager says so)');
    expect(w.notifier.notifications.at(-1)?.title).toContain('promoted by github:alice');
  });

  it('abort rolls a healthy-looking release back through cutover, gate and verification', async () => {
    const w = world();
    requestDuringWatch(w, 'abort', 2, { actor: 'bob@laptop', reason: '' });
    const result = await w.watch();
    expect(result.outcome).toBe('rolled-back');
    expect(states(result.snapshot)).toEqual([
      'Starting',
      'Watching',
      'Retrieving',
      'CuttingOver',
      'Verifying',
      'RolledBack',
    ]);
    expect(w.executor.switches).toEqual([
      { from: 'v2', to: 'v1', operationId: `${result.watchId}/rollback` },
    ]);
    const audit = AuditRecordSchema.parse(result.audit);
    expect(audit.failedArtifact?.id).toBe('v2');
    expect(audit.breach).toBeNull();
    expect(audit.recovery?.verified).toBe(true);
    expect(audit.reason).toContain('aborted by bob@laptop');
    expect(audit.decidedBy).toMatchObject({ action: 'abort', actor: 'bob@laptop', reason: '' });
  });

  it('abort is not stopped by the cooldown guard, which only holds back automatic rollbacks', async () => {
    const w = world();
    await w.state.save(
      'guard/checkout',
      { lastRollback: { at: DEPLOY_AT - 60_000, watchId: 'earlier', from: 'v0', to: 'v9' } },
      ctx,
    );
    requestDuringWatch(w, 'abort', 1);
    const result = await w.watch();
    expect(result.outcome).toBe('rolled-back');
    expect(w.executor.switches).toHaveLength(1);
  });

  it('a request that arrives while the cutover is in flight is refused, and the rollback goes on', async () => {
    const w = world({ after: errorsFrom(8) });
    w.controller.events.on('command', (c) => {
      if (c.type !== 'cutover') return;
      const request = createControlRequest(
        {
          watchId: w.state.keys.find((k) => k.startsWith('watch/'))?.slice('watch/'.length) ?? '',
          action: 'promote',
          actor: 'carol',
        },
        w.clock.now(),
      );
      void submitControlRequest(w.state, request, ctx);
    });
    const result = await w.watch();
    expect(result.outcome).toBe('rolled-back');
    const refused = result.snapshot.controls?.[0];
    expect(refused).toMatchObject({ action: 'promote', actor: 'carol', result: 'refused' });
    expect(refused?.detail).toContain('a promote cannot undo a rollback');
    expect(result.audit?.controls?.[0]?.result).toBe('refused');
  });

  it('two requests are applied in order: the second is judged against what the first did', async () => {
    const w = world();
    w.controller.events.on('step', (step) => {
      if (step.event.type !== 'evaluated' || step.snapshot.bake.signals === undefined) return;
      if ((step.snapshot.series['error-rate']?.length ?? 0) !== 2) return;
      const now = w.clock.now();
      const promote = createControlRequest({ watchId: step.watchId, action: 'promote', actor: 'alice' }, now);
      const abort = createControlRequest({ watchId: step.watchId, action: 'abort', actor: 'bob' }, now + 1);
      void submitControlRequest(w.state, promote, ctx).then(() => submitControlRequest(w.state, abort, ctx));
    });
    const result = await w.watch();
    expect(result.outcome).toBe('promoted');
    expect(result.snapshot.controls?.map((c) => [c.actor, c.result])).toEqual([
      ['alice', 'applied'],
      ['bob', 'refused'],
    ]);
    expect(result.snapshot.controls?.[1]?.detail).toContain('the watch ended');
    expect(w.executor.switches).toEqual([]);
  });

  it('promote with progressive weights sets the final weight before keeping the release', async () => {
    const w = world({
      supportsWeights: true,
      contract: { progressive: { weights: [10, 50, 100], bakeSecondsPerStep: 60 } },
    });
    requestDuringWatch(w, 'promote', 2);
    const result = await w.watch();
    expect(result.outcome).toBe('promoted');
    expect(w.executor.weights.map((x) => x.weight)).toEqual([10, 100]);
    expect(result.snapshot.verification?.recorded).toBe(false);
  });
});

describe('retry of a halted or escalated watch', () => {
  it('resumes a halted watch at the retrieval once a verified artifact exists, and writes revision 2', async () => {
    const w = world({ after: errorsFrom(8), v1: 'missing' });
    const first = await w.watch();
    expect(first.state).toBe('Halted');
    expect(first.snapshot.retryFrom).toMatchObject({ state: 'Retrieving', step: 'retrieve' });
    expect(w.audit.records).toHaveLength(1);
    // The human fixes the cause (records v1 as verified), then asks for a retry.
    await w.artifacts.record(
      {
        service: 'checkout',
        artifact: { id: 'v1', revision: 'aaa111' },
        verifiedAt: DEPLOY_AT - 1000,
        evidence: { summary: 'recorded by hand', bakeSeconds: 0, signals: [] },
      },
      ctx,
    );
    const asked = await requestControl(
      w.state,
      { watchId: first.watchId, action: 'retry', actor: 'dave', reason: 'v1 recorded' },
      { clock: w.clock },
      ctx,
    );
    expect(asked.ok && asked.value.status).toBe('pending');
    expect(asked.ok && asked.value.atRest).toBe(true);
    const second = await runOnClock(w.clock, w.restart().resume(first.watchId));
    expect(second.outcome).toBe('rolled-back');
    expect(states(second.snapshot).slice(-5)).toEqual([
      'Halted',
      'Retrieving',
      'CuttingOver',
      'Verifying',
      'RolledBack',
    ]);
    // Both endings are kept; the newest revision tells the whole story.
    expect(w.audit.records.map((r) => [r.outcome, r.revision])).toEqual([
      ['halted', 1],
      ['rolled-back', 2],
    ]);
    const read = await w.audit.read(first.watchId, ctx);
    expect(read.ok && read.value?.revision).toBe(2);
    expect(read.ok && read.value?.controls?.[0]).toMatchObject({
      action: 'retry',
      actor: 'dave',
      state: 'Halted',
    });
  });

  it('re-runs a failed cutover under a new operation id and never switches twice', async () => {
    const w = world({ after: errorsFrom(8) });
    w.executor.failNext('cutover', new RollgateError('CUTOVER_FAILED', 'dep rollback exited 1'));
    const first = await w.watch();
    expect(first.state).toBe('Escalated');
    expect(first.snapshot.retryFrom).toMatchObject({ step: 'cutover' });
    const r = await requestControl(
      w.state,
      { watchId: first.watchId, action: 'retry', actor: 'erin' },
      { clock: w.clock },
      ctx,
    );
    expect(r.ok).toBe(true);
    const second = await runOnClock(w.clock, w.restart().resume(first.watchId));
    expect(second.outcome).toBe('rolled-back');
    expect(w.executor.switches).toEqual([
      { from: 'v2', to: 'v1', operationId: `${first.watchId}/rollback/retry-1` },
    ]);
  });

  it('refuses a retry of a guard escalation and says what to do instead', () => {
    const w = world({ after: errorsFrom(8) });
    const s = escalatedByGuard(w.contract);
    const judged = judgeControl(s, 'retry');
    expect(judged.accepted).toBe(false);
    expect(judged.detail).toContain('use abort to roll back anyway');
    expect(judgeControl(s, 'abort').accepted).toBe(true);
  });
});

describe('asking from outside (requestControl)', () => {
  it('answers a promote after the watch ended as refused without storing it', async () => {
    const w = world();
    const done = await w.watch();
    const r = await promoteWatch(
      w.state,
      done.watchId,
      { actor: 'frank', reason: 'late' },
      { clock: w.clock },
      ctx,
    );
    expect(r.ok && r.value.status).toBe('refused');
    expect(r.ok && r.value.detail).toMatch(/^the watch ended at .*: promoted; there is nothing to promote$/);
    expect(w.state.keys.some((k) => k.startsWith('control/'))).toBe(false);
  });

  it('answers a request for a watch that does not exist with ARTIFACT_NOT_FOUND', async () => {
    const w = world();
    const r = await requestControl(
      w.state,
      { watchId: 'nope', action: 'abort', actor: 'g' },
      { clock: w.clock },
      ctx,
    );
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.code).toBe('ARTIFACT_NOT_FOUND');
    expect(!r.ok && r.error.message).toContain('no stored watch "nope"');
  });

  it('waits for the running watch to answer and reports applied', async () => {
    const w = world();
    let asked: Promise<Awaited<ReturnType<typeof requestControl>>> | undefined;
    w.controller.events.on('step', (step) => {
      if (step.event.type === 'evaluated' && !asked) {
        asked = requestControl(
          w.state,
          { watchId: step.watchId, action: 'abort', actor: 'hana', reason: 'customer reports' },
          { clock: w.clock, waitMs: 30_000, pollMs: 500 },
          ctx,
        );
      }
    });
    const result = await w.watch();
    expect(result.outcome).toBe('rolled-back');
    const answer = await asked;
    expect(answer?.ok && answer.value.status).toBe('applied');
    expect(answer?.ok && answer.value.record?.state).toBe('Watching');
  });

  it('rejects bad requests with the field named', () => {
    expect(() =>
      createControlRequest({ watchId: 'w', action: 'pause' as ControlAction, actor: 'a' }, 1),
    ).toThrow(/action: expected one of promote, abort, retry/);
    expect(() => createControlRequest({ watchId: 'w', action: 'abort', actor: '  ' }, 1)).toThrow(/actor:/);
    expect(() => createControlRequest({ watchId: '', action: 'abort', actor: 'a' }, 1)).toThrow(/watchId:/);
  });

  it('skips stored values that are not requests and reports them', async () => {
    const w = world();
    await w.state.save(controlRequestKey('w1', 'x'), { action: 'promote' }, ctx);
    await w.state.save(
      controlRequestKey('w10', 'y'),
      createControlRequest({ watchId: 'w10', action: 'abort', actor: 'a' }, 5),
      ctx,
    );
    const found = await pendingControlRequests(w.state, { watchId: 'w1' }, ctx);
    expect(found.ok && found.value.requests).toEqual([]);
    expect(found.ok && found.value.problems[0]).toContain('no id');
  });
});

describe('the pure machine answers every request in every state', () => {
  it('records each request once, applied or refused, and ignores a replay of it', () => {
    const w = world({ after: errorsFrom(8) });
    const s0 = fresh(w.contract, null);
    const request = createControlRequest({ watchId: 'w', action: 'retry', actor: 'ivy' }, DEPLOY_AT);
    const once = transition(s0, { type: 'control', at: DEPLOY_AT, request }, w.contract);
    expect(once.snapshot.controls).toHaveLength(1);
    expect(once.snapshot.controls?.[0]).toMatchObject({ result: 'refused', state: 'Starting' });
    expect(once.snapshot.state).toBe('Starting');
    expect(once.commands).toEqual(s0.pending);
    const again = transition(once.snapshot, { type: 'control', at: DEPLOY_AT + 1, request }, w.contract);
    expect(again.snapshot).toBe(once.snapshot);
  });
});

function fresh(
  contract: ReturnType<typeof world>['contract'],
  lastRollback: MachineSnapshot['guard']['lastRollback'],
): MachineSnapshot {
  return startWatch({
    watchId: 'w',
    contract,
    deploy: { artifactId: 'v2', deployedAt: DEPLOY_AT },
    options: { dryRun: false, cooldownSeconds: 1800, settleMs: 0, weights: null, bakeSecondsPerStep: null },
    guard: { lastRollback },
    now: DEPLOY_AT,
  }).snapshot;
}

/** A watch escalated by the no-chained-rollbacks guard: v2 was itself restored by an earlier rollback. */
function escalatedByGuard(contract: ReturnType<typeof world>['contract']): MachineSnapshot {
  const at = DEPLOY_AT + 5000;
  let s = fresh(contract, { at: DEPLOY_AT - 1000, watchId: 'earlier', from: 'v3', to: 'v2' });
  s = transition(s, { type: 'current-identified', at: DEPLOY_AT, artifact: { id: 'v2' } }, contract).snapshot;
  // The state a confirmed breach leads to, without replaying a bake.
  s = { ...s, state: 'Retrieving', pending: [{ type: 'retrieve-target', excluding: ['v2'] }] };
  s = transition(
    s,
    { type: 'target-retrieved', at, verified: null, candidates: [{ id: 'v1' }] },
    contract,
  ).snapshot;
  expect(s.state).toBe('Escalated');
  const notify = s.pending[0];
  if (notify?.type !== 'notify') throw new Error('expected a notification');
  s = transition(s, { type: 'notified', at, notification: notify.notification }, contract).snapshot;
  return transition(s, { type: 'audit-written', at }, contract).snapshot;
}
