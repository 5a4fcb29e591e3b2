import type { SequentialRule } from '../../src/contract/contract-schema';
import {
  FINAL_LOOK_SHARE,
  type SequentialJudgement,
  type SequentialState,
  startSequential,
  stepSequential,
} from '../../src/rules/sequential-count';

// What the tests of the looks at the bake's end share (final-look, floor-look, tail-look): a
// baseline rule of the default contract, a test started on a window's counts, and a bake fed to
// it step by step.

/** A baseline rule as the default contract's error and latency signals have it. */
export const LOOK_RULE: SequentialRule = { type: 'sequential', test: 'baseline' } as SequentialRule;

/** The rule's test on a window of `events` of `trials`, with `share` of alpha set aside for the look. */
export function startLookTest(
  events: number,
  trials: number,
  alpha: number,
  share = FINAL_LOOK_SHARE,
): SequentialState {
  const state = startSequential(LOOK_RULE, { status: 'ok', events, trials }, alpha, share);
  if (!state) throw new Error('the test did not start');
  return state;
}

/** `state` fed `steps` in order. */
export function feedSteps(
  state: SequentialState,
  steps: readonly { events: number; trials: number }[],
): SequentialState {
  let s = state;
  for (const step of steps) s = stepSequential(s, step, null);
  return s;
}

/** What a verdict of an error-rate test is judged with, fresh data and the floor of 100 (`samples` apart). */
export const ERROR_JUDGEMENT: Omit<SequentialJudgement, 'samples'> = {
  signal: 'error-rate',
  window: { start: 0, end: 1 },
  newestT: 1,
  now: 1,
  maxLagMs: 60_000,
  minSamples: 100,
  what: 'error rate',
  unavailable: null,
};
