import { describe, expect, it } from 'vitest';
import { AuditRecordSchema } from '../../src/audit/audit-record';
import { RollgateError } from '../../src/errors/rollgate-error';
import type { StepData } from '../../src/testing/memory-source';
import { runOnClock } from '../../src/testing/simulated-clock';
import { BASELINE_STEPS, DEPLOY_AT, errorsFrom, healthy, START, STEP, world } from './world';

const states = (phases: readonly { state: string }[]) => phases.map((p) => p.state);

describe('controller', () => {
  it('promotes a healthy deploy and records a signed verification for it', async () => {
    const w = world();
    const result = await w.watch();
    expect(result.outcome).toBe('promoted');
    expect(result.state).toBe('Promoted');
    expect(states(result.snapshot.phases)).toEqual(['Starting', 'Watching', 'Promoting', 'Promoted']);
    const verified = await w.artifacts.lastVerified(
      'checkout',
      { excluding: [] },
      { signal: new AbortController().signal, deadline: Number.POSITIVE_INFINITY },
    );
    expect(verified.ok && verified.value?.record.artifact.id).toBe('v2');
    expect(verified.ok && verified.value?.signatureValid).toBe(true);
    expect(w.executor.switches).toEqual([]);
    expect(w.notifier.notifications.map((n) => n.kind)).toEqual(['info']);
    expect(w.audit.records).toHaveLength(1);
    expect(result.audit?.outcome).toBe('promoted');
    expect(result.audit?.verification).toMatchObject({ recorded: true, artifactId: 'v2' });
  });

  it('rolls back a bad deploy to the last verified artifact and verifies recovery', async () => {
    const w = world({ after: errorsFrom(8) });
    const result = await w.watch();
    expect(result.outcome).toBe('rolled-back');
    expect(states(result.snapshot.phases)).toEqual([
      'Starting',
      'Watching',
      'Validating',
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
    expect(audit.restoredArtifact?.id).toBe('v1');
    expect(audit.breach).toMatchObject({ signal: 'error-rate', kind: 'error-rate', rule: 'sequential' });
    expect(audit.breach?.statistic?.name).toBe('log-e-value');
    expect(audit.breach?.statistic?.alpha).toBeGreaterThan(0);
    expect(audit.breach?.samples).toBeGreaterThan(0);
    expect(audit.breach?.onset?.preexisting).toBe(false);
    expect(audit.cutover?.changed).toBe(true);
    expect(audit.cutover?.gate?.ok).toBe(true);
    expect(audit.recovery?.verified).toBe(true);
    expect(audit.recovery?.readings.length).toBeGreaterThan(0);
    expect(audit.phases.every((p, i, all) => i === 0 || p.at >= (all[i - 1]?.at ?? ''))).toBe(true);
    expect(Object.keys(audit.series)).toEqual(['error-rate', 'latency-p99', 'memory', 'health']);
    expect(w.notifier.notifications.map((n) => n.kind)).toEqual(['alert']);
    // The detection came within two steps of the fault's first interval (40-45 s after the deploy).
    const confirmed = Date.parse(audit.breach?.confirmedAt ?? '');
    expect(confirmed - DEPLOY_AT).toBeLessThanOrEqual(55_000);
  });

  it('escalates when the restored artifact does not recover, and never rolls back twice', async () => {
    const w = world({ after: errorsFrom(8), recovers: false });
    const result = await w.watch();
    expect(result.outcome).toBe('escalated');
    expect(result.state).toBe('Escalated');
    expect(result.reason).toContain('recovery is not verified');
    expect(w.executor.switches).toHaveLength(1);
    expect(result.audit?.recovery?.verified).toBe(false);
    expect(w.notifier.notifications.map((n) => n.kind)).toEqual(['page']);
  });

  it('routes a breach that began before the deploy to an incident, without rolling back', async () => {
    const w = world({
      before: (i) => (i >= BASELINE_STEPS - 36 ? { ...healthy(i), errors: 6 } : healthy(i)),
      after: (i) => ({ ...healthy(BASELINE_STEPS + i), errors: 6 }),
    });
    const result = await w.watch();
    expect(result.outcome).toBe('incident-routed');
    expect(w.executor.cutoverCalls).toEqual([]);
    expect(result.audit?.breach?.onset?.preexisting).toBe(true);
    expect(Date.parse(result.audit?.breach?.onset?.onsetAt ?? '')).toBeLessThan(DEPLOY_AT);
    expect(w.notifier.notifications.map((n) => n.kind)).toEqual(['incident']);
  });

  it.each([
    ['no verified artifact', { v1: 'missing' as const }, /no verified artifact/],
    ['a tampered verification', { v1: 'tampered' as const }, /invalid signature/],
    [
      'a migration the target cannot run with',
      { v1Schema: { version: 3 }, v2Schema: { version: 4, minCompatible: 4 } },
      /incompatible with schema 3/,
    ],
  ])('halts and changes nothing with %s', async (_name, opts, reason) => {
    const w = world({ after: errorsFrom(8), ...opts });
    const result = await w.watch();
    expect(result.outcome).toBe('halted');
    expect(result.reason).toMatch(reason);
    expect(result.reason).toContain('nothing was changed');
    expect(w.executor.cutoverCalls).toEqual([]);
    expect(w.notifier.notifications.map((n) => n.kind)).toEqual(['page']);
  });

  it('escalates without retrying when the cutover or the readiness gate fails', async () => {
    const a = world({ after: errorsFrom(8) });
    a.executor.failNext('cutover', new RollgateError('CUTOVER_FAILED', 'dep exited 1'));
    const cut = await a.watch();
    expect(cut.outcome).toBe('escalated');
    expect(cut.reason).toContain('no retry');
    expect(a.executor.cutoverCalls).toHaveLength(1);

    const b = world({ after: errorsFrom(8) });
    b.executor.failNext(
      'awaitReady',
      new RollgateError('GATE_FAILED', 'health URL answered 502 three times'),
    );
    const gate = await b.watch();
    expect(gate.outcome).toBe('escalated');
    expect(gate.audit?.cutover?.gate?.ok).toBe(false);
  });

  it('dry run evaluates and audits everything but executes nothing', async () => {
    const bad = world({ after: errorsFrom(8), controller: { dryRun: true } });
    const result = await bad.watch();
    expect(result.outcome).toBe('would-roll-back');
    expect(result.reason).toContain('would roll back v2 -> v1');
    expect(bad.executor.cutoverCalls).toEqual([]);
    expect(result.audit?.dryRun).toBe(true);
    expect(bad.notifier.notifications.every((n) => n.kind === 'info')).toBe(true);

    const good = world({ controller: { dryRun: true } });
    const promoted = await good.watch();
    expect(promoted.outcome).toBe('promoted');
    expect(good.artifacts.records.map((r) => r.artifact.id)).toEqual(['v1']);
  });

  it('stops acting when the kill switch is engaged', async () => {
    let engaged = false;
    const w = world({ after: errorsFrom(8), controller: { killSwitch: () => engaged } });
    w.controller.events.on('transition', (t) => {
      if (t.to === 'Validating') engaged = true;
    });
    const result = await w.watch();
    expect(result.outcome).toBe('halted');
    expect(result.reason).toContain('kill switch engaged');
    expect(w.executor.cutoverCalls).toEqual([]);
  });

  it('refuses a second automatic rollback within the cooldown', async () => {
    const w = world({ after: errorsFrom(8) });
    const first = await w.watch();
    expect(first.outcome).toBe('rolled-back');
    const guard = await w.state.load('guard/checkout', {
      signal: new AbortController().signal,
      deadline: Number.POSITIVE_INFINITY,
    });
    expect(guard.ok && guard.value).toMatchObject({ lastRollback: { from: 'v2', to: 'v1' } });

    // v2 is deployed again ten minutes later (within the 30 min cooldown) and is bad again.
    const later = DEPLOY_AT + 600_000;
    w.clock.set(later);
    const fromStep = (later - START) / STEP;
    w.source.overwrite(
      fromStep,
      Array.from({ length: 200 }, (_, i) => errorsFrom(8)(fromStep - BASELINE_STEPS + i)),
    );
    w.executor.deployExternally('v2');
    const second = await runOnClock(w.clock, w.restart().watch({ artifactId: 'v2', deployedAt: later }));
    expect(second.outcome).toBe('escalated');
    expect(second.reason).toMatch(/cooldown 1800 s/);
    expect(w.executor.switches).toHaveLength(1);
  });

  it('never chains rollbacks: an artifact restored by a rollback is not rolled back automatically', async () => {
    const w = world({ after: errorsFrom(8), controller: { cooldownSeconds: 0 } });
    expect((await w.watch()).outcome).toBe('rolled-back');
    // v1 now serves and goes bad: rolling it back would chain a second rollback.
    const later = DEPLOY_AT + 600_000;
    w.clock.set(later);
    const fromStep = (later - START) / STEP;
    w.source.overwrite(
      fromStep,
      Array.from({ length: 200 }, (_, i) => errorsFrom(8)(fromStep - BASELINE_STEPS + i)),
    );
    const second = await runOnClock(w.clock, w.restart().watch({ artifactId: 'v1', deployedAt: later }));
    expect(second.outcome).toBe('escalated');
    expect(second.reason).toContain('does not chain rollbacks');
    expect(w.executor.switches).toHaveLength(1);
  });

  it('resumes after a crash at any command without cutting over twice', async () => {
    for (let crashAt = 1; crashAt < 40; crashAt += 3) {
      const w = world({ after: errorsFrom(8) });
      const abort = new AbortController();
      let commands = 0;
      w.controller.events.on('command', () => {
        commands++;
        if (commands === crashAt) abort.abort(new Error('crash'));
      });
      const first = await w.watch(w.controller, abort.signal).then(
        (r) => r,
        (e: unknown) => {
          expect(RollgateError.is(e) && e.code).toBe('ABORTED');
          return null;
        },
      );
      const result = first ?? (await w.watch(w.restart()));
      expect(result.outcome).toBe('rolled-back');
      expect(w.executor.switches).toHaveLength(1);
      expect(w.audit.records).toHaveLength(1);
      expect(AuditRecordSchema.safeParse(w.audit.records[0]).success).toBe(true);
    }
  });

  it('extends an inconclusive bake, then holds it for a human', async () => {
    const w = world({
      after: (i) => withoutReadiness(healthy(BASELINE_STEPS + i)),
      contract: { promotion: { inconclusive: 'extend', extendSeconds: 60, maxExtensions: 1 } },
    });
    const result = await w.watch();
    expect(result.outcome).toBe('kept-on-hold');
    expect(result.snapshot.extensions).toBe(1);
    expect(result.reason).toContain('health is no-data');
    expect(w.artifacts.records.map((r) => r.artifact.id)).toEqual(['v1']);
  });

  it('promotes anyway on inconclusive evidence only when asked, without recording a verification', async () => {
    const w = world({
      after: (i) => withoutReadiness(healthy(BASELINE_STEPS + i)),
      contract: { promotion: { inconclusive: 'promote', extendSeconds: 60, maxExtensions: 0 } },
    });
    const result = await w.watch();
    expect(result.outcome).toBe('promoted');
    expect(result.audit?.verification).toMatchObject({ recorded: false });
    expect(w.artifacts.records.map((r) => r.artifact.id)).toEqual(['v1']);
  });

  it('walks progressive weights with a bake per step when the executor supports them', async () => {
    const w = world({
      supportsWeights: true,
      contract: { progressive: { weights: [5, 20, 50, 100], bakeSecondsPerStep: 60 } },
    });
    const result = await w.watch();
    expect(result.outcome).toBe('promoted');
    expect(w.executor.weights.map((x) => x.weight)).toEqual([5, 20, 50, 100]);
    const promotedAt = result.snapshot.phases.at(-1)?.at ?? 0;
    expect(promotedAt - DEPLOY_AT).toBeGreaterThanOrEqual(4 * 60_000);
  });

  it('escalates when a source keeps failing', async () => {
    const w = world({ contract: { confirmation: { maxConsecutiveErrors: 3 } } });
    w.source.failNext(
      { status: 'error', error: new RollgateError('SOURCE_UNAVAILABLE', '503', { retryable: true }) },
      10_000,
    );
    const result = await w.watch();
    expect(result.outcome).toBe('escalated');
    expect(result.reason).toContain('source failing');
  });

  it('requires the deploy time on the deploy event', async () => {
    const w = world();
    await expect(w.controller.watch({ artifactId: 'v2', deployedAt: Number.NaN })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
  });
});

/** A step with no readiness data: the health signal has nothing to judge. */
function withoutReadiness(step: StepData): StepData {
  const { ready: _ready, ...rest } = step;
  return rest;
}

describe('controller: recovery at low traffic', () => {
  /** A step at `rps` requests per second (deterministic), `share` of them failing. */
  const lowTraffic =
    (rps: number, share = 0) =>
    (i: number): StepData => {
      const requests = Math.floor((i + 1) * 5 * rps) - Math.floor(i * 5 * rps);
      return {
        ...healthy(i),
        requests,
        errors: Math.round(requests * share),
        latencyHistogram: [0, 0, 0, requests, 0, 0, 0, 0, 0, 0, 0, 0],
      };
    };

  it('tells "not enough traffic to tell" from "not recovered": the rollback stands, nobody is paged', async () => {
    // 0.3 req/s with half the requests failing after the deploy; v1 restored at 0.1 req/s never
    // reaches the floor of 100 requests within verification.maxWindowSeconds.
    const w = world({
      before: lowTraffic(0.3, 0.005),
      after: (i) => lowTraffic(0.3, 0.5)(BASELINE_STEPS + i),
      restored: lowTraffic(0.1),
      bakeSteps: 600,
    });
    const result = await w.watch();
    expect(result.outcome, result.reason).toBe('rolled-back');
    expect(w.executor.switches).toHaveLength(1);
    const audit = AuditRecordSchema.parse(result.audit);
    expect(audit.recovery?.verified).toBe(false);
    expect(audit.recovery?.status).toBe('insufficient-traffic');
    expect(audit.recovery?.reason).toMatch(/^not enough traffic at the end of the verification window/);
    // The verification ran to the contract's bound (600 s by default), not just its 120 s window.
    const verifying = audit.phases.find((p) => p.state === 'Verifying');
    const ended = audit.phases.find((p) => p.state === 'RolledBack');
    expect(Date.parse(ended?.at ?? '') - Date.parse(verifying?.at ?? '')).toBeGreaterThanOrEqual(600_000);
    expect(result.reason).toContain('recovery not verified for want of traffic, no breach seen');
    expect(w.notifier.notifications.map((n) => n.kind)).not.toContain('page');
    expect(w.notifier.notifications.at(-1)?.title).toContain('not enough traffic to verify recovery');
  });

  it('still escalates a restored artifact that breaches: "not recovered" is evidence of a breach', async () => {
    const w = world({ after: errorsFrom(8), recovers: false });
    const result = await w.watch();
    expect(result.outcome).toBe('escalated');
    expect(AuditRecordSchema.parse(result.audit).recovery?.status).toBe('not-recovered');
  });
});

describe('controller: dirty baselines', () => {
  /** A step at `rps` requests per second (deterministic), `share` of them failing (spread evenly). */
  const at =
    (rps: number, share: number) =>
    (i: number): StepData => {
      const requests = Math.floor((i + 1) * 5 * rps) - Math.floor(i * 5 * rps);
      const errors = Math.floor((i + 1) * 5 * rps * share) - Math.floor(i * 5 * rps * share);
      return { ...healthy(i), requests, errors: Math.min(errors, requests) };
    };

  it('routes an incident that began minutes before the deploy, and says the baseline was unhealthy', async () => {
    // 2% errors at 20 req/s, then 25% from 5 minutes before the deploy on, through the bake.
    const w = world({
      before: (i) => (i >= BASELINE_STEPS - 60 ? at(20, 0.25)(i) : at(20, 0.02)(i)),
      after: (i) => at(20, 0.25)(BASELINE_STEPS + i),
    });
    const result = await w.watch();
    expect(result.outcome, result.reason).toBe('incident-routed');
    expect(w.executor.switches).toEqual([]);
    const audit = AuditRecordSchema.parse(result.audit);
    expect(audit.breach?.onset?.preexisting).toBe(true);
    const health = audit.baseline?.signals['error-rate']?.health;
    expect(health?.status).toBe('unhealthy');
    expect(health?.episode?.ongoing).toBe(true);
    // The test judged against the healthy part of the window: about 2%, not the incident's mix.
    const baseline = audit.baseline?.signals['error-rate'];
    expect((baseline?.events ?? 0) / (baseline?.trials ?? 1)).toBeLessThan(0.03);
  });

  it('applies the documented policy when the onset cannot be placed before or after the deploy', async () => {
    // 0.2 req/s: 2% errors, then 20% from a minute before the deploy on. Too little traffic to
    // place the onset on either side; the contract's validation.ambiguousOnset decides.
    const options = {
      before: (i: number) => (i >= BASELINE_STEPS - 12 ? at(0.2, 0.2)(i) : at(0.2, 0.02)(i)),
      after: (i: number) => at(0.2, 0.2)(BASELINE_STEPS + i),
    };
    const routed = await world(options).watch();
    const onset = AuditRecordSchema.parse(routed.audit).breach?.onset;
    expect(routed.outcome, routed.reason).toBe('incident-routed');
    expect(onset).toMatchObject({ ambiguous: true, preexisting: true });
    expect(onset?.reason).toMatch(
      /^onset ambiguous: .* requests in the last \d min against .*policy: route an incident, do not roll back$/,
    );
    expect(routed.reason).toContain('the breach may have begun before the deploy');
    const rolled = await world({
      ...options,
      contract: { validation: { ambiguousOnset: 'roll-back' } },
    }).watch();
    expect(rolled.outcome, rolled.reason).not.toBe('incident-routed');
    expect(rolled.outcome, rolled.reason).not.toBe('promoted');
    expect(AuditRecordSchema.parse(rolled.audit).breach?.onset).toMatchObject({
      ambiguous: true,
      preexisting: false,
    });
  });

  it('judges against the clean part when a previous bad release sits inside the window', async () => {
    // A previous release failed 20% of requests for 5 minutes, 20 to 15 minutes before the deploy;
    // the new version fails 8% (against a clean 1%): a regression the polluted window would dilute.
    const w = world({
      before: (i) => (i >= 120 && i < 180 ? at(20, 0.2)(i) : at(20, 0.01)(i)),
      after: (i) => at(20, i >= 8 ? 0.08 : 0.01)(BASELINE_STEPS + i),
    });
    const result = await w.watch();
    expect(result.outcome, result.reason).toBe('rolled-back');
    const audit = AuditRecordSchema.parse(result.audit);
    expect(audit.baseline?.signals['error-rate']?.health?.status).toBe('unhealthy');
    expect(audit.baseline?.signals['error-rate']?.health?.episode?.ongoing).toBe(false);
    expect(audit.breach?.onset?.preexisting).toBe(false);
  });
});
