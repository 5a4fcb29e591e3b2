import type { Contract } from '../../src/contract/contract-schema';
import { defaultContract } from '../../src/contract/default-contract';
import { parseContract } from '../../src/contract/parse-contract';
import type { Decision } from '../../src/evaluation/confirmation';
import { Evaluator } from '../../src/evaluation/evaluator';
import type { SignalSummary, WatchState } from '../../src/evaluation/watch-state';
import { MemoryMetricSource, type StepData } from '../../src/testing/memory-source';
import { SimulatedClock } from '../../src/testing/simulated-clock';

/** 5 s steps, 30 minutes of baseline before the deploy. */
export const STEP = 5_000;
/** The epoch ms of the first baseline step. */
export const START = 1_700_000_000_000;
export const BASELINE_STEPS = 360;

/** A healthy step: `requests` requests, none failing or slow, memory 300-304 MB. */
export function healthyStep(i: number, requests: number): StepData {
  return {
    requests,
    errors: 0,
    latencyHistogram: [0, 0, 0, requests, 0, 0, 0, 0, 0, 0, 0, 0],
    memory: 300e6 + ((i * 37) % 5) * 1e6,
    ready: 1,
    restarts: 0,
  };
}

/** `requests` a step, `slow` of them above the 50 ms bucket (in 250 ms), `errors` failing. */
export function slowStep(i: number, requests: number, slow: number, errors = 0): StepData {
  return {
    ...healthyStep(i, requests),
    errors,
    latencyHistogram: [0, 0, 0, requests - slow, 0, slow, 0, 0, 0, 0, 0, 0],
  };
}

/**
 * An evaluator of `contract` reading `steps` from an in-memory source (the baseline's first, so
 * the deploy is at step BASELINE_STEPS), its simulated clock at the deploy, reads not retried.
 */
export function replayEvaluator(contract: Contract, steps: readonly StepData[], stepMs = STEP) {
  const deployAt = START + BASELINE_STEPS * stepMs;
  const clock = new SimulatedClock(deployAt);
  const source = new MemoryMetricSource({ clock, startMs: START, stepMs, steps });
  const evaluator = new Evaluator({
    contract,
    sources: { default: source },
    clock,
    retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
  });
  return { deployAt, clock, source, evaluator };
}

/**
 * Runs a bake or a verification watch of the default contract over `steps` (baseline first,
 * then `steps[BASELINE_STEPS + k]` is the k-th step after the deploy) until a decision.
 */
export async function runWatch(
  steps: readonly StepData[],
  options: {
    purpose?: 'bake' | 'verify';
    bakeSeconds?: number /** Default {@link STEP}. */;
    stepMs?: number;
    /** The contract's `holdQuietColdStartErrors` (default false). */
    holdQuietColdStartErrors?: boolean;
  } = {},
): Promise<{
  decision: Decision;
  at: number;
  timeline: { at: number; type: string; reason: string; signals: readonly SignalSummary[] }[];
}> {
  const stepMs = options.stepMs ?? STEP;
  const contract = parseContract({
    ...defaultContract('checkout'),
    stepSeconds: stepMs / 1000,
    bakeSeconds: options.bakeSeconds ?? 600,
    warmupSeconds: 15,
    holdQuietColdStartErrors: options.holdQuietColdStartErrors ?? false,
  });
  const { deployAt, clock, evaluator } = replayEvaluator(contract, [...steps], stepMs);
  const ctx = () => ({ signal: new AbortController().signal, deadline: clock.now() + 10_000 });
  const purpose = options.purpose ?? 'bake';
  const bake = await evaluator.evaluate(evaluator.start(deployAt), ctx());
  let state =
    purpose === 'bake'
      ? evaluator.start(deployAt)
      : evaluator.start(deployAt, { purpose, baseline: bake.state.baseline });
  const timeline: { at: number; type: string; reason: string; signals: readonly SignalSummary[] }[] = [];
  for (let k = 0; k < 400; k++) {
    clock.advance(stepMs);
    const r = await evaluator.evaluate(state, ctx());
    state = r.state;
    const d = r.evaluation.decision;
    const at = (r.evaluation.at - deployAt) / 1000;
    timeline.push({ at, type: d.type, reason: d.reason, signals: r.evaluation.signals });
    if (d.type !== 'continue') return { decision: d, at, timeline };
  }
  throw new Error(`no decision: ${JSON.stringify(timeline.slice(-2).map((e) => e.reason))}`);
}

/**
 * A bake of the default contract with a 30 s warm-up and a 600 s bake: the baseline steps
 * `baseline(i)`, then `after(k)` for the k-th step after the deploy, evaluated until a decision.
 * Returns the deciding evaluation, the watch state then, and its time since the deploy.
 */
export async function bakeWarm(baseline: (i: number) => StepData, after: (k: number) => StepData) {
  const contract = parseContract({ ...defaultContract('checkout'), bakeSeconds: 600, warmupSeconds: 30 });
  const steps: StepData[] = [];
  for (let i = 0; i < BASELINE_STEPS; i++) steps.push(baseline(i));
  for (let k = 0; k < 130; k++) steps.push(after(k));
  const { deployAt, clock, evaluator } = replayEvaluator(contract, steps);
  let state: WatchState = evaluator.start(deployAt);
  for (let k = 0; k < 120; k++) {
    clock.advance(STEP);
    const r = await evaluator.evaluate(state, {
      signal: new AbortController().signal,
      deadline: clock.now() + 10_000,
    });
    state = r.state;
    if (r.evaluation.decision.type !== 'continue') {
      return { evaluation: r.evaluation, state, seconds: (r.evaluation.at - deployAt) / 1000 };
    }
  }
  throw new Error('no decision');
}

/**
 * A window and bake of `requests` a step, failing `before` of them, then `after` from bake step
 * `faultAt` on (rounded by a running sum, so the rate is exact).
 */
export function steadyErrors(requests: number, before: number, after: number, faultAt: number): StepData[] {
  const steps: StepData[] = [];
  let owed = 0;
  for (let i = 0; i < BASELINE_STEPS + 200; i++) {
    const p = i - BASELINE_STEPS >= faultAt ? after : before;
    owed += requests * p;
    const errors = Math.floor(owed);
    owed -= errors;
    steps.push({ ...healthyStep(i, requests), errors });
  }
  return steps;
}
