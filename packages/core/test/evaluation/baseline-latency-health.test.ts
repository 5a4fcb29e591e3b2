import { describe, expect, it } from 'vitest';
import { defaultContract } from '../../src/contract/default-contract';
import { parseContract } from '../../src/contract/parse-contract';
import { Evaluator } from '../../src/evaluation/evaluator';
import { MemoryMetricSource, type StepData } from '../../src/testing/memory-source';
import { SimulatedClock } from '../../src/testing/simulated-clock';

const STEP = 5_000;
const START = 1_700_000_000_000;
const BASELINE_STEPS = 360;

/** ~100 requests per 5 s; p99 in the (50, 100] ms bucket, one request over 100 ms every 50 steps. */
function healthy(i: number, slowEvery = 50): StepData {
  const requests = 95 + ((i * 7) % 11);
  const slow = slowEvery > 0 && i % slowEvery === 0 ? 1 : 0;
  return {
    requests,
    errors: i % 2 === 0 ? 1 : 0,
    latencyHistogram: [0, 0, 15, 50, requests - 65 - slow, slow, 0, 0, 0, 0, 0, 0],
    memory: 300e6,
    ready: 1,
    restarts: 0,
  };
}

/** A latency incident: 90% of requests in the (100, 250] ms bucket, none slower. */
function slowed(i: number): StepData {
  const step = healthy(i);
  return { ...step, latencyHistogram: [0, 0, 2, 3, 5, (step.requests ?? 0) - 10, 0, 0, 0, 0, 0, 0] };
}

/** A load surge: `load` times the requests, `slowShare` of them in the (100, 250] ms bucket. */
function surging(i: number, load: number, slowShare: number): StepData {
  const step = healthy(i, 0);
  const requests = Math.round((step.requests ?? 0) * load);
  const slow = Math.round(requests * slowShare);
  return {
    ...step,
    requests,
    latencyHistogram: [0, 0, 15, 50, requests - 65 - slow, slow, 0, 0, 0, 0, 0, 0],
  };
}

async function baselineOf(incidentSteps: number, slowEvery = 50, incident: (i: number) => StepData = slowed) {
  const steps: StepData[] = [];
  for (let i = 0; i < BASELINE_STEPS; i++)
    steps.push(i >= BASELINE_STEPS - incidentSteps ? incident(i) : healthy(i, slowEvery));
  for (let i = 0; i < 40; i++) steps.push(healthy(BASELINE_STEPS + i));
  const deployAt = START + BASELINE_STEPS * STEP;
  const clock = new SimulatedClock(deployAt);
  const source = new MemoryMetricSource({ clock, startMs: START, stepMs: STEP, steps });
  const contract = parseContract({
    service: 'checkout',
    stepSeconds: 5,
    bakeSeconds: 120,
    warmupSeconds: 30,
    signals: defaultContract('x').signals,
  });
  const evaluator = new Evaluator({
    contract,
    sources: { default: source },
    clock,
    retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
  });
  const state = await evaluator.takeBaseline(evaluator.start(deployAt), {
    signal: new AbortController().signal,
    deadline: clock.now() + 10_000,
  });
  return state.baseline?.signals['latency-p99'];
}

describe('the baseline health check of a latency signal', () => {
  it('sees a latency incident that lifted the whole window p99 past its own tail, at the older half’s threshold', async () => {
    // 80 of 360 steps at 90% over 100 ms put the window's p99 in (100, 250]: over 250 ms there is
    // no request at all, so the check at that threshold sees nothing; at 100 ms (the older half's
    // p99 bucket) the incident is 90% against 0.02%.
    const latency = await baselineOf(80);
    expect(latency?.status).toBe('ok');
    expect(latency?.health?.status).toBe('unhealthy');
    expect(latency?.health?.episode?.ongoing).toBe(true);
    expect(latency?.exceedanceThresholdMs).toBe(100);
    expect(latency?.health?.reason).toMatch(
      /^baseline unhealthy: .* slower than 100 ms since .* still at the deploy/,
    );
  });

  it('reads no episode in a load surge that began 2 min before the deploy: load is no incident', async () => {
    // The last 24 steps at 3x the traffic, 3% of requests over 100 ms (queueing): an elevated
    // stretch of slow requests, but under traffic the window spent under a tenth of its time at.
    const surge = await baselineOf(24, 50, (i) => surging(i, 3, 0.03));
    expect(surge?.health?.status, surge?.health?.reason).toBe('healthy');
    // The same slow share at the usual traffic is an episode still going at the deploy.
    const episode = await baselineOf(24, 50, (i) => surging(i, 1, 0.03));
    expect(episode?.health?.status).toBe('unhealthy');
    expect(episode?.health?.episode?.ongoing).toBe(true);
  });

  it('keeps the whole window’s threshold and calls it healthy when nothing changed', async () => {
    const latency = await baselineOf(0);
    expect(latency?.health?.status).toBe('healthy');
    expect(latency?.exceedanceThresholdMs).toBe(100);
  });
});
