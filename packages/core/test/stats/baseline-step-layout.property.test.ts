import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BaselineRateTestState, createBaselineRateTest, updateRateTest } from '../../src/stats';
import { arbBaselineOptions, arbObservations, observationOf, startBaselineTest } from './baseline-test-draws';

/**
 * A step of a `joint` state laid out as the evaluator starts it (with `kappas`, no grace events,
 * no fractions) is written field by field instead of spread (stats/baseline-rate-test.ts,
 * `steppedEvaluatorState`). The spread is the reference: a copy of the state whose prototype
 * holds an enumerable key fails the layout check and is spread (its own fields, which is all
 * JSON writes, are the same). Both must give the same JSON text, key order included: a save
 * writes that text.
 */

/** The same own fields, seen through a prototype with an enumerable key: the spread path. */
function spreadPath(state: BaselineRateTestState): BaselineRateTestState {
  return Object.assign(Object.create({ inherited: true }), state);
}

describe('baseline test: a step of the evaluator layout', () => {
  it('writes the same JSON, key order included, as spreading the state', () => {
    fc.assert(
      fc.property(arbBaselineOptions(false), arbObservations(true), (o, observations) => {
        let live = startBaselineTest(o);
        const keys = Object.keys(live);
        for (const step of observations) {
          const observation = observationOf(step);
          const reference = updateRateTest(spreadPath(live), observation);
          live = updateRateTest(live, observation);
          expect(JSON.stringify(live)).toBe(JSON.stringify(reference));
          expect(Object.keys(live)).toEqual(keys);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('writes a capped state (tailCap after kappas, the default latency tests) as the spread would', () => {
    let live = createBaselineRateTest({
      baselineEvents: 3,
      baselineTrials: 12_001,
      alpha: 0.00375,
      kappas: [0.5, 1.5, 3],
      tailCap: { kappa: 0.3, maxEvents: 3 },
    });
    const keys = Object.keys(live);
    expect(keys.indexOf('tailCap')).toBe(keys.indexOf('kappas') + 1);
    for (let step = 0; step < 40; step++) {
      const observation = { events: step % 7 === 0 ? 1 : 0, trials: 100 };
      const reference = updateRateTest(spreadPath(live), observation);
      live = updateRateTest(live, observation);
      expect(JSON.stringify(live)).toBe(JSON.stringify(reference));
      expect(Object.keys(live)).toEqual(keys);
    }
  });

  it('keeps an older state without the observed counts in its own layout (they are appended)', () => {
    const started = createBaselineRateTest({
      baselineEvents: 40,
      baselineTrials: 10_000,
      alpha: 0.01,
      kappas: [0.5, 1.5, 3],
    });
    const { observedEvents: _e, observedTrials: _t, ...older } = started;
    const stepped = updateRateTest(older as BaselineRateTestState, { events: 3, trials: 400 });
    const keys = Object.keys(stepped);
    expect(keys.slice(-3)).toEqual(['copies', 'observedEvents', 'observedTrials']);
    expect(stepped.observedTrials).toBe(400);
    expect(JSON.stringify(stepped)).toBe(
      JSON.stringify(updateRateTest(spreadPath(older as BaselineRateTestState), { events: 3, trials: 400 })),
    );
  });
});
