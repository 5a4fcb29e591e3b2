import { describe, expect, it } from 'vitest';
import type { ContractInput } from '../../src/contract/contract-schema';
import { defaultContract } from '../../src/contract/default-contract';
import { parseContract } from '../../src/contract/parse-contract';
import { RollgateError } from '../../src/errors/rollgate-error';
import { Evaluator } from '../../src/evaluation/evaluator';
import type { WatchState } from '../../src/evaluation/watch-state';
import type { MetricRequest } from '../../src/ports/metric-source';
import { MemoryMetricSource, type StepData } from '../../src/testing/memory-source';
import { SimulatedClock } from '../../src/testing/simulated-clock';
import { BASELINE_STEPS, replayEvaluator, START, STEP } from './run-watch';

/** Healthy steps: ~100 requests per 5 s, 0.5% errors (deterministic pattern), 40-120 ms. */
function healthy(i: number, extra: Partial<StepData> = {}): StepData {
  const requests = 95 + ((i * 7) % 11);
  const errors = i % 2 === 0 ? 1 : 0;
  return {
    requests,
    errors,
    latencyHistogram: [0, 0, 15, 50, requests - 65, 0, 0, 0, 0, 0, 0, 0],
    memory: 300e6 + ((i * 37) % 5) * 1e6,
    ready: 1,
    restarts: 0,
    ...extra,
  };
}

interface Harness {
  clock: SimulatedClock;
  source: MemoryMetricSource;
  evaluator: Evaluator;
  state: WatchState;
  deployAt: number;
  tick(): Promise<Awaited<ReturnType<Evaluator['evaluate']>>['evaluation']>;
  runUntilDecision(maxTicks?: number): Promise<Awaited<ReturnType<Evaluator['evaluate']>>['evaluation']>;
}

function harness(
  contractInput: ContractInput,
  after: (i: number) => StepData,
  options: { bakeSteps?: number } = {},
): Harness {
  const contract = parseContract(contractInput);
  const bakeSteps = options.bakeSteps ?? Math.ceil(contract.bakeSeconds / contract.stepSeconds) + 10;
  const steps: StepData[] = [];
  for (let i = 0; i < BASELINE_STEPS; i++) steps.push(healthy(i));
  for (let i = 0; i < bakeSteps; i++) steps.push(after(i));
  const { deployAt, clock, source, evaluator } = replayEvaluator(contract, steps);
  const h: Harness = {
    clock,
    source,
    evaluator,
    state: evaluator.start(deployAt),
    deployAt,
    async tick() {
      clock.advance(STEP);
      const r = await evaluator.evaluate(h.state, {
        signal: new AbortController().signal,
        deadline: clock.now() + 10_000,
      });
      h.state = r.state;
      return r.evaluation;
    },
    async runUntilDecision(maxTicks = 1_000) {
      for (let i = 0; i < maxTicks; i++) {
        const e = await h.tick();
        if (e.decision.type !== 'continue') return e;
      }
      throw new Error('no decision');
    },
  };
  return h;
}

const base = { service: 'checkout', stepSeconds: 5, bakeSeconds: 120, warmupSeconds: 30 } as const;

describe('Evaluator', () => {
  it('promotes a healthy version at the end of the bake with every signal passing', async () => {
    const h = harness({ ...base, signals: defaultContract('x').signals }, (i) => healthy(BASELINE_STEPS + i));
    const e = await h.runUntilDecision();
    expect(e.decision.type).toBe('promote');
    expect(e.at - h.deployAt).toBe(120_000);
    expect(e.signals.map((s) => s.status)).toEqual(['pass', 'pass', 'pass', 'pass']);
  });

  it('confirms an error-rate regression that starts after a clean warm-up within two steps, with the statistic', async () => {
    const h = harness({ ...base, signals: defaultContract('x').signals }, (i) => {
      const s = healthy(BASELINE_STEPS + i);
      return i >= 8 ? { ...s, errors: Math.round((s.requests ?? 0) * 0.05) } : s;
    });
    const e = await h.runUntilDecision();
    expect(e.decision.type).toBe('breach');
    // The fault's first interval ends 45 s after the deploy; two more steps at most.
    expect(e.at - h.deployAt).toBeLessThanOrEqual(55_000);
    if (e.decision.type !== 'breach') throw new Error('unreachable');
    expect(e.decision.signals).toEqual(['error-rate']);
    const v = e.decision.evidence[0];
    expect(v?.rule).toBe('sequential');
    expect(v?.statistic?.name).toBe('log-e-value');
    expect(v?.statistic?.value).toBeGreaterThanOrEqual(v?.statistic?.threshold ?? Number.POSITIVE_INFINITY);
    // Cumulative since the warm-up (clean steps included): well above the 0.5% baseline.
    expect(v?.value).toBeGreaterThan(0.01);
    expect(v?.samples).toBeGreaterThan(0);
  });

  it('confirms an error regression from the first request right after the warm-up when latency is normal', async () => {
    const h = harness({ ...base, warmupSeconds: 15, signals: defaultContract('x').signals }, (i) => {
      const s = healthy(BASELINE_STEPS + i);
      return { ...s, errors: Math.round((s.requests ?? 0) * 0.05) };
    });
    // A third of the requests are slower than the cold-start bound here: a cold start shows as the
    // faster ones growing fewer, and a first step with as many as the baseline rules it out at once
    // (rules/cold-start.ts smallestColdStart; before, nothing that share was ever ruled out early).
    const first = await h.tick();
    expect(first.warmingUp).toBe(true);
    expect(h.state.coldStart).toBe(false);
    expect(h.state.coldStartReason).toMatch(/^no cold start: latency-p99 .* in the first 5 s$/);
    expect(first.signals[0]?.verdicts[0]?.reason).toContain('below the floor of 100');
    const e = await h.runUntilDecision();
    expect(e.decision.type).toBe('breach');
    expect(h.state.coldStart).toBe(false);
    expect(e.at - h.deployAt).toBeLessThanOrEqual(10_000);
  });

  it('holds count signals through a cold start recognised by its latency, then confirms a persisting fault', async () => {
    const h = harness({ ...base, signals: defaultContract('x').signals }, (i) => ({
      ...healthy(BASELINE_STEPS + i),
      errors: 8,
      latencyHistogram: [0, 0, 0, 10, 30, 40, 15, 5, 0, 0, 0, 0],
    }));
    const reasons: string[] = [];
    let e = await h.tick();
    while (e.decision.type === 'continue') {
      reasons.push(e.signals[0]?.verdicts[0]?.reason ?? '');
      e = await h.tick();
    }
    expect(h.state.coldStart).toBe(true);
    expect(reasons.some((r) => r.startsWith('held: cold start:'))).toBe(true);
    expect(e.decision.type).toBe('breach');
    expect(e.at - h.deployAt).toBeGreaterThan(60_000);
    expect(e.at - h.deployAt).toBeLessThanOrEqual(75_000);
  });

  it('does not roll back a cold start that lasts longer than the warm-up but less than coldStartSeconds', async () => {
    const h = harness({ ...base, signals: defaultContract('x').signals }, (i) => {
      const s = healthy(BASELINE_STEPS + i);
      if (i >= 9) return s;
      return { ...s, errors: 4, latencyHistogram: [0, 0, 0, 10, 30, 40, 15, 5, 0, 0, 0, 0] };
    });
    const e = await h.runUntilDecision();
    expect(e.decision.type).toBe('promote');
  });

  it('excludes the warm-up: a cold start that ends in time is not a breach', async () => {
    const h = harness({ ...base, signals: defaultContract('x').signals }, (i) => {
      const s = healthy(BASELINE_STEPS + i);
      if (i >= 6) return s;
      return { ...s, errors: 8, latencyHistogram: [0, 0, 0, 10, 30, 40, 15, 5, 0, 0, 0, 0] };
    });
    const first = await h.tick();
    expect(first.warmingUp).toBe(true);
    expect(first.signals[0]?.verdicts[0]?.reason).toContain('warming up');
    const e = await h.runUntilDecision();
    expect(e.decision.type).toBe('promote');
  });

  it('never promotes on no-data: a silent source ends inconclusive', async () => {
    const contract = {
      ...base,
      signals: [
        {
          id: 'errors',
          kind: 'error-rate' as const,
          rules: [{ type: 'static' as const, max: 0.05 }],
          minSamples: 10,
        },
      ],
    };
    const h = harness(contract, () => ({}));
    const e = await h.runUntilDecision();
    expect(e.decision.type).toBe('inconclusive');
    if (e.decision.type === 'inconclusive') expect(e.decision.missing).toEqual(['errors']);
  });

  it('holds on source errors and escalates after maxConsecutiveErrors', async () => {
    const contract = {
      ...base,
      confirmation: { maxConsecutiveErrors: 3 },
      signals: [
        { id: 'errors', kind: 'error-rate' as const, rules: [{ type: 'static' as const, max: 0.05 }] },
      ],
    };
    const h = harness(contract, (i) => healthy(BASELINE_STEPS + i));
    for (let i = 0; i < 7; i++) await h.tick();
    const failure = new RollgateError('SOURCE_UNAVAILABLE', 'Prometheus answered 503', { retryable: true });
    h.source.failNext({ status: 'error', error: failure }, 100);
    const a = await h.tick();
    expect(a.decision.type).toBe('continue');
    expect(a.signals[0]?.status).toBe('error');
    await h.tick();
    const c = await h.tick();
    expect(c.decision.type).toBe('escalate');
    expect(c.decision.reason).toContain('3 evaluations in a row');
  });

  it('requires a sustained breach for N consecutive evaluations', async () => {
    const contract = {
      ...base,
      signals: [
        {
          id: 'errors',
          kind: 'error-rate' as const,
          rules: [{ type: 'static' as const, max: 0.05 }],
          windowSeconds: 5,
          sustain: { evaluations: 3 },
        },
      ],
    };
    const h = harness(contract, (i) => {
      const s = healthy(BASELINE_STEPS + i);
      return i >= 7 ? { ...s, errors: 20 } : s;
    });
    const decisions: string[] = [];
    for (let i = 0; i < 11; i++) decisions.push((await h.tick()).decision.type);
    // Interval 7 (35-40 s) is the first bad one, judged at tick 7 (40 s): breaching at ticks 7, 8
    // and 9, confirmed at 9.
    expect(decisions.slice(0, 9).every((d) => d === 'continue')).toBe(true);
    expect(decisions[9]).toBe('breach');
  });

  it('applies k-of-n, and lets an authoritative signal confirm alone', async () => {
    const signals = [
      {
        id: 'errors',
        kind: 'error-rate' as const,
        rules: [{ type: 'static' as const, max: 0.05 }],
        windowSeconds: 5,
      },
      {
        id: 'p99',
        kind: 'latency' as const,
        rules: [{ type: 'static' as const, max: 1000 }],
        windowSeconds: 5,
      },
      { id: 'health', kind: 'health' as const, rules: [{ type: 'health' as const }], authoritative: false },
    ];
    const bad = (i: number) => ({ ...healthy(BASELINE_STEPS + i), errors: 30 });
    const two = harness({ ...base, confirmation: { k: 2 }, signals }, bad);
    for (let i = 0; i < 10; i++) expect((await two.tick()).decision.type).toBe('continue');

    const withHealth = harness(
      {
        ...base,
        confirmation: { k: 2 },
        signals: [
          ...signals.slice(0, 2),
          {
            id: 'health',
            kind: 'health' as const,
            rules: [{ type: 'health' as const }],
            authoritative: true,
          },
        ],
      },
      (i) => ({
        ...healthy(BASELINE_STEPS + i),
        ready: 0.5,
      }),
    );
    const e = await withHealth.runUntilDecision();
    expect(e.decision.type).toBe('breach');
    if (e.decision.type === 'breach') {
      expect(e.decision.signals).toEqual(['health']);
      expect(e.decision.reason).toContain('authoritative');
    }
  });

  it('reports stale data as no-data', async () => {
    const contract = {
      ...base,
      signals: [
        {
          id: 'mem',
          kind: 'resource' as const,
          rules: [{ type: 'static' as const, max: 1e12 }],
          maxLagSeconds: 15,
        },
      ],
    };
    const h = harness(contract, (i) => (i < 10 ? healthy(BASELINE_STEPS + i) : {}));
    for (let i = 0; i < 10; i++) await h.tick();
    let last = await h.tick();
    for (let i = 0; i < 3; i++) last = await h.tick();
    expect(last.signals[0]?.status).toBe('no-data');
    expect(last.signals[0]?.verdicts[0]?.reason).toMatch(/stale|no samples/);
  });

  it('finds a failure confined to one segment that the aggregate averages away', async () => {
    const contract = {
      ...base,
      signals: [
        {
          id: 'errors',
          kind: 'error-rate' as const,
          rules: [{ type: 'sequential' as const }],
          segments: { by: 'browser', minSamples: 20 },
        },
      ],
    };
    const clock = new SimulatedClock(START + BASELINE_STEPS * STEP);
    const total = BASELINE_STEPS + 40;
    const chrome: StepData[] = [];
    const safari: StepData[] = [];
    const all: StepData[] = [];
    for (let i = 0; i < total; i++) {
      const bad = i >= BASELINE_STEPS + 8;
      const c = { requests: 97, errors: i % 2 === 0 ? 1 : 0 };
      const s = { requests: 3, errors: bad ? 1 : 0 };
      chrome.push(c);
      safari.push(s);
      all.push({ requests: 100, errors: (c.errors ?? 0) + (s.errors ?? 0) });
    }
    const source = new MemoryMetricSource({
      clock,
      startMs: START,
      stepMs: STEP,
      steps: all,
      segments: { label: 'browser', values: { chrome, safari } },
    });
    const evaluator = new Evaluator({
      contract: parseContract(contract),
      sources: { default: source },
      clock,
    });
    let state = evaluator.start(clock.now());
    let decision = '';
    let segment: string | undefined;
    for (let i = 0; i < 30 && decision !== 'breach'; i++) {
      clock.advance(STEP);
      const r = await evaluator.evaluate(state, {
        signal: new AbortController().signal,
        deadline: clock.now() + 10_000,
      });
      state = r.state;
      decision = r.evaluation.decision.type;
      if (r.evaluation.decision.type === 'breach') segment = r.evaluation.decision.evidence[0]?.segment;
    }
    expect(decision).toBe('breach');
    expect(segment).toBe('browser=safari');
  });

  it('takes the baseline only from reads that end at the deploy', async () => {
    const h = harness({ ...base, signals: defaultContract('x').signals }, (i) => healthy(BASELINE_STEPS + i));
    const requests: MetricRequest[] = [];
    const read = h.source.read.bind(h.source);
    h.source.read = (request, ctx) => {
      requests.push(request);
      return read(request, ctx);
    };
    const state = await h.evaluator.takeBaseline(h.state, {
      signal: new AbortController().signal,
      deadline: h.clock.now() + 10_000,
    });
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.every((r) => r.end <= h.deployAt)).toBe(true);
    expect(state.baseline?.signals['error-rate']?.status).toBe('ok');
    // Baseline p99 falls in the (50, 100] bucket: the threshold is its upper bound.
    expect(state.baseline?.signals['latency-p99']?.exceedanceThresholdMs).toBe(100);
  });

  it('keeps evaluating when a listener throws', async () => {
    const h = harness({ ...base, signals: defaultContract('x').signals }, (i) => healthy(BASELINE_STEPS + i));
    let calls = 0;
    h.evaluator.events.on('evaluation', () => {
      calls++;
      throw new Error('listener bug');
    });
    h.evaluator.events.on('evaluation', () => {
      calls++;
    });
    const e = await h.runUntilDecision();
    expect(e.decision.type).toBe('promote');
    expect(calls).toBeGreaterThan(20);
  });

  it('keeps its state bounded and JSON round-trippable', async () => {
    const h = harness(
      { ...base, bakeSeconds: 3_600, signals: defaultContract('x').signals },
      (i) => healthy(BASELINE_STEPS + i),
      {
        bakeSteps: 800,
      },
    );
    const sizes: number[] = [];
    for (let i = 0; i < 700; i++) {
      await h.tick();
      if (i % 100 === 99) sizes.push(JSON.stringify(h.state).length);
    }
    expect(Math.max(...sizes.slice(1)) - Math.min(...sizes.slice(1))).toBeLessThan(2_000);
    expect(JSON.parse(JSON.stringify(h.state))).toEqual(h.state);
  });
});
