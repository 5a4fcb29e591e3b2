import { describe, expect, it } from 'vitest';
import { defaultContract } from '../../src/contract/default-contract';
import { RollgateError } from '../../src/errors/rollgate-error';
import { Evaluator } from '../../src/evaluation/evaluator';
import { preflightSignals } from '../../src/evaluation/preflight';
import type { MetricRequest, MetricSource } from '../../src/ports/metric-source';
import { MemoryMetricSource, type StepData } from '../../src/testing/memory-source';
import { SimulatedClock } from '../../src/testing/simulated-clock';

const STEP = 5_000;
const START = 1_700_000_000_000;
const STEPS = 400;

function healthy(i: number): StepData {
  return {
    requests: 100,
    errors: i % 3 === 0 ? 1 : 0,
    latencyHistogram: [0, 0, 20, 50, 30, 0, 0, 0, 0, 0, 0, 0],
    memory: 300e6,
    ready: 1,
    restarts: 0,
  };
}

function setup(steps: (i: number) => StepData = healthy) {
  const clock = new SimulatedClock(START + STEPS * STEP);
  const source = new MemoryMetricSource({
    clock,
    startMs: START,
    stepMs: STEP,
    steps: Array.from({ length: STEPS + 200 }, (_, i) => steps(i)),
  });
  const requests: MetricRequest[] = [];
  const recording: MetricSource = {
    name: source.name,
    read: (request, ctx) => {
      requests.push(request);
      return source.read(request, ctx);
    },
    describe: (request) => source.describe(request),
    dispose: () => source.dispose(),
  };
  return { clock, source, recording, requests };
}

const ctx = () => ({ signal: new AbortController().signal, deadline: Number.POSITIVE_INFINITY });

describe('preflightSignals', () => {
  it('reads every query of every signal once over the baseline window ending now', async () => {
    const { clock, recording, requests } = setup();
    const contract = defaultContract('checkout');
    const report = await preflightSignals({ contract, sources: { default: recording }, clock }, ctx());
    expect(report.failed).toEqual([]);
    expect(report.noData).toBe(false);
    expect(report.signals.map((s) => [s.signal, s.status, s.reads.map((r) => r.measure)])).toEqual([
      ['error-rate', 'ok', ['requests', 'errors']],
      ['latency-p99', 'ok', ['requests', 'latency-quantile']],
      ['memory', 'ok', ['memory']],
      ['health', 'ok', ['ready', 'restarts']],
    ]);
    // One read each, a single sample aggregating the baseline window: cheap for the backend.
    expect(requests).toHaveLength(7);
    for (const r of requests) {
      expect(r).toMatchObject({
        start: clock.now(),
        end: clock.now(),
        stepMs: contract.baselineSeconds * 1000,
      });
    }
  });

  it('names the signal, the query and the error when a read fails (after the usual retries)', async () => {
    const { clock, source } = setup();
    const denied = {
      status: 'error' as const,
      error: new RollgateError('SOURCE_AUTH', 'Prometheus answered 401 Unauthorized: check auth.token.', {
        component: 'prometheus-source',
      }),
    };
    // Every read fails: a wrong credential.
    source.failNext(denied, 100);
    const report = await preflightSignals(
      { contract: defaultContract('checkout'), sources: { default: source }, clock },
      ctx(),
    );
    expect(report.failed.map((s) => s.signal)).toEqual(['error-rate', 'latency-p99', 'memory', 'health']);
    const first = report.failed[0]?.reads[0];
    expect(first).toMatchObject({
      measure: 'requests',
      status: 'error',
      query: expect.stringContaining('memory:requests'),
      error: { code: 'SOURCE_AUTH', message: expect.stringContaining('401') },
    });
  });

  it('passes a source whose answers are flagged partial, and passes the warning on', async () => {
    const { clock, source } = setup();
    const partialSource: MetricSource = {
      name: source.name,
      read: async (request, c) => {
        const read = await source.read(request, c);
        return read.status === 'ok' ? { ...read, partial: ['partial response: store gateway down'] } : read;
      },
      describe: (request) => source.describe(request),
      dispose: () => source.dispose(),
    };
    const report = await preflightSignals(
      { contract: defaultContract('checkout'), sources: { default: partialSource }, clock },
      ctx(),
    );
    // The source, credentials and queries work: partial data is a matter for the watch, which
    // holds on it, not a configuration error.
    expect(report.failed).toEqual([]);
    expect(report.signals.every((s) => s.status === 'ok')).toBe(true);
    expect(report.signals[0]?.reads[0]?.reason).toContain('store gateway down');
  });

  it('says when no signal has any data (selectors match nothing), and only then', async () => {
    const empty = setup(() => ({}));
    const none = await preflightSignals(
      { contract: defaultContract('checkout'), sources: { default: empty.source }, clock: empty.clock },
      ctx(),
    );
    expect(none.failed).toEqual([]);
    expect(none.noData).toBe(true);
    expect(none.signals.every((s) => s.status === 'no-data')).toBe(true);
    // A quiet service (no requests) still has its gauges: not "nothing matches".
    const quiet = setup(() => ({ memory: 3e8, ready: 1, restarts: 0 }));
    const some = await preflightSignals(
      { contract: defaultContract('checkout'), sources: { default: quiet.source }, clock: quiet.clock },
      ctx(),
    );
    expect(some.noData).toBe(false);
    expect(some.signals.map((s) => s.status)).toEqual(['no-data', 'no-data', 'ok', 'ok']);
  });

  it('reads segmented signals per segment too', async () => {
    const { clock, recording, requests } = setup();
    const contract = defaultContract('checkout', {
      signals: [
        {
          id: 'errors',
          kind: 'error-rate',
          rules: [{ type: 'sequential' }],
          segments: { by: 'region' },
        },
      ],
    });
    await preflightSignals({ contract, sources: { default: recording }, clock }, ctx());
    expect(requests.map((r) => [r.query.measure, r.segmentBy ?? null])).toEqual([
      ['requests', null],
      ['errors', null],
      ['requests', 'region'],
    ]);
  });

  it('changes no decision: a watch evaluated after a preflight decides as one without', async () => {
    const decisions = async (withPreflight: boolean) => {
      const bad = (i: number): StepData => (i >= STEPS + 4 ? { ...healthy(i), errors: 30 } : healthy(i));
      const { clock, source } = setup(bad);
      const contract = defaultContract('checkout');
      if (withPreflight) await preflightSignals({ contract, sources: { default: source }, clock }, ctx());
      const evaluator = new Evaluator({ contract, sources: { default: source }, clock });
      let state = evaluator.start(clock.now());
      const out: string[] = [];
      for (let i = 0; i < 60; i++) {
        clock.advance(STEP);
        const r = await evaluator.evaluate(state, ctx());
        state = r.state;
        out.push(`${r.evaluation.decision.type}:${r.evaluation.signals.map((s) => s.status).join(',')}`);
      }
      return out;
    };
    const plain = await decisions(false);
    expect(await decisions(true)).toEqual(plain);
    expect(plain.some((d) => d.startsWith('breach'))).toBe(true);
  });
});
