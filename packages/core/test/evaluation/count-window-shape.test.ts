import { describe, expect, it } from 'vitest';
import { defaultContract } from '../../src/contract/default-contract';
import { parseContract } from '../../src/contract/parse-contract';
import { AGGREGATE, type WatchState } from '../../src/evaluation/watch-state';
import type { StepData } from '../../src/testing/memory-source';
import { BASELINE_STEPS, replayEvaluator, STEP } from './run-watch';

/**
 * The latency's count window holds each interval with its tail's events (and, in the warm-up,
 * the cold-start bound's) as one object of all its fields (signal-evaluation.ts `withMarks`,
 * docs/benchmarks.md `heap11-issue-13`): the stored form must stay what it was, the same keys in
 * the same order, and a watch carried through its JSON at every step must decide and read as the
 * watch kept in memory.
 */

/** 1,000 requests a step: 1.5% in (100, 250] ms, a few in (250, 500] when `slow`, errors at 0.1%. */
function step(i: number, slow = 0): StepData {
  return {
    requests: 1000,
    errors: i % 10 === 0 ? 1 : 0,
    latencyHistogram: [0, 0, 0, 0, 985 - slow, 15, slow, 0, 0, 0, 0, 0],
    memory: 300e6 + ((i * 37) % 5) * 1e6,
    ready: 1,
    restarts: 0,
  };
}

async function bake(steps: number, throughJson: boolean) {
  const contract = parseContract({ ...defaultContract('checkout'), bakeSeconds: 600, warmupSeconds: 30 });
  const data: StepData[] = [];
  for (let i = 0; i < BASELINE_STEPS; i++) data.push(step(i));
  for (let k = 0; k < steps + 10; k++) data.push(step(BASELINE_STEPS + k, k > 12 ? 8 : 0));
  const { deployAt, clock, evaluator } = replayEvaluator(contract, data);
  let state: WatchState = evaluator.start(deployAt);
  const states: WatchState[] = [];
  const evaluations: unknown[] = [];
  for (let k = 0; k < steps; k++) {
    clock.advance(STEP);
    const r = await evaluator.evaluate(state, {
      signal: new AbortController().signal,
      deadline: clock.now() + 10_000,
    });
    state = throughJson ? (JSON.parse(JSON.stringify(r.state)) as WatchState) : r.state;
    states.push(r.state);
    evaluations.push(JSON.parse(JSON.stringify(r.evaluation)));
  }
  return { states, evaluations, deployAt };
}

describe('the count window of a latency signal', () => {
  it('keeps each interval as t, events, trials, then the tail and the warm-up bound, in that order', async () => {
    const { states } = await bake(20, false);
    const seen = new Set<string>();
    for (const state of states) {
      const baseline = state.baseline?.signals['latency-p99'];
      const recent = state.signals['latency-p99']?.segments[AGGREGATE]?.recent ?? [];
      for (const interval of recent) {
        const expected = ['t', 'events', 'trials'];
        if (baseline?.tail) expected.push('tail');
        if (baseline?.coldStartBound && interval.t <= state.warmupEndsAt) expected.push('dense');
        expect(Object.keys(interval)).toEqual(expected);
        for (const key of expected)
          expect(Number.isFinite(interval[key as keyof typeof interval])).toBe(true);
        seen.add(expected.join(','));
      }
    }
    // The run reaches intervals with a tail (the default latency rule has one on these buckets).
    expect([...seen].some((keys) => keys.includes('tail'))).toBe(true);
  });

  it('carried through its JSON at every step, decides and reads every step as the watch kept in memory', async () => {
    const kept = await bake(40, false);
    const restored = await bake(40, true);
    expect(restored.evaluations).toEqual(kept.evaluations);
    expect(JSON.stringify(restored.states)).toBe(JSON.stringify(kept.states));
  });
});
