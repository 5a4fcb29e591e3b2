import { describe, expect, it } from 'vitest';
import { AuditRecordSchema } from '../../src/audit/audit-record';
import { RollgateError } from '../../src/errors/rollgate-error';
import type { StepData } from '../../src/testing/memory-source';
import { BASELINE_STEPS, DEPLOY_AT, healthy, world } from '../machine/world';

// docs/statistics.md, "Climbs routed as incidents": the gate's third answer, "the trend explains
// the breach: keep baking", and its repeated looks.

const STEP = 5_000;
const MINUTE = 60_000;

/** 1,000 requests a step, `rate(i)` of them failing (spread evenly, deterministic). */
function at(rate: (i: number) => number) {
  const requests = 1000;
  let carried = 0;
  const errors: number[] = [];
  return (i: number): StepData => {
    for (let j = errors.length; j <= i; j++) {
      const exact = requests * rate(j) + carried;
      errors.push(Math.floor(exact));
      carried = exact - Math.floor(exact);
    }
    return { ...healthy(i), requests, errors: errors[i] as number };
  };
}

/** A climb of `perMinute` through the whole window and the bake, from 0.3%. */
const climb = (perMinute: number) => (i: number) =>
  0.003 * Math.exp((i * STEP * Math.log(1 + perMinute)) / MINUTE);

function worldOf(rate: (i: number) => number) {
  const data = at(rate);
  return world({
    before: data,
    after: (i) => data(BASELINE_STEPS + i),
    contract: { bakeSeconds: 600 },
    bakeSteps: 200,
  });
}

async function watch(rate: (i: number) => number) {
  const result = await worldOf(rate).watch();
  return { result, audit: AuditRecordSchema.parse(result.audit) };
}

describe('the validation gate on a climb that breaches', () => {
  it('keeps baking while the trend explains the breach, and routes the climb at the end of the bake', async () => {
    const { result, audit } = await watch(climb(0.03));
    expect(result.outcome, result.reason).toBe('incident-routed');
    expect(result.reason).toMatch(
      /^the breach is a climb that began before the deploy, and to the end of the bake \(\d+ looks\) the rate never stood above its trend/,
    );
    // Each look: a confirmed breach, then back to Watching with the gate's reason (the progress event).
    const phases = result.snapshot.phases.map((p) => p.state);
    const kept = result.snapshot.phases.filter(
      (p) =>
        p.state === 'Watching' &&
        p.reason.startsWith('breach not attributed, keep baking: the trend explains the breach'),
    );
    expect(kept.length).toBeGreaterThanOrEqual(5);
    expect(phases.filter((s) => s === 'Validating').length).toBe(kept.length + 1);
    // The audit says so: the looks taken, the last one's level (STEP_LEVEL / (k (k - 1))).
    const explained = audit.breach?.onset?.explainedByTrend;
    expect(explained?.looks).toBe(kept.length + 1);
    const looks = explained?.looks ?? 0;
    expect(explained?.level).toBeCloseTo(0.01 / (looks * (looks - 1)), 12);
    expect(audit.breach?.onset?.preexisting).toBe(false);
  });

  it('rolls back a fault that begins in the bake after the trend explained the breach', async () => {
    const base = climb(0.03);
    const faultStep = 108;
    const { result, audit } = await watch((i) => base(i) * (i >= BASELINE_STEPS + faultStep ? 3 : 1));
    expect(result.outcome, result.reason).toBe('rolled-back');
    const first = result.snapshot.phases.find((p) => p.state === 'Validating');
    const rolled = result.snapshot.phases.find((p) => p.state === 'Retrieving');
    // The climb breached first, before the fault, and the fault was found within a few steps of its start.
    expect(first?.at).toBeLessThan(DEPLOY_AT + faultStep * STEP);
    expect(rolled?.at).toBeGreaterThanOrEqual(DEPLOY_AT + faultStep * STEP);
    expect(rolled?.at).toBeLessThanOrEqual(DEPLOY_AT + (faultStep + 6) * STEP);
    expect(audit.breach?.onset?.reason).toMatch(
      /^error-rate: the breach the trend explained at looks? 1(-\d+)?, but the rate since \d+ s after the deploy \([\d.]+% of \d+\) stands above the trend fitted from \d+ s before the deploy through the bake \([\d.]+%, rising [\d.]+% a minute\), p = [\d.e-]+: a step after the deploy on top of the trend \(look \d+, level [\d.e-]+\)$/,
    );
  });

  it('resumes a watch that crashed while the trend explained the breach, with the looks it had taken', async () => {
    const { result: reference, audit } = await watch(climb(0.03));
    const w = worldOf(climb(0.03));
    const abort = new AbortController();
    let crashedAtLook = 0;
    w.controller.events.on('step', ({ snapshot }) => {
      const look = snapshot.onset?.explained?.look ?? 0;
      if (snapshot.state === 'Watching' && look >= 2 && crashedAtLook === 0) {
        crashedAtLook = look;
        abort.abort(new Error('crash'));
      }
    });
    await w.watch(w.controller, abort.signal).then(
      () => expect.unreachable('the watch should have been stopped'),
      (e: unknown) => expect(RollgateError.is(e) && e.code).toBe('ABORTED'),
    );
    expect(crashedAtLook).toBe(2);
    // The restarted controller loads the stored snapshot, the gate's last look included: its next
    // look spends the next share of the level, and the watch ends as one never stopped.
    const resumed = await w.watch(w.restart());
    expect(resumed.outcome, resumed.reason).toBe(reference.outcome);
    expect(resumed.reason).toBe(reference.reason);
    expect(AuditRecordSchema.parse(resumed.audit).breach?.onset).toEqual(audit.breach?.onset);
  });

  it('still routes an incident at once: a 10x step 5 minutes before the deploy is no climb', async () => {
    const { result, audit } = await watch((i) => (i >= 300 ? 0.05 : 0.005));
    expect(result.outcome, result.reason).toBe('incident-routed');
    expect(audit.breach?.onset?.explainedByTrend).toBeUndefined();
    expect(result.snapshot.phases.filter((p) => p.state === 'Validating')).toHaveLength(1);
  });

  it('judges a 2x step 10 minutes before the deploy through the bake (a rise a drift can make), and routes it at the end', async () => {
    const { result, audit } = await watch((i) => (i >= 240 ? 0.01 : 0.005));
    expect(result.outcome, result.reason).toBe('incident-routed');
    expect(audit.breach?.onset?.explainedByTrend?.looks).toBeGreaterThan(1);
  });
});
