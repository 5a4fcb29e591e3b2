import { describe, expect, it } from 'vitest';
import { AuditRecordSchema } from '../../src/audit/audit-record';
import { placedClimb } from '../../src/evaluation/onset';
import { binomial, seededRandom } from '../../src/testing/seeded-random';
import { BASELINE_STEPS, DEPLOY_AT, healthy, ramp, seededSteps, world } from '../machine/world';

/** Seeded error counts of `requests` a step at `rate(k)` (k as in {@link seededSteps}). */
function errors(seed: number, requests: number, rate: (k: number) => number) {
  return seededSteps(seed, (u, i, k) => ({
    ...healthy(i),
    requests,
    errors: binomial(u, requests, Math.min(1, rate(k))),
  }));
}

function run(seed: number, requests: number, rate: (k: number) => number) {
  const data = errors(seed, requests, rate);
  return world({
    before: data,
    after: (i) => data(BASELINE_STEPS + i),
    contract: { bakeSeconds: 900 },
    bakeSteps: 400,
  }).watch();
}

/** errors 0.66% until 225 s before the deploy, then climbing linearly to 6.46% over 13 minutes (incident-climbing-dev-56's shape). */
const CLIMB = ramp(0.0066, 0.0646, -45, 156);

describe('the onset gate: an error climb under way at the deploy (issue 12 class 6, round 23)', () => {
  it('routes an error climb the repeated looks read as a step over the log-linear trend', async () => {
    // 480 requests a step. The trend explains the first breach; the linear climb, concave in log
    // rate, then stands above the log-linear trend fitted through the bake (main rolled it back).
    const r = await run(1, 480, CLIMB);
    const onset = AuditRecordSchema.parse(r.audit).breach?.onset;
    expect(r.outcome, r.reason).toBe('incident-routed');
    expect(onset).toMatchObject({ preexisting: true });
    expect(onset?.reason).toMatch(
      /stands above the trend fitted from \d+ s before the deploy through the bake/,
    );
    expect(onset?.reason).toMatch(
      /; but the rate climbs from 0\.6\d+% since \d+ s before the deploy, [\d.e+]+ times likelier than a step or a climb from the deploy on, and since the deploy \([\d.]+% of \d+\) it goes on along that climb with no step over it: an error climb under way at the deploy, not a change the deploy made$/,
    );
    expect(Date.parse(String(onset?.onsetAt))).toBeLessThan(DEPLOY_AT);
  });

  it('rolls back the same climb when it starts at the deploy', async () => {
    const r = await run(1, 480, ramp(0.0066, 0.0646, 0, 156));
    expect(r.outcome, r.reason).toBe('rolled-back');
    expect(r.reason).not.toMatch(/error climb under way/);
  });

  it('rolls back a step at the deploy on top of a slow climb before it', async () => {
    // The rate creeps from 0.66% to 1% over the last 5 minutes, then jumps to 4% with the deploy.
    const r = await run(1, 480, (k) => (k >= 1 ? 0.04 : ramp(0.0066, 0.01, -60, 60)(k)));
    expect(r.outcome, r.reason).toBe('rolled-back');
    expect(r.reason).not.toMatch(/error climb under way/);
  });

  it('rolls back a fault at the deploy whose rise a blip in the last minute before it starts', async () => {
    // A downstream blip fails 6% of the last two steps before the deploy, and the release fails
    // 6.3% from the deploy on: a climb "since 10 s before the deploy" is the likeliest ramp, but a
    // climb placed by the last minute alone lies within the onset's uncertainty of the deploy.
    const r = await run(2, 400, (k) => (k >= -1 ? (k >= 1 ? 0.063 : 0.06) : 0.0075));
    expect(r.outcome, r.reason).toBe('rolled-back');
    expect(r.reason).not.toMatch(/error climb under way/);
  });

  it('rolls back a fault that doubles the climbing rate 4 minutes into the bake', async () => {
    const r = await run(1, 480, (k) => CLIMB(k) * (k > 48 ? 2 : 1));
    expect(r.outcome, r.reason).toBe('rolled-back');
    expect(r.reason).not.toMatch(/error climb under way/);
  });
});

describe('placedClimb: a climb under way at the deploy, on error counts', () => {
  const STEP = 5_000;
  const DEPLOY = 360 * STEP;
  /** 30 min before the deploy and `after` steps after it, seeded binomial counts at `rate(k)`. */
  const points = (u: () => number, n: number, rate: (k: number) => number, after: number) =>
    Array.from({ length: 360 + after }, (_, i) => {
      const k = i - 359;
      return { t: (i + 1) * STEP, trials: n, events: binomial(u, n, Math.min(1, rate(k))) };
    });

  it('places a climb from minutes before the deploy once the bake shows its slope', () => {
    const u = seededRandom(5);
    let placed = 0;
    for (let j = 0; j < 20; j++) {
      if (placedClimb(points(u, 480, CLIMB, 120), DEPLOY, STEP) !== null) placed++;
    }
    expect(placed).toBeGreaterThanOrEqual(18); // 20 of 20 as drawn
  });

  it('places a fault from the deploy on (a step, or a climb from the base) at most about 0.01 of the time', () => {
    // 120 seeded faults at 5-500 requests a step, base 0.2-2%, 2-20x, as a step or a climb of
    // 1-20 minutes from the deploy, half with a slow creep (up to 1.5x) over the last 10 minutes.
    const u = seededRandom(23);
    let placed = 0;
    for (let j = 0; j < 120; j++) {
      const n = Math.round(5 + u() * 495);
      const base = 0.002 + u() * 0.018;
      const full = Math.min(0.5, base * (2 + u() * 18));
      const steps = u() < 0.5 ? 1 : Math.round(12 + u() * 228);
      const creep = u() < 0.5 ? ramp(base, base * (1 + u() * 0.5), -120, 120) : () => base;
      const rate = (k: number) => (k >= 1 ? ramp(base, full, 0, steps)(k) : creep(k));
      if (placedClimb(points(u, n, rate, 24 + Math.round(u() * 156)), DEPLOY, STEP) !== null) placed++;
    }
    expect(placed).toBeLessThanOrEqual(3); // 1 of 120 as drawn
  });
});
