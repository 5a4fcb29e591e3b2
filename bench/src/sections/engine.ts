import {
  type ContractInput,
  Evaluator,
  parseContract,
  type SignalInput,
  type WatchState,
} from '@rollgate/core';
import { MemoryMetricSource, SimulatedClock, type StepData } from '@rollgate/core/testing';
import type { BenchContext, BenchModule, BenchSection } from '../section';

const STEP_MS = 5_000;
const START = Date.UTC(2026, 0, 1);
const BASELINE_STEPS = 360;

/** Healthy per-step data: ~100 requests, ~0.5% errors, latency under 100 ms, flat memory. */
export function stepData(count: number): StepData[] {
  const steps: StepData[] = [];
  for (let i = 0; i < count; i++) {
    const requests = 95 + ((i * 7) % 11);
    steps.push({
      requests,
      errors: i % 3 === 0 ? 1 : 0,
      latencyHistogram: [0, 0, 15, 50, requests - 65, 0, 0, 0, 0, 0, 0, 0],
      memory: 300e6 + ((i * 37) % 5) * 1e6,
      ready: 1,
      restarts: 0,
    });
  }
  return steps;
}

/** `n` signals cycling through the default kinds (half of them count signals with sequential tests). */
function signals(n: number): SignalInput[] {
  const kinds: SignalInput[] = [
    { id: 'e', kind: 'error-rate', rules: [{ type: 'sequential' }], minSamples: 100 },
    { id: 'l', kind: 'latency', rules: [{ type: 'sequential' }], minSamples: 100 },
    {
      id: 'm',
      kind: 'resource',
      rules: [{ type: 'rate-of-change' }],
      minSamples: 6,
      sustain: { evaluations: 2 },
    },
    { id: 'h', kind: 'health', rules: [{ type: 'health' }], windowSeconds: 30, minSamples: 1 },
  ];
  return Array.from({ length: n }, (_, i) => ({ ...(kinds[i % kinds.length] as SignalInput), id: `s${i}` }));
}

function setup(n: number, bakeSeconds: number, steps: StepData[]) {
  const contract = parseContract({
    service: 'bench',
    stepSeconds: 5,
    bakeSeconds,
    signals: signals(n),
    confirmation: { k: 1, maxConsecutiveErrors: 6 },
  } satisfies ContractInput);
  const deployAt = START + BASELINE_STEPS * STEP_MS;
  const clock = new SimulatedClock(deployAt);
  const source = new MemoryMetricSource({ clock, startMs: START, stepMs: STEP_MS, steps });
  const evaluator = new Evaluator({ contract, sources: { default: source }, clock });
  return { clock, evaluator, state: evaluator.start(deployAt) };
}

const ctx = () => ({ signal: new AbortController().signal, deadline: Number.POSITIVE_INFINITY });

/** Evaluations per second with `n` signals per tick (the baseline snapshot excluded). */
async function throughput(
  n: number,
  ticks: number,
  steps: StepData[],
): Promise<{ perSecond: number; signalsPerSecond: number }> {
  const { clock, evaluator } = setup(n, 86_400, steps);
  let state: WatchState = await evaluator.takeBaseline(evaluator.start(clock.now()), ctx());
  // Past the warm-up, so every rule runs.
  for (let i = 0; i < 5; i++) {
    clock.advance(STEP_MS);
    state = (await evaluator.evaluate(state, ctx())).state;
  }
  const t0 = performance.now();
  for (let i = 0; i < ticks; i++) {
    clock.advance(STEP_MS);
    state = (await evaluator.evaluate(state, ctx())).state;
  }
  const seconds = (performance.now() - t0) / 1000;
  return { perSecond: ticks / seconds, signalsPerSecond: (ticks * n) / seconds };
}

function heapUsed(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

/**
 * Heap per watched signal after 24 simulated hours: one watch of `n` signals evaluated every
 * 5 s for a day (17,280 evaluations), then the state's JSON size and the retained heap.
 */
async function dayLong(n: number, log: BenchContext['log']) {
  const steps = stepData(BASELINE_STEPS + 17_280 + 10);
  // Measured from here: the data source is not the watch's memory.
  const before = heapUsed();
  const { clock, evaluator } = setup(n, 86_400, steps);
  let state = evaluator.start(clock.now());
  const sizes: number[] = [];
  for (let i = 1; i <= 17_280; i++) {
    clock.advance(STEP_MS);
    state = (await evaluator.evaluate(state, ctx())).state;
    if (i % 1_440 === 0) {
      sizes.push(JSON.stringify(state).length);
      log(`  24 h run: ${Math.round(i / 720)} h simulated`);
    }
  }
  const retained = heapUsed() - before;
  // Keep the evaluator and its state alive until after the measurement.
  if (JSON.stringify(state).length === 0 || evaluator.contract.signals.length !== n)
    throw new Error('unreachable');
  return { stateBytesPerSignal: (sizes.at(-1) ?? 0) / n, heapPerSignal: retained / n, sizes };
}

export const engineBench: BenchModule = async (bench) => {
  const steps = stepData(BASELINE_STEPS + 2_000);
  const rows: (string | number)[][] = [];
  for (const [n, ticks] of [
    [1, bench.quick ? 200 : 2_000],
    [100, bench.quick ? 20 : 200],
    [10_000, bench.quick ? 2 : 5],
  ] as const) {
    bench.log(`engine: ${n} signals per tick`);
    const r = await throughput(n, ticks, steps);
    rows.push([
      n,
      ticks,
      r.perSecond.toFixed(1),
      Math.round(r.signalsPerSecond).toLocaleString('en-US'),
      (1000 / r.perSecond).toFixed(2),
    ]);
  }
  const evaluations: BenchSection = {
    title: 'Engine: evaluations per second',
    description:
      'One evaluation reads every signal of the contract through an in-memory MetricSource and applies every rule (signals cycle through error-rate and latency sequential tests, memory trend, health). SimulatedClock, 5 s steps, after the warm-up.',
    columns: [
      'signals per tick',
      'evaluations timed',
      'evaluations/s',
      'signal evaluations/s',
      'ms per evaluation',
    ],
    rows,
  };
  bench.log('engine: 24 simulated hours, 100 signals');
  const day = await dayLong(100, bench.log);
  // Between 12 h and 24 h only the digits of cumulative counters may grow (logarithmically).
  const growth = (day.sizes.at(-1) ?? 0) - (day.sizes[5] ?? 0);
  const memory: BenchSection = {
    title: 'Engine: memory per watched signal after 24 simulated hours',
    description:
      'One watch of 100 signals evaluated every 5 s for 24 simulated hours (17,280 evaluations). Windows are bounded and sequential tests are O(1), so the state must not grow with time.',
    columns: ['measure', 'value'],
    rows: [
      ['watch state (JSON) per signal after 24 h', `${Math.round(day.stateBytesPerSignal)} B`],
      [
        'state size at 2 h, 12 h, 24 h (bytes, 100 signals)',
        `${day.sizes[0]}, ${day.sizes[5]}, ${day.sizes.at(-1)}`,
      ],
      ['state growth from 12 h to 24 h (100 signals)', `${growth} B`],
      ['retained heap per signal (after GC)', `${(day.heapPerSignal / 1024).toFixed(1)} KiB`],
    ],
    notes: [
      growth < 10 * 100
        ? 'Bounded: no per-sample history; only the digits of cumulative counters grow, logarithmically.'
        : `WARNING: the state grew by ${growth} B in 12 h.`,
      (globalThis as { gc?: unknown }).gc
        ? 'Heap measured after a forced GC (node --expose-gc).'
        : 'Heap measured without --expose-gc: an upper bound.',
    ],
  };
  return [evaluations, memory];
};
