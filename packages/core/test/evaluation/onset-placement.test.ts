import { describe, expect, it } from 'vitest';
import { AuditRecordSchema } from '../../src/audit/audit-record';
import { preDeployRise } from '../../src/evaluation/onset';
import type { StepData } from '../../src/testing/memory-source';
import { binomial, seededRandom } from '../../src/testing/seeded-random';
import { BASELINE_STEPS, healthy, world } from '../machine/world';

const STEP = 5_000;
const DEPLOY = 360 * STEP;

/** 30 min of steps before the deploy: `events(i)` of `n(i)` requests in step i. */
function window(n: (i: number) => number, events: (i: number) => number) {
  return Array.from({ length: 360 }, (_, i) => ({ t: (i + 1) * STEP, trials: n(i), events: events(i) }));
}

describe('preDeployRise: do the data before the deploy alone show the rise?', () => {
  it('sees an incident that began 5 minutes before the deploy at 1 req/s', () => {
    // 2% errors, then 30% for the last 60 steps (300 requests, ~90 failures).
    const data = window(
      () => 5,
      (i) => (i >= 300 ? (i % 2 === 0 ? 2 : 1) : i % 10 === 0 ? 1 : 0),
    );
    expect(preDeployRise(data, DEPLOY)).toBeNull();
  });

  it('does not place a rise on two failures in the last two steps at 0.2 req/s', () => {
    // One request a step, 2% failing (one every 50 steps), and the last two requests failed.
    const data = window(
      () => 1,
      (i) => (i >= 358 || i % 50 === 0 ? 1 : 0),
    );
    const reason = preDeployRise(data, DEPLOY);
    expect(reason).toMatch(
      /^\d+ of \d+ requests since \d+ s before the deploy, p = [\d.e-]+ over 359 onsets scanned$/,
    );
  });

  it('calls a constant rate a rise at most about its level (seeded, 400 windows)', () => {
    const u = seededRandom(12);
    let shown = 0;
    const runs = 400;
    for (let r = 0; r < runs; r++) {
      const n = [1, 2, 5, 20][r % 4] as number;
      const p = [0.01, 0.02, 0.05][r % 3] as number;
      const data = window(
        () => n,
        () => binomial(u, n, p),
      );
      if (preDeployRise(data, DEPLOY) === null) shown++;
    }
    // The scan is Bonferroni-corrected at 0.01: 4 expected at most; allow chance.
    expect(shown).toBeLessThanOrEqual(10);
  });
});

describe('the validation gate: an onset within its own uncertainty of the deploy', () => {
  /** A step at `rps` requests per second (deterministic), `share` of them failing (spread evenly). */
  const at =
    (rps: number, share: number) =>
    (i: number): StepData => {
      const requests = Math.floor((i + 1) * 5 * rps) - Math.floor(i * 5 * rps);
      const errors = Math.floor((i + 1) * 5 * rps * share) - Math.floor(i * 5 * rps * share);
      return { ...healthy(i), requests, errors: Math.min(errors, requests) };
    };
  // 0.2 req/s at 2% errors; the last two requests before the deploy failed (chance), and the new
  // version fails half its requests from the deploy on.
  const options = {
    before: (i: number): StepData => {
      const step = at(0.2, 0.02)(i);
      return i >= BASELINE_STEPS - 2 ? { ...step, errors: step.requests ?? 0 } : step;
    },
    after: (i: number) => at(0.2, 0.5)(BASELINE_STEPS + i),
  };

  it('calls it ambiguous, not "began before", and says why; the policy decides', async () => {
    const routed = await world(options).watch();
    const onset = AuditRecordSchema.parse(routed.audit).breach?.onset;
    expect(onset, routed.reason).toMatchObject({ ambiguous: true, preexisting: true });
    expect(onset?.reason).toMatch(
      /^onset ambiguous: .*but the data before the deploy alone do not show the rise \(.*\): the onset lies within its own uncertainty of the deploy; policy: route an incident, do not roll back$/,
    );
    const rolled = await world({
      ...options,
      contract: { validation: { ambiguousOnset: 'roll-back' } },
    }).watch();
    // Rolled back (the world's restored artifact then verifies or escalates on its own traffic).
    expect(rolled.outcome, rolled.reason).not.toBe('incident-routed');
    expect(rolled.outcome, rolled.reason).not.toBe('promoted');
    expect(AuditRecordSchema.parse(rolled.audit).breach?.onset).toMatchObject({
      ambiguous: true,
      preexisting: false,
    });
  });
});
