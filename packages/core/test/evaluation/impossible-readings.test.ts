import { describe, expect, it } from 'vitest';
import type { ContractInput } from '../../src/contract/contract-schema';
import { parseContract } from '../../src/contract/parse-contract';
import { RollgateError } from '../../src/errors/rollgate-error';
import { Evaluator } from '../../src/evaluation/evaluator';
import { sanitize } from '../../src/evaluation/signal-reader';
import type { WatchState } from '../../src/evaluation/watch-state';
import { MemoryMetricSource, type StepData } from '../../src/testing/memory-source';
import { SimulatedClock } from '../../src/testing/simulated-clock';

/**
 * Issue 18, finding 1: impossible readings (a readiness of -1 or ±Inf, an infinite restart
 * count, a negative memory level or request count) decided rollbacks and promotions. A value
 * outside its measure's domain is no evidence either way: the verdict is `error`, naming it.
 */

const STEP = 5_000;
const START = 1_700_000_000_000;
const BASELINE_STEPS = 120;

function healthy(i: number): StepData {
  const requests = 95 + ((i * 7) % 11);
  return {
    requests,
    errors: i % 2 === 0 ? 1 : 0,
    latencyHistogram: [0, 0, 15, 50, requests - 65, 0, 0, 0, 0, 0, 0, 0],
    memory: 300e6 + ((i * 37) % 5) * 1e6,
    ready: 1,
    restarts: 0,
  };
}

function harness(
  contractInput: ContractInput,
  after: (i: number) => StepData,
  before = healthy,
  adapt: (source: MemoryMetricSource) => void = () => undefined,
) {
  const contract = parseContract(contractInput);
  const steps: StepData[] = [];
  for (let i = 0; i < BASELINE_STEPS; i++) steps.push(before(i));
  for (let i = 0; i < 200; i++) steps.push(after(BASELINE_STEPS + i));
  const deployAt = START + BASELINE_STEPS * STEP;
  const clock = new SimulatedClock(deployAt);
  const source = new MemoryMetricSource({ clock, startMs: START, stepMs: STEP, steps });
  adapt(source);
  const evaluator = new Evaluator({
    contract,
    sources: { default: source },
    clock,
    retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
  });
  let state: WatchState = evaluator.start(deployAt);
  const ctx = () => ({ signal: new AbortController().signal, deadline: clock.now() + 10_000 });
  return {
    evaluator,
    get state() {
      return state;
    },
    /** Runs until a decision; returns it with every evaluation's signal statuses. */
    async run(maxTicks = 200) {
      const seen: { status: string; reasons: string[] }[] = [];
      for (let i = 0; i < maxTicks; i++) {
        clock.advance(STEP);
        const r = await evaluator.evaluate(state, ctx());
        state = r.state;
        for (const s of r.evaluation.signals)
          seen.push({ status: s.status, reasons: s.verdicts.map((v) => v.reason) });
        if (r.evaluation.decision.type !== 'continue') return { decision: r.evaluation.decision, seen };
      }
      throw new Error('no decision');
    },
    ctx,
  };
}

const shortBake = {
  service: 'checkout',
  stepSeconds: 5,
  bakeSeconds: 60,
  warmupSeconds: 10,
  confirmation: { maxConsecutiveErrors: 4 },
} as const;

const healthSignal = {
  id: 'health',
  kind: 'health' as const,
  rules: [{ type: 'health' as const, minReady: 1, maxRestarts: 0 }],
  authoritative: true,
  windowSeconds: 30,
  minSamples: 1,
};

describe('impossible readings never decide', () => {
  for (const ready of [-1, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, 1.5]) {
    it(`readiness ${ready} after the deploy is an error naming it, never a breach or a pass`, async () => {
      const h = harness({ ...shortBake, signals: [healthSignal] }, (i) => ({ ...healthy(i), ready }));
      const { decision, seen } = await h.run();
      expect(seen.some((s) => s.status === 'breach' || s.status === 'pass')).toBe(false);
      expect(decision.type).toBe('escalate');
      const named =
        ready === Number.POSITIVE_INFINITY ? '+Inf' : ready === -Infinity ? '-Inf' : String(ready);
      const errors = seen.filter((s) => s.status === 'error');
      expect(errors.length).toBeGreaterThan(0);
      expect(errors[0]?.reasons.join(' ')).toContain(named);
    });
  }

  it('an infinite restart count is an error, and the release is not promoted', async () => {
    const h = harness({ ...shortBake, signals: [healthSignal] }, (i) => ({
      ...healthy(i),
      restarts: Number.POSITIVE_INFINITY,
    }));
    const { decision, seen } = await h.run();
    expect(decision.type).not.toBe('promote');
    expect(seen.some((s) => s.status === 'pass')).toBe(false);
    expect(seen.find((s) => s.status === 'error')?.reasons.join(' ')).toContain('+Inf');
  });

  it('a failed restarts read makes health an error; a source that has no restarts measure leaves readiness to judge', async () => {
    for (const [code, expected] of [
      ['SOURCE_UNAVAILABLE', 'error'],
      ['SOURCE_BAD_QUERY', 'pass'],
    ] as const) {
      const h = harness(
        { ...shortBake, signals: [healthSignal] },
        (i) => healthy(i),
        healthy,
        (source) => {
          const read = source.read.bind(source);
          source.read = async (request, ctx) =>
            request.query.measure === 'restarts'
              ? { status: 'error', error: new RollgateError(code, `restarts: ${code}`, { retryable: true }) }
              : read(request, ctx);
        },
      );
      const { seen } = await h.run();
      const judged = seen.filter((s) => s.status !== 'no-data');
      expect(judged.length, code).toBeGreaterThan(0);
      expect(
        judged.every((s) => s.status === expected),
        `${code}: ${JSON.stringify(judged[0])}`,
      ).toBe(true);
    }
  });

  it('a negative memory level is an error, not a pass', async () => {
    const h = harness(
      {
        ...shortBake,
        signals: [
          {
            id: 'memory',
            kind: 'resource' as const,
            resource: 'memory' as const,
            rules: [{ type: 'static' as const, max: 1e9 }],
            minSamples: 1,
          },
        ],
      },
      (i) => ({ ...healthy(i), memory: -5e6 }),
    );
    const { decision, seen } = await h.run();
    expect(decision.type).not.toBe('promote');
    expect(seen.some((s) => s.status === 'pass' || s.status === 'breach')).toBe(false);
    expect(seen.find((s) => s.status === 'error')?.reasons.join(' ')).toContain('-5');
  });

  it('negative error counts are an error for the sequential test, never a pass', async () => {
    const h = harness(
      {
        ...shortBake,
        signals: [
          {
            id: 'errors',
            kind: 'error-rate' as const,
            rules: [{ type: 'sequential' as const, test: 'baseline' as const }],
            minSamples: 10,
          },
        ],
      },
      (i) => ({ ...healthy(i), errors: -3 }),
    );
    const { decision, seen } = await h.run();
    expect(decision.type).not.toBe('promote');
    expect(seen.some((s) => s.status === 'pass' || s.status === 'breach')).toBe(false);
    expect(seen.find((s) => s.status === 'error')?.reasons.join(' ')).toContain('-3');
  });

  it('a latency quantile of +Inf is an error, not a breach', async () => {
    const h = harness(
      {
        ...shortBake,
        signals: [
          {
            id: 'p99',
            kind: 'latency' as const,
            rules: [{ type: 'static' as const, max: 500 }],
            minSamples: 10,
          },
        ],
      },
      (i) => {
        const { latencyHistogram: _, ...rest } = healthy(i);
        return { ...rest, latencyP99Ms: Number.POSITIVE_INFINITY };
      },
      (i) => {
        const { latencyHistogram: _, ...rest } = healthy(i);
        return { ...rest, latencyP99Ms: 80 };
      },
    );
    const { seen } = await h.run();
    expect(seen.some((s) => s.status === 'breach' || s.status === 'pass')).toBe(false);
    expect(seen.find((s) => s.status === 'error')?.reasons.join(' ')).toContain('+Inf');
  });

  it('readiness of -Inf before the deploy does not route an incident: the onset is unknown', async () => {
    const h = harness(
      { ...shortBake, signals: [healthSignal] },
      (i) => ({ ...healthy(i), ready: 0.5 }),
      (i) => ({ ...healthy(i), ready: i > BASELINE_STEPS - 20 ? Number.NEGATIVE_INFINITY : 1 }),
    );
    const { decision } = await h.run();
    expect(decision.type).toBe('breach');
    const finding = await h.evaluator.findOnset(h.state, 'health', undefined, h.ctx());
    expect(finding.preexisting).toBe(false);
    expect(finding.status).toBe('unknown');
    expect(finding.reason).toContain('-Inf');
  });
});

describe('the reader applies each measure domain', () => {
  const read = (v: number) => ({
    status: 'ok' as const,
    series: [{ labels: {}, samples: [{ t: 1000, v }] }],
  });
  it.each([
    [{ measure: 'ready' as const, selector: {} }, -1],
    [{ measure: 'ready' as const, selector: {} }, 1.2],
    [{ measure: 'ready' as const, selector: {} }, Number.NEGATIVE_INFINITY],
    [{ measure: 'requests' as const, selector: {} }, -1],
    [{ measure: 'restarts' as const, selector: {} }, Number.POSITIVE_INFINITY],
    [{ measure: 'memory' as const, selector: {} }, -1],
    [{ measure: 'cpu' as const, selector: {} }, Number.POSITIVE_INFINITY],
    [{ measure: 'latency-quantile' as const, selector: {}, quantile: 0.99 }, -2],
    [{ measure: 'raw' as const, query: 'x', valueType: 'count' as const }, -4],
    [{ measure: 'raw' as const, query: 'x', valueType: 'gauge' as const }, Number.POSITIVE_INFINITY],
  ])('%o: %d is a SOURCE_BAD_RESPONSE naming the value', (query, v) => {
    const result = sanitize(read(v), query);
    expect(result.status).toBe('error');
    if (result.status !== 'error') return;
    expect(result.error.code).toBe('SOURCE_BAD_RESPONSE');
    expect(result.error.message).toContain(query.measure);
  });

  it('keeps in-domain values, including a negative raw gauge', () => {
    expect(sanitize(read(0.5), { measure: 'ready', selector: {} }).status).toBe('ok');
    expect(sanitize(read(-3), { measure: 'raw', query: 'x', valueType: 'gauge' }).status).toBe('ok');
    expect(sanitize(read(0), { measure: 'errors', selector: {} }).status).toBe('ok');
  });
});
