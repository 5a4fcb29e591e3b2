import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type BaselineRateTestState,
  createBaselineRateTest,
  estimateGaugeOnset,
  estimateOnset,
  splitAlpha,
  updateRateTest,
} from '../../src/stats';

// The hand-checked scenarios shared by every engineer (rollgate.scenario/v1, see FORMAT.md),
// replayed straight through the tests the evaluator will wire in: counts per 5 s step after
// the deploy, the pre-deploy window as the baseline.
// The examples ship with @rollgate/testkit (which depends on core, so core's tests read the folder).
const EXAMPLES = join(import.meta.dirname, '..', '..', '..', 'testkit', 'scenarios', 'examples');

interface Scenario {
  name: string;
  deployAtStep: number;
  truth: { verdict: 'rollback' | 'keep' | 'incident'; faultStartStep: number | null };
  latencyBucketsMs: number[];
  series: { requests: number[]; errors: number[]; latencyHistogram: number[][]; ready?: number[] };
}

function load(): Scenario[] {
  return readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.json') && !f.startsWith('_'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(EXAMPLES, f), 'utf8')) as Scenario);
}

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

/** The exceedance threshold: the smallest bucket boundary at or above the baseline p99. */
function exceedanceBucket(s: Scenario): number {
  const pooled = s.latencyBucketsMs.map((_, i) =>
    sum(s.series.latencyHistogram.slice(0, s.deployAtStep).map((h) => h[i] as number)),
  );
  const total = sum(s.series.latencyHistogram.slice(0, s.deployAtStep).map(sum));
  let cumulative = 0;
  for (const [i, count] of pooled.entries()) {
    cumulative += count;
    if (cumulative >= 0.99 * total) return i;
  }
  return s.latencyBucketsMs.length - 1;
}

/** Requests slower than the threshold at each step: the buckets after the threshold's. */
function exceedances(s: Scenario): number[] {
  const bucket = exceedanceBucket(s);
  return s.series.latencyHistogram.map((h) => sum(h.slice(bucket + 1)));
}

// The evaluator excludes a 30 s warm-up after the deploy; only the cold-start example needs it.
const WARMUP_STEPS = 6;
// Two count signals (error rate, latency exceedances) share the deploy's alpha of 0.01.
const ALPHA = splitAlpha(0.01, 2);

/** The first step at which the baseline test rejects, or null over the whole bake. */
function decisionStep(s: Scenario, events: readonly number[], method: 'joint' | 'bound'): number | null {
  const d = s.deployAtStep;
  const start = s.name === 'keep-cold-start' ? d + WARMUP_STEPS : d;
  let state: BaselineRateTestState = createBaselineRateTest({
    baselineEvents: sum(events.slice(0, d)),
    baselineTrials: sum(s.series.requests.slice(0, d)),
    alpha: ALPHA,
    method,
  });
  for (let k = start; k < s.series.requests.length; k++) {
    state = updateRateTest(state, { events: events[k] as number, trials: s.series.requests[k] as number });
    if (state.rejected) return k;
  }
  return null;
}

const scenarios = load();
const byName = (name: string): Scenario => scenarios.find((s) => s.name === name) as Scenario;

describe('shared example scenarios', () => {
  it('are all there', () => {
    expect(scenarios.map((s) => s.name)).toEqual(
      expect.arrayContaining([
        'keep-steady',
        'keep-cold-start',
        'keep-low-traffic',
        'rollback-error-spike',
        'rollback-latency',
        'incident-preexisting',
      ]),
    );
  });

  for (const method of ['joint', 'bound'] as const) {
    describe(`baseline test, ${method} method, alpha 0.01 / 2`, () => {
      it('rollback-error-spike: the error test rejects within 2 steps (10 s) of the fault', () => {
        const s = byName('rollback-error-spike');
        const step = decisionStep(s, s.series.errors, method);
        const fault = s.truth.faultStartStep as number;
        expect(step).not.toBeNull();
        expect(step as number).toBeGreaterThanOrEqual(fault);
        expect(step as number).toBeLessThanOrEqual(fault + 2);
      });

      it('rollback-latency: the exceedance test rejects within 2 steps of the fault', () => {
        const s = byName('rollback-latency');
        expect(s.latencyBucketsMs[exceedanceBucket(s)]).toBe(250);
        const step = decisionStep(s, exceedances(s), method);
        const fault = s.truth.faultStartStep as number;
        expect(step).not.toBeNull();
        expect(step as number).toBeGreaterThanOrEqual(fault);
        expect(step as number).toBeLessThanOrEqual(fault + 2);
      });

      for (const name of ['keep-steady', 'keep-low-traffic', 'keep-cold-start']) {
        it(`${name}: neither test ever rejects over the whole bake`, () => {
          const s = byName(name);
          expect(decisionStep(s, s.series.errors, method)).toBeNull();
          expect(decisionStep(s, exceedances(s), method)).toBeNull();
        });
      }
    });
  }

  it('keep-cold-start needs the warm-up exclusion: its first 30 s are elevated', () => {
    const s = byName('keep-cold-start');
    const d = s.deployAtStep;
    const coldRate =
      sum(s.series.errors.slice(d, d + WARMUP_STEPS)) / sum(s.series.requests.slice(d, d + WARMUP_STEPS));
    const baseRate = sum(s.series.errors.slice(0, d)) / sum(s.series.requests.slice(0, d));
    expect(coldRate).toBeGreaterThan(2 * baseRate);
  });
});

describe('onset of the breach (validation gate)', () => {
  /** The range the gate reads: up to 30 min before the deploy, through the decision. */
  function range(s: Scenario, events: readonly number[], end: number) {
    return s.series.requests
      .map((trials, k) => ({ t: k, events: events[k] as number, trials }))
      .slice(Math.max(0, s.deployAtStep - 360), end + 1);
  }

  it('incident-preexisting: the onset is significantly before the deploy', () => {
    const s = byName('incident-preexisting');
    const step = decisionStep(s, s.series.errors, 'joint');
    expect(step).not.toBeNull();
    const onset = estimateOnset(range(s, s.series.errors, step as number), { referenceT: s.deployAtStep });
    expect(onset.significant).toBe(true);
    expect(onset.onsetT).toBe(s.truth.faultStartStep);
    expect(onset.onsetRange?.latestT as number).toBeLessThan(s.deployAtStep);
    expect(onset.startsBefore).toBe(true);
  });

  it('rollback-error-spike: the onset is after the deploy, at the fault', () => {
    const s = byName('rollback-error-spike');
    const step = decisionStep(s, s.series.errors, 'joint') as number;
    const onset = estimateOnset(range(s, s.series.errors, step), { referenceT: s.deployAtStep });
    expect(onset.significant).toBe(true);
    expect(onset.startsBefore).toBe(false);
    expect(onset.onsetRange?.earliestT as number).toBeGreaterThanOrEqual(s.deployAtStep);
    expect(Math.abs((onset.onsetT as number) - (s.truth.faultStartStep as number))).toBeLessThanOrEqual(1);
  });

  it('rollback-latency: the exceedance onset is after the deploy, at the fault', () => {
    const s = byName('rollback-latency');
    const events = exceedances(s);
    const step = decisionStep(s, events, 'joint') as number;
    const onset = estimateOnset(range(s, events, step), { referenceT: s.deployAtStep });
    expect(onset.significant).toBe(true);
    expect(onset.startsBefore).toBe(false);
    expect(onset.onsetRange?.earliestT as number).toBeGreaterThanOrEqual(s.deployAtStep);
  });

  it('rollback-probe: the ready fraction drops after the deploy (gauge onset)', () => {
    const s = byName('rollback-probe');
    const ready = (s.series.ready ?? [])
      .map((value, t) => ({ t, value }))
      .slice(s.deployAtStep - 120, s.deployAtStep + 30);
    const onset = estimateGaugeOnset(ready, { direction: 'down' });
    expect(onset.significant).toBe(true);
    expect(onset.onsetRange?.earliestT as number).toBeGreaterThanOrEqual(s.deployAtStep);
  });

  it('no rollback example gets a count onset significantly before its deploy', () => {
    for (const s of scenarios.filter((x) => x.truth.verdict === 'rollback')) {
      for (const events of [s.series.errors, exceedances(s)]) {
        const onset = estimateOnset(range(s, events, s.series.requests.length - 1), {
          referenceT: s.deployAtStep,
        });
        expect(onset.startsBefore).toBe(false);
        if (onset.significant)
          expect(onset.onsetRange?.earliestT as number).toBeGreaterThanOrEqual(s.deployAtStep);
      }
    }
  });
});
