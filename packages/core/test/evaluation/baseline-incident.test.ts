import { describe, expect, it } from 'vitest';
import { AuditRecordSchema } from '../../src/audit/audit-record';
import {
  incidentAtPassingBake,
  incidentSeenAfter,
  UNHEALTHY_LEVEL,
  UNHEALTHY_RATIO,
} from '../../src/evaluation/baseline-incident';
import { BASELINE_TAIL_ALPHA, checkBaselineHealth } from '../../src/evaluation/baseline-snapshot';
import type { SignalBaseline, WatchState } from '../../src/evaluation/watch-state';
import type { SequentialState } from '../../src/rules/sequential-count';
import { replayScenario } from '../../src/scenarios/replay-scenario';
import type { Scenario } from '../../src/scenarios/scenario-schema';
import type { StepData } from '../../src/testing/memory-source';
import { binomial, seededRandom } from '../../src/testing/seeded-random';
import * as machineWorld from '../machine/world';
import { BASELINE_STEPS, healthyStep, runWatch, STEP } from './run-watch';

/**
 * A passing bake after an incident under way at the deploy (evaluation/baseline-incident.ts):
 * the baseline health check saw the episode still going at the deploy, the bake never breached,
 * and the bake's start shows the episode's rate: the release is kept and the incident routed.
 */

/**
 * 30 min of baseline at `requests` a step failing `base`, the last `incidentSteps` failing
 * `incidentRate`; after the deploy the incident goes on for `goesOn` steps, then `base` again.
 * Exact rates (a running sum), so the counts are the rates'.
 */
function exact(o: {
  requests: number;
  base: number;
  incidentRate: number;
  incidentSteps: number;
  goesOn: number;
}) {
  const steps: StepData[] = [];
  let owed = 0;
  for (let i = 0; i < BASELINE_STEPS + 200; i++) {
    const k = i - BASELINE_STEPS;
    const p = i >= BASELINE_STEPS - o.incidentSteps && k < o.goesOn ? o.incidentRate : o.base;
    owed += o.requests * p;
    const errors = Math.floor(owed);
    owed -= errors;
    steps.push({ ...healthyStep(i, o.requests), errors });
  }
  return steps;
}

/** The same, drawn (binomial counts from `seed`). */
function drawn(
  seed: number,
  o: { requests: number; base: number; incidentRate: number; incidentSteps: number; goesOn: number },
) {
  const random = seededRandom(seed);
  const steps: StepData[] = [];
  for (let i = 0; i < BASELINE_STEPS + 200; i++) {
    const k = i - BASELINE_STEPS;
    const p = i >= BASELINE_STEPS - o.incidentSteps && k < o.goesOn ? o.incidentRate : o.base;
    steps.push({ ...healthyStep(i, o.requests), errors: binomial(random, o.requests, p) });
  }
  return steps;
}

describe('a passing bake after an incident under way at the deploy', () => {
  it('routes the incident when the bake starts at its rate, though the bake passes', async () => {
    // 2 requests a second, 4% failing for 5 minutes before the deploy and 30 s after it, then
    // back to 0.3%: too few failures in the bake for its tests, but the first 30 s of the bake
    // are far likelier at the incident's rate than at the healthy one.
    const steps = exact({ requests: 10, base: 0.003, incidentRate: 0.04, incidentSteps: 60, goesOn: 6 });
    const r = await runWatch(steps, { bakeSeconds: 600 });
    expect(r.decision.type).toBe('promote');
    expect(r.at).toBe(600);
    if (r.decision.type !== 'promote') return;
    expect(r.decision.incident?.signal).toBe('error-rate');
    expect(r.decision.reason).toMatch(
      /^bake complete: all \d signals pass; but baseline unhealthy: error-rate: the incident under way since 5\.1 min before the deploy \(4\.1% against 0\.384% otherwise\) was still going at the bake's start: 2 of 50 requests in the first 25 s, 18\.34 times likelier at its rate than at the healthy one, >= 1\/level 10; the bake passed, so the release is kept and the incident routed$/,
    );
    expect(r.decision.incident?.reason).toMatch(/^baseline unhealthy: error-rate: /);
    // No test breached on the way: the bake's tests passed to the end.
    for (const e of r.timeline) expect(e.type === 'continue' || e.type === 'promote').toBe(true);
  });

  it('keeps the release silently when the rate is back to the healthy one at the deploy', async () => {
    const steps = exact({ requests: 10, base: 0.003, incidentRate: 0.04, incidentSteps: 60, goesOn: 0 });
    const r = await runWatch(steps, { bakeSeconds: 600 });
    expect(r.decision.type).toBe('promote');
    if (r.decision.type !== 'promote') return;
    expect(r.decision.incident).toBeUndefined();
    expect(r.decision.reason).toBe('bake complete: all 4 signals pass');
  });

  it('keeps the release silently after a healthy window', async () => {
    const steps = exact({ requests: 10, base: 0.003, incidentRate: 0.003, incidentSteps: 0, goesOn: 0 });
    const r = await runWatch(steps, { bakeSeconds: 600 });
    expect(r.decision.type).toBe('promote');
    if (r.decision.type === 'promote') expect(r.decision.incident).toBeUndefined();
  });

  it('routes a clean bake after an incident that ended at the deploy at most rarely (seeded, 40 windows)', async () => {
    // Both rates are fixed before the bake, so the likelihood ratio is a test martingale under
    // "the bake is at the healthy rate": its peak crosses 1/level at most `level` of the time.
    let routed = 0;
    let seen = 0;
    for (let s = 0; s < 40; s++) {
      const steps = drawn(300 + s, {
        requests: 8 + (s % 5),
        base: 0.003,
        incidentRate: 0.04 + 0.01 * (s % 3),
        incidentSteps: 48 + 6 * (s % 4),
        goesOn: 0,
      });
      const window = steps
        .slice(0, BASELINE_STEPS)
        .map((d, i) => ({ t: (i + 1) * STEP, trials: d.requests ?? 0, events: d.errors ?? 0 }));
      if (checkBaselineHealth(window, STEP, 'failed').health.episode?.ongoing) seen++;
      const r = await runWatch(steps, { bakeSeconds: 300 });
      if (r.decision.type === 'promote' && r.decision.incident) routed++;
    }
    expect(seen).toBeGreaterThanOrEqual(30);
    expect(routed).toBeLessThanOrEqual(1);
  });

  it('routes most incidents that go on for a minute into the bake (seeded, 20 windows)', async () => {
    let routed = 0;
    let breached = 0;
    for (let s = 0; s < 20; s++) {
      const steps = drawn(500 + s, {
        requests: 8 + (s % 5),
        base: 0.003,
        incidentRate: 0.05,
        incidentSteps: 60,
        goesOn: 12,
      });
      const r = await runWatch(steps, { bakeSeconds: 300 });
      if (r.decision.type === 'promote' && r.decision.incident) routed++;
      if (r.decision.type === 'breach') breached++;
    }
    // Each is either a breach (the onset gate routes it) or a passing bake routed here.
    expect(routed + breached).toBeGreaterThanOrEqual(16);
    expect(routed).toBeGreaterThan(0);
  });
});

/** `steps` as a replayable scenario: 5 s steps, the deploy after the baseline, every request at 40 ms. */
function scenarioOf(name: string, steps: readonly StepData[], truth: 'keep' | 'incident'): Scenario {
  const requests = steps.map((d) => d.requests ?? 0);
  return {
    schema: 'rollgate.scenario/v1',
    name,
    stepSeconds: STEP / 1000,
    deployAtStep: BASELINE_STEPS,
    truth: { verdict: truth, faultStartStep: truth === 'incident' ? BASELINE_STEPS - 60 : null },
    latencyBucketsMs: [25, 50, 100, 250, 500, 1000],
    series: {
      requests,
      errors: steps.map((d) => d.errors ?? 0),
      latencyP99Ms: requests.map((n) => (n > 0 ? 45 : null)),
      latencyHistogram: requests.map((n) => [0, n, 0, 0, 0, 0, 0]),
      memoryBytes: steps.map((d) => d.memory ?? 300e6),
      ready: steps.map(() => 1),
      restarts: steps.map(() => 0),
    },
  };
}

describe('the watch of a passing bake after an incident under way', () => {
  it('ends incident-routed, and its audit says what the bake showed', async () => {
    const steps = exact({
      requests: 10,
      base: 0.003,
      incidentRate: 0.04,
      incidentSteps: 60,
      goesOn: 6,
    }).slice(0, BASELINE_STEPS + 120);
    const r = await replayScenario(scenarioOf('incident-recovers', steps, 'incident'));
    expect(r.decision).toBe('incident');
    expect(r.outcome).toBe('incident-routed');
    expect(r.reason).toMatch(
      /^bake complete: all 4 signals pass; but baseline unhealthy: error-rate: the incident under way since/,
    );
    const audit = AuditRecordSchema.parse(r.audit);
    expect(audit.outcome).toBe('incident-routed');
    expect(audit.baseline?.signals['error-rate']?.health?.episode?.ongoing).toBe(true);
    const bakeStart = audit.baseline?.signals['error-rate']?.health?.bakeStart;
    expect(bakeStart).toMatchObject({ events: 2, trials: 50, routed: true });
    expect(bakeStart?.likelihoodRatio).toBeGreaterThanOrEqual(1 / UNHEALTHY_LEVEL);
    expect(audit.failedArtifact).toBeNull();
    expect(audit.cutover).toBeNull();
  });

  it('promotes where the rate is back at the deploy, its audit showing the peak below the level', async () => {
    const steps = exact({
      requests: 10,
      base: 0.003,
      incidentRate: 0.04,
      incidentSteps: 60,
      goesOn: 0,
    }).slice(0, BASELINE_STEPS + 120);
    const r = await replayScenario(scenarioOf('incident-ended', steps, 'keep'));
    expect(r.decision).toBe('keep');
    expect(r.outcome).toBe('promoted');
    const audit = AuditRecordSchema.parse(r.audit);
    const bakeStart = audit.baseline?.signals['error-rate']?.health?.bakeStart;
    expect(bakeStart?.routed).toBe(false);
    expect(bakeStart?.likelihoodRatio).toBeLessThan(1 / UNHEALTHY_LEVEL);
  });
});

describe('incidentSeenAfter', () => {
  const deployAt = 1_700_000_000_000;
  const watch = (purpose: 'bake' | 'verify' = 'bake') => ({ purpose, deployAt }) as unknown as WatchState;
  const baseline = (rate: number, outsideRate: number, ongoing = true): SignalBaseline =>
    ({
      health: {
        status: 'unhealthy',
        reason: 'baseline unhealthy',
        episode: {
          startT: deployAt - 300_000,
          endT: deployAt,
          ongoing,
          events: 12,
          trials: 300,
          rate,
          outsideRate,
        },
      },
    }) as unknown as SignalBaseline;
  const test = (events: number, trials: number, anchorRate = 0.003) =>
    ({ kind: 'baseline', anchorRate, events, trials, dispersion: 1 }) as unknown as SequentialState;

  it('is the likelihood ratio at the episode rate against the healthy rate, and keeps its peak', () => {
    const first = incidentSeenAfter(
      undefined,
      watch(),
      baseline(0.04, 0.003),
      test(3, 60),
      deployAt + 30_000,
    );
    const expected = 3 * Math.log(0.04 / 0.003) + 57 * (Math.log1p(-0.04) - Math.log1p(-0.003));
    expect(first?.logLr).toBeCloseTo(expected, 10);
    expect(first).toMatchObject({
      at: deployAt + 30_000,
      events: 3,
      trials: 60,
      rate: 0.04,
      healthyRate: 0.003,
    });
    // Later looks at the healthy rate lower the ratio: the peak stays.
    const later = incidentSeenAfter(first, watch(), baseline(0.04, 0.003), test(3, 600), deployAt + 300_000);
    expect(later).toBe(first);
  });

  it('does not apply to a verification, an episode over before the deploy, or one too close to the healthy rate', () => {
    const s = test(3, 60);
    expect(incidentSeenAfter(undefined, watch('verify'), baseline(0.04, 0.003), s, deployAt)).toBeUndefined();
    expect(incidentSeenAfter(undefined, watch(), baseline(0.04, 0.003, false), s, deployAt)).toBeUndefined();
    const close = 0.003 * UNHEALTHY_RATIO * 0.99;
    expect(incidentSeenAfter(undefined, watch(), baseline(close, 0.001), s, deployAt)).toBeUndefined();
    expect(
      incidentSeenAfter(undefined, watch(), baseline(0.04, 0.04 / UNHEALTHY_RATIO / 0.99), s, deployAt),
    ).toBeUndefined();
    expect(incidentSeenAfter(undefined, watch(), baseline(0.04, 0.003), null, deployAt)).toBeUndefined();
  });

  it('after a tail look, weighs the bake against the anchor of the rest of the window (the tail left out, the prior kept)', () => {
    // A healthy window (the scan saw no episode) of 6 failures in 1000 requests, 4 of them in the
    // tail of 100: the test's anchor holds the tail's, (6 + 3 + 0.5) / 1001; the rest's is
    // (2 + 3 + 0.5) / 901.
    const tailed = {
      events: 6,
      trials: 1000,
      health: {
        status: 'healthy',
        reason: 'no elevated stretch in the window; but ...',
        tail: {
          startT: deployAt - 240_000,
          endT: deployAt,
          events: 4,
          trials: 100,
          rate: 0.04,
          outsideRate: 2 / 900,
          pValue: 0.005,
        },
      },
    } as unknown as SignalBaseline;
    const anchor = (6 + 3 + 0.5) / 1001;
    const seen = incidentSeenAfter(undefined, watch(), tailed, test(2, 40, anchor), deployAt + 60_000);
    const rest = (2 + 3 + 0.5) / 901;
    expect(seen?.healthyRate).toBeCloseTo(rest, 12);
    expect(seen?.logLr).toBeCloseTo(
      2 * Math.log(0.04 / rest) + 38 * (Math.log1p(-0.04) - Math.log1p(-rest)),
      10,
    );
    // Never above the test's own anchor, and an episode's baseline is left as it was.
    expect(incidentSeenAfter(undefined, watch(), tailed, test(2, 40, 0.001), deployAt)?.healthyRate).toBe(
      0.001,
    );
    expect(
      incidentSeenAfter(undefined, watch(), baseline(0.04, 0.003), test(2, 40, 0.0035), deployAt)
        ?.healthyRate,
    ).toBe(0.0035);
  });

  it('routes only at a peak of at least 1/level', () => {
    const seen = (logLr: number) =>
      ({
        ...watch(),
        baseline: { signals: { 'error-rate': baseline(0.04, 0.003) } },
        signals: {
          'error-rate': {
            incidentSeen: {
              logLr,
              at: deployAt + 30_000,
              events: 3,
              trials: 60,
              rate: 0.04,
              healthyRate: 0.003,
            },
          },
        },
      }) as unknown as WatchState;
    const at = Math.log(1 / UNHEALTHY_LEVEL);
    expect(incidentAtPassingBake(seen(at - 0.01), ['error-rate'])).toBeNull();
    expect(incidentAtPassingBake(seen(at), ['error-rate'])?.reason).toMatch(
      /^baseline unhealthy: error-rate: the incident under way since 5 min before the deploy \(4% against 0\.3% otherwise\) was still going at the bake's start: 3 of 60 requests in the first 30 s, /,
    );
  });
});

describe('a passing bake after an incident the scan cannot see: the tail look (round 23)', () => {
  // 0.6-1 requests a second, 0.4% failing, 4% over the last 6 minutes and 3 minutes into the
  // bake: ~10 failures in the last 6 minutes against ~5 in the 24 before.
  const o = { requests: 3, base: 0.004, incidentRate: 0.04, incidentSteps: 72, goesOn: 36 };
  const windowOf = (steps: readonly StepData[]) =>
    steps
      .slice(0, BASELINE_STEPS)
      .map((d, i) => ({ t: (i + 1) * STEP, trials: d.requests ?? 0, events: d.errors ?? 0 }));

  it('routes the incident of a passing bake whose window ends elevated, saying the scan saw no episode', async () => {
    let armed = 0;
    let routed = 0;
    let reason = '';
    for (let s = 0; s < 30; s++) {
      const steps = drawn(700 + s, { ...o, requests: 3 + (s % 3) });
      const health = checkBaselineHealth(windowOf(steps), STEP, 'failed').health;
      if (health.episode) continue;
      if (health.tail) {
        armed++;
        expect(health.status).toBe('healthy');
        expect(health.tail.rate).toBeGreaterThanOrEqual(UNHEALTHY_RATIO * health.tail.outsideRate);
        expect(health.tail.pValue).toBeLessThanOrEqual(BASELINE_TAIL_ALPHA);
        expect(health.reason).toMatch(
          /^no elevated stretch in the window; but \d+ of \d+ requests failed in the last [248](\.\d)? min before the deploy \(/,
        );
      }
      const r = await runWatch(steps, { bakeSeconds: 300 });
      if (r.decision.type === 'promote' && r.decision.incident) {
        routed++;
        expect(health.tail).toBeDefined();
        reason = r.decision.incident.reason;
      }
    }
    expect(armed).toBeGreaterThanOrEqual(8);
    expect(routed).toBeGreaterThanOrEqual(3);
    expect(reason).toMatch(
      /^baseline unhealthy: error-rate: the window's last [248](\.\d)? min before the deploy stood out \(\d+ of \d+ requests, p = [\d.e-]+ over the tail look's stretches, where the scan saw no episode\): an incident under way since then \(/,
    );
  });

  it('routes a healthy window rarely: its tail stands out at most alpha of the time, and a clean bake then rarely starts at its rate (seeded, 60 windows)', async () => {
    let armed = 0;
    let routed = 0;
    for (let s = 0; s < 60; s++) {
      const steps = drawn(900 + s, { ...o, requests: 2 + (s % 4), incidentSteps: 0, goesOn: 0 });
      if (checkBaselineHealth(windowOf(steps), STEP, 'failed').health.tail) armed++;
      const r = await runWatch(steps, { bakeSeconds: 300 });
      if (r.decision.type === 'promote' && r.decision.incident) routed++;
    }
    expect(armed).toBeLessThanOrEqual(2);
    expect(routed).toBe(0);
  });
});

describe('a passing bake after an incident under way, resumed after a crash', () => {
  it('routes the incident that the start of the bake showed before the crash', async () => {
    // The stored watch keeps the peak (`incidentSeen`): a controller that resumes the bake after
    // the incident recovered still routes it, as the run never stopped does.
    const n = machineWorld.BASELINE_STEPS;
    const data = (i: number) => {
      const k = i - n;
      const failing = i >= n - 60 && k < 6;
      return {
        ...machineWorld.healthy(i),
        requests: 10,
        errors: failing ? (i % 5 === 0 ? 1 : 0) : i % 300 === 0 ? 1 : 0,
      };
    };
    const options = { before: data, after: (i: number) => data(n + i), contract: { bakeSeconds: 600 } };
    const reference = await machineWorld.world(options).watch();
    expect(reference.outcome, reference.reason).toBe('incident-routed');
    const w = machineWorld.world(options);
    await machineWorld.crashWhen(
      w,
      (s) => (w.clock.now() - machineWorld.DEPLOY_AT) / machineWorld.STEP >= 60 && s.state === 'Watching',
    );
    const resumed = await w.watch(w.restart());
    expect(resumed.outcome, resumed.reason).toBe('incident-routed');
    expect(resumed.reason).toBe(reference.reason);
  });
});
