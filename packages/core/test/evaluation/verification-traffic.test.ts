import { describe, expect, it } from 'vitest';
import { defaultContract } from '../../src/contract/default-contract';
import { parseContract } from '../../src/contract/parse-contract';
import type { StepData } from '../../src/testing/memory-source';
import { BASELINE_STEPS, healthyStep, replayEvaluator, STEP } from './run-watch';

/** Requests per step at `rps` (deterministic: a request every 1/rps seconds). */
const perStep = (rps: number) => (i: number) => Math.floor((i + 1) * 5 * rps) - Math.floor(i * 5 * rps);

async function watch(purpose: 'bake' | 'verify', rps: number, errorRate = 0) {
  const contract = parseContract({
    ...defaultContract('checkout'),
    stepSeconds: 5,
    bakeSeconds: 120,
    warmupSeconds: 15,
  });
  const n = perStep(rps);
  const steps: StepData[] = [];
  for (let i = 0; i < BASELINE_STEPS + 200; i++) {
    const requests = n(i);
    const step = healthyStep(i, requests);
    steps.push(
      i >= BASELINE_STEPS && errorRate > 0 ? { ...step, errors: Math.round(requests * errorRate) } : step,
    );
  }
  const { deployAt, clock, evaluator } = replayEvaluator(contract, steps);
  // The verification judges against the bake's baseline (taken by the bake's first evaluation).
  const ctx = () => ({ signal: new AbortController().signal, deadline: clock.now() + 10_000 });
  const bake = await evaluator.evaluate(evaluator.start(deployAt), ctx());
  let state =
    purpose === 'bake'
      ? evaluator.start(deployAt)
      : evaluator.start(deployAt, { purpose, baseline: bake.state.baseline });
  const timeline: { at: number; type: string; reason: string }[] = [];
  for (let k = 0; k < 200; k++) {
    clock.advance(STEP);
    const r = await evaluator.evaluate(state, {
      signal: new AbortController().signal,
      deadline: clock.now() + 10_000,
    });
    state = r.state;
    const d = r.evaluation.decision;
    timeline.push({ at: (r.evaluation.at - deployAt) / 1000, type: d.type, reason: d.reason });
    if (d.type !== 'continue')
      return { decision: d, at: (r.evaluation.at - deployAt) / 1000, timeline, contract };
  }
  throw new Error(`no decision: ${JSON.stringify(timeline.slice(-3))}`);
}

describe('verification while traffic is too low to tell', () => {
  it('extends the window while only traffic is missing, and says it is waiting for traffic', async () => {
    // 0.5 req/s: 60 requests in the 120 s window, below the floor of 100; 200 s give 100.
    const r = await watch('verify', 0.5);
    const waiting = r.timeline.filter((e) => e.type === 'continue' && e.at >= 120);
    expect(waiting.length, JSON.stringify(r.decision)).toBeGreaterThan(0);
    expect(waiting[0]?.reason).toMatch(/^waiting for traffic \(up to \d+ s more\): .*of 100 samples/);
    expect(r.decision.type).toBe('promote');
    expect(r.at).toBeGreaterThan(120);
    expect(r.at).toBeLessThanOrEqual(r.contract.verification.maxWindowSeconds);
  });

  it('ends as "not enough traffic", flagged as such, at the contract bound', async () => {
    // 0.1 req/s: 60 requests in 600 s, never the floor of 100.
    const r = await watch('verify', 0.1);
    expect(r.at).toBe(r.contract.verification.maxWindowSeconds);
    expect(r.decision.type).toBe('inconclusive');
    if (r.decision.type !== 'inconclusive') throw new Error('unreachable');
    expect(r.decision.insufficientTraffic).toBe(true);
    expect(r.decision.reason).toMatch(/^not enough traffic at the end of the verification window/);
  });

  it('does not extend a bake: a bake ends at its length, inconclusive', async () => {
    const r = await watch('bake', 0.1);
    expect(r.at).toBe(120);
    expect(r.decision.type).toBe('inconclusive');
  });

  it('does not wait out a breach on the restored artifact: overwhelming evidence is not held by the floor', async () => {
    // 0.5 req/s with half the requests failing against a clean baseline.
    const r = await watch('verify', 0.5, 0.5);
    expect(r.decision.type).toBe('breach');
    expect(r.at).toBeLessThan(r.contract.verification.maxWindowSeconds);
  });
});

describe('verification.maxWindowSeconds', () => {
  it('must be at least windowSeconds, with an error naming the field', () => {
    expect(() =>
      parseContract({ ...defaultContract('x'), verification: { windowSeconds: 300, maxWindowSeconds: 200 } }),
    ).toThrow(/maxWindowSeconds \(200\) must be at least windowSeconds \(300\)/);
    expect(parseContract(defaultContract('x')).verification).toEqual({
      windowSeconds: 120,
      maxWindowSeconds: 600,
    });
  });
});
