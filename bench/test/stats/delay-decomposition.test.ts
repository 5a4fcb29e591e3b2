import { replayScenario } from '@rollgate/testkit/scenarios';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateFamilies } from '../../src/scenarios/family-corpus';
import {
  crossingStep,
  EVALUATOR,
  medianRatio,
  pearsonDispersion,
  sprtOnGrid,
  sprtStep,
  traceReplay,
  VARIANTS,
} from '../../src/stats/delay-decomposition';

describe('delay decomposition (issue 12)', () => {
  it('the realised SPRT rejects at the step its log-likelihood ratio reaches log(1/alpha)', () => {
    // p0 1%, p1 10%: one error adds log(10) = 2.30, one success log(0.9/0.99) = -0.095.
    const series = { requests: [0, 10, 10, 10], errors: [0, 2, 1, 1] };
    // After step 1: 2 x 2.30 - 8 x 0.095 = 3.84 < 4.61; after step 2: 3.84 + 2.30 - 0.86 = 5.29.
    expect(sprtStep(series, 0.01, 0.1, 1)).toBe(2);
    expect(sprtStep(series, 0.01, 0.1, 3)).toBeNull();
    expect(sprtStep(series, 0.01, 0.1, 1, 0.001)).toBeNull();
  });

  it("Pearson's dispersion: about 1 and not evidenced on binomial counts, evidenced on bursts", () => {
    const flat = Array.from({ length: 200 }, (_, i) => ({ trials: 100, events: i % 2 }));
    const d = pearsonDispersion(flat);
    expect(d.point).toBeGreaterThanOrEqual(1);
    expect(d.evidenced).toBe(false);
    const bursts = Array.from({ length: 200 }, (_, i) => ({ trials: 100, events: i % 20 === 0 ? 10 : 0 }));
    expect(pearsonDispersion(bursts).evidenced).toBe(true);
    expect(pearsonDispersion(bursts).point).toBeGreaterThan(5);
    fc.assert(
      fc.property(
        fc.array(fc.record({ trials: fc.integer({ min: 1, max: 500 }), events: fc.nat(20) }), {
          maxLength: 50,
        }),
        (raw) => {
          const points = raw.map((p) => ({ trials: p.trials, events: Math.min(p.events, p.trials) }));
          const r = pearsonDispersion(points);
          expect(r.point).toBeGreaterThanOrEqual(1);
          if (r.evidenced) expect(r.point).toBeGreaterThan(1);
        },
      ),
    );
  });

  it('medianRatio counts a miss as infinite', () => {
    const row = (replay: number | null, sprtExpected: number) => ({
      scenario: 'x-dev-0',
      rps: 1,
      p0: 0.01,
      p1: 0.1,
      faultAt: 0,
      stepSeconds: 5,
      baseline: { events: 10, trials: 1000 },
      sprtExpected,
      sprtGrid: sprtOnGrid(sprtExpected, 5),
      sprtRealized: 0,
      variants: {},
      engineTest: replay,
      breachVerdict: replay,
      breachDecision: replay,
      replay,
    });
    expect(medianRatio([row(10, 5), row(30, 10), row(null, 1)], (r) => r.replay)).toBe(3);
    expect(medianRatio([row(10, 5), row(null, 10)], (r) => r.replay)).toBe(Number.POSITIVE_INFINITY);
  });

  it("removing a part that only discounts evidence never makes the evaluator's test cross later", () => {
    // The cap and the surge factor count fewer events, alpha 0.005 asks for more: the e-value
    // rises with the events and the threshold falls with alpha. (The prior and the dispersion
    // also move the restart pace, so they are not monotone: see docs/statistics.md.)
    const [family] = generateFamilies('dev', 2, ['lowtraffic-bad']);
    for (const { scenario, meta } of family?.scenarios ?? []) {
      const events = scenario.series.errors.slice(0, scenario.deployAtStep).reduce((a, b) => a + b, 0);
      const trials = scenario.series.requests.slice(0, scenario.deployAtStep).reduce((a, b) => a + b, 0);
      const at = (name: string) => {
        const v = VARIANTS.find((x) => x.name === name);
        if (!v) throw new Error(name);
        return crossingStep(scenario, v, { events, trials }, meta.p0 as number) ?? Number.POSITIVE_INFINITY;
      };
      const full = crossingStep(scenario, EVALUATOR, { events, trials }, meta.p0 as number);
      expect(full).not.toBeNull();
      for (const part of ['no-cap', 'alpha-0.01', 'no-surge-factor']) {
        expect(at(part)).toBeLessThanOrEqual(full as number);
      }
    }
  });

  it('the reference on the step grid: the first step at or after the SPRT time, a first-step decision counting 0', () => {
    expect(sprtOnGrid(0.4, 5)).toBe(0);
    expect(sprtOnGrid(5, 5)).toBe(0);
    expect(sprtOnGrid(5.1, 5)).toBe(5);
    expect(sprtOnGrid(41.3, 5)).toBe(40);
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 1e4, noNaN: true }), (t) => {
        const g = sprtOnGrid(t, 5);
        // Never above the reference (the table's count starts at the first step's end), and a
        // whole number of steps within one step of it.
        expect(g).toBeLessThanOrEqual(t);
        expect(t - g).toBeLessThanOrEqual(5);
        expect(g % 5).toBe(0);
      }),
    );
  });

  it('the instrumented replay decides as replayScenario does, its stages in order', async () => {
    const [family] = generateFamilies('dev', 3, ['surge-bad']);
    for (const { scenario } of family?.scenarios ?? []) {
      const [replay, trace] = [await replayScenario(scenario), await traceReplay(scenario)];
      expect(trace.confirmed).toBe(replay.decision === 'rollback' ? replay.decidedAtStep : null);
      if (trace.confirmed === null) continue;
      const verdict = trace.firstBreachVerdict ?? Number.POSITIVE_INFINITY;
      const decision = trace.firstBreachDecision ?? Number.POSITIVE_INFINITY;
      expect(verdict).toBeLessThanOrEqual(decision);
      expect(decision).toBeLessThanOrEqual(trace.confirmed);
    }
  });
});
