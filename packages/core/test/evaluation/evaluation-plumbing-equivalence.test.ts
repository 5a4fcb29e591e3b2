import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ContractInput, SignalInput } from '../../src/contract/contract-schema';
import { defaultSignals } from '../../src/contract/default-contract';
import { parseContract } from '../../src/contract/parse-contract';
import { joinAggregate, joinCounts } from '../../src/evaluation/count-intervals';
import { Evaluator } from '../../src/evaluation/evaluator';
import { isSurge, LOAD_SMOOTH_STEPS, smoothedLoad } from '../../src/evaluation/load-surge';
import { PREVIOUS_TRIALS } from '../../src/evaluation/signal-evaluation';
import { AGGREGATE, type WatchState } from '../../src/evaluation/watch-state';
import type { ReadResult } from '../../src/ports/metric-source';
import { MemoryMetricSource, type StepData } from '../../src/testing/memory-source';
import { SimulatedClock } from '../../src/testing/simulated-clock';
import { EvaluatorBefore } from './reference/evaluator-before';

/**
 * The evaluation plumbing's rewrite (readSignalCounts, countsFrom, consume, feed, judgeCountRule,
 * the evaluator's per-signal state; docs/benchmarks.md, "floor10-issue-13") against the code it
 * replaced, kept as it was in test/evaluation/reference/ (main at c73daa8): on random watches,
 * the same state and the same evaluation at every step, byte for byte as JSON (key order
 * included: the state is what a save writes). The reference shares every other module with the
 * engine, so a deliberate behaviour change in signal-evaluation.ts or evaluator.ts must port the
 * same hunk into the reference copy (or retire this test once the rewrite has settled).
 */

const STEP = 5_000;
const START = Date.UTC(2026, 0, 1);
const BASELINE_STEPS = 120;
/** The latency histogram's bounds (the memory source's default buckets). */
const HISTOGRAM_BUCKETS = 12;

/** One step: `requests`, `errors` of them failing, `slow` of them in the 250 ms bucket. */
function step(i: number, requests: number, errors: number, slow: number): StepData {
  const fast = Math.max(0, requests - slow);
  const histogram = new Array<number>(HISTOGRAM_BUCKETS).fill(0);
  histogram[3] = fast;
  histogram[5] = Math.min(requests, slow);
  return {
    requests,
    errors: Math.min(requests, errors),
    latencyHistogram: histogram,
    memory: 300e6 + ((i * 37) % 5) * 1e6,
    ready: 1,
    restarts: 0,
  };
}

interface Shape {
  readonly purpose: 'bake' | 'verify';
  /** Error-rate segmented by `route` (two routes), or a concurrent test against a stable fleet. */
  readonly variant: 'default' | 'segments' | 'concurrent';
  readonly baseRequests: number;
  /** Post-deploy steps: requests, errors, slow requests. */
  readonly after: readonly { requests: number; errors: number; slow: number }[];
}

const arbShape: fc.Arbitrary<Shape> = fc.record({
  purpose: fc.constantFrom('bake' as const, 'verify' as const),
  variant: fc.constantFrom('default' as const, 'segments' as const, 'concurrent' as const),
  baseRequests: fc.integer({ min: 20, max: 400 }),
  after: fc.array(
    fc.record({
      // Quiet steps, normal load and surges (load-surge.ts), failures and slow tails.
      requests: fc.oneof(
        fc.constant(0),
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 400, max: 2000 }),
      ),
      errors: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 200 })),
      slow: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 300 })),
    }),
    { minLength: 10, maxLength: 40 },
  ),
});

function signalsOf(variant: Shape['variant']): SignalInput[] {
  const signals = defaultSignals();
  const errorRate = signals[0] as SignalInput;
  if (variant === 'segments') signals[0] = { ...errorRate, segments: { by: 'route', minSamples: 20 } };
  if (variant === 'concurrent') {
    signals[0] = {
      ...errorRate,
      rules: [
        { type: 'sequential', test: 'baseline' },
        { type: 'sequential', test: 'concurrent', stableSelector: { track: 'stable' } },
      ],
    };
  }
  return signals;
}

/** The canary's steps (the baseline's first), and its two routes' and the stable fleet's. */
function data(shape: Shape) {
  const all: StepData[] = [];
  const routeA: StepData[] = [];
  const routeB: StepData[] = [];
  const stable: StepData[] = [];
  for (let i = 0; i < BASELINE_STEPS; i++) {
    const requests = shape.baseRequests + ((i * 7) % 11);
    const errors = i % 5 === 0 ? 1 : 0;
    all.push(step(i, requests, errors, i % 3 === 0 ? 1 : 0));
    stable.push(step(i, requests, errors, 0));
  }
  shape.after.forEach((a, k) => {
    const i = BASELINE_STEPS + k;
    all.push(step(i, a.requests, a.errors, a.slow));
    stable.push(step(i, shape.baseRequests, k % 5 === 0 ? 1 : 0, 0));
  });
  // Routes split each step's counts: 3/4 of the requests, and all the errors, on route a.
  for (const s of all) {
    const requests = s.requests ?? 0;
    const a = Math.ceil((requests * 3) / 4);
    routeA.push({ requests: a, errors: Math.min(a, s.errors ?? 0) });
    routeB.push({ requests: requests - a, errors: Math.max(0, (s.errors ?? 0) - a) });
  }
  return { all, routeA, routeB, stable };
}

/** A new evaluator and a reference one, each on its own clock and source of the same data. */
function pair(shape: Shape) {
  const input: ContractInput = {
    service: 'checkout',
    stepSeconds: STEP / 1000,
    baselineSeconds: BASELINE_STEPS * (STEP / 1000),
    bakeSeconds: 600,
    warmupSeconds: 30,
    signals: signalsOf(shape.variant),
  };
  const contract = parseContract(input);
  const { all, routeA, routeB, stable } = data(shape);
  const make = <E>(build: (options: ConstructorParameters<typeof Evaluator>[0]) => E) => {
    const clock = new SimulatedClock(START + BASELINE_STEPS * STEP);
    const source = new MemoryMetricSource({
      clock,
      startMs: START,
      stepMs: STEP,
      steps: (selector) => (selector.track === 'stable' ? stable : all),
      segments: { label: 'route', values: { a: routeA, b: routeB } },
    });
    return { clock, evaluator: build({ contract, sources: { default: source }, clock }) };
  };
  return {
    now: make((options) => new Evaluator(options)),
    before: make((options) => new EvaluatorBefore(options)),
  };
}

const ctx = () => ({ signal: new AbortController().signal, deadline: Number.POSITIVE_INFINITY });

describe('the evaluation plumbing against the code it replaced', () => {
  it('writes the same state and the same evaluation at every step, byte for byte (property)', async () => {
    await fc.assert(
      fc.asyncProperty(arbShape, async (shape) => {
        const { now, before } = pair(shape);
        let stateNow: WatchState = now.evaluator.start(now.clock.now(), { purpose: shape.purpose });
        let stateBefore: WatchState = before.evaluator.start(before.clock.now(), { purpose: shape.purpose });
        if (shape.purpose === 'verify') {
          stateNow = await now.evaluator.takeBaseline(stateNow, ctx());
          stateBefore = await before.evaluator.takeBaseline(stateBefore, ctx());
        }
        for (let k = 0; k < shape.after.length; k++) {
          now.clock.advance(STEP);
          before.clock.advance(STEP);
          const a = await now.evaluator.evaluate(stateNow, ctx());
          const b = await before.evaluator.evaluate(stateBefore, ctx());
          expect(JSON.stringify(a.state)).toBe(JSON.stringify(b.state));
          expect(JSON.stringify(a.evaluation)).toBe(JSON.stringify(b.evaluation));
          stateNow = a.state;
          stateBefore = b.state;
        }
        // The runs judged something: the count tests started (no vacuous equality).
        expect(Object.keys(stateNow.signals['error-rate']?.segments[AGGREGATE]?.tests ?? {})).not.toEqual([]);
      }),
      { numRuns: 60 },
    );
  }, 120_000);

  it('joinAggregate is the aggregate of joinCounts, as an array (property)', () => {
    const sample = fc.record({ t: fc.integer({ min: 0, max: 12 }), v: fc.integer({ min: -1, max: 9 }) });
    const read = fc.oneof(
      fc.record({
        status: fc.constant('ok' as const),
        series: fc.array(
          fc.record({ labels: fc.constant({}), samples: fc.array(sample, { maxLength: 6 }) }),
          {
            maxLength: 2,
          },
        ),
      }),
      fc.constant<ReadResult>({ status: 'no-data', reason: 'none' }),
    );
    fc.assert(
      fc.property(read, read, fc.option(fc.integer({ min: 0, max: 12 })), (events, trials, after) => {
        const e = events as ReadResult;
        const t = trials as ReadResult;
        expect(joinAggregate(e, t, after)).toEqual(joinCounts(e, t, undefined, after).get(AGGREGATE) ?? []);
      }),
      { numRuns: 3000 },
    );
  });

  it('the newest PREVIOUS_TRIALS trials mark surges and load as the whole window does (property)', () => {
    expect(PREVIOUS_TRIALS).toBeGreaterThanOrEqual(LOAD_SMOOTH_STEPS - 1);
    const profile = fc.record({
      meanPerStep: fc.double({ min: 1, max: 500, noNaN: true }),
      highPerStep: fc.double({ min: 1, max: 800, noNaN: true }),
    });
    fc.assert(
      fc.property(
        profile,
        fc.array(fc.integer({ min: 0, max: 2000 }), { maxLength: 60 }),
        fc.integer({ min: 0, max: 2000 }),
        (load, window, trials) => {
          const p = load as unknown as Parameters<typeof isSurge>[0];
          const newest = window.slice(-PREVIOUS_TRIALS);
          expect(isSurge(p, newest, trials)).toBe(isSurge(p, window, trials));
          expect(smoothedLoad(p, newest, trials)).toBe(smoothedLoad(p, window, trials));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
