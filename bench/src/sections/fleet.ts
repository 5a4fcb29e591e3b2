/**
 * The engine at fleet scale: many watches in one process, each a full controller (evaluator,
 * rollback machine, snapshot saved to a state store after every transition), all on one
 * SimulatedClock against one shared in-memory MetricSource. Measures the wall time of one tick
 * of the whole fleet, the heap each watched signal keeps (its stored snapshot included: the copy
 * a restart resumes from), and how a watch's snapshot grows with the length of the watch.
 */
import {
  type ContractInput,
  createController,
  defaultSignals,
  parseContract,
  watchStateKey,
} from '@rollgate/core';
import {
  createMemoryArtifactStore,
  createMemoryAuditSink,
  createMemoryExecutor,
  createMemoryStateStore,
  createRecordingNotifier,
  insecureTestSigner,
  MemoryMetricSource,
  type MemoryStateStore,
  SimulatedClock,
} from '@rollgate/core/testing';
import type { BenchContext, BenchModule, BenchSection } from '../section';
import { stepData } from './engine';

// The fleet's world, shared by the bench scripts that measure parts of its tick
// (stats-floor.ts, evaluator-compare.ts), so their figures are of the same fleet.
export const STEP_MS = 5_000;
export const START = Date.UTC(2026, 0, 1);
/** Ten minutes of pre-deploy data: the default contract's baseline window. */
export const BASELINE_STEPS = 120;
export const SIGNALS_PER_WATCH = 4;

interface Fleet {
  readonly clock: SimulatedClock;
  readonly state: MemoryStateStore;
  readonly watchIds: string[];
  readonly done: Promise<unknown>;
  /** Ticks timed so far: wall ms of each step boundary (every watch evaluated once). */
  readonly tickMs: number[];
  /**
   * The process CPU time (user + system) of the same ticks, ms: on a shared machine wall time
   * also counts other processes' turns on the cores, CPU time much less so.
   */
  readonly tickCpuMs: number[];
  /** Drives the clock until `untilMs` (simulated epoch ms) or until every watch ended. */
  runUntil(untilMs: number): Promise<void>;
}

/** Lets every pending promise job run: in-memory ports resolve in microtasks only. */
const quiesce = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Starts `watches` controllers of the default contract (4 signals each), all deployed at the
 * same instant, sharing one source, one state store and one audit sink.
 */
function startFleet(
  watches: number,
  bakeSeconds: number,
  source: MemoryMetricSource,
  clock: SimulatedClock,
): Fleet {
  const deployAt = clock.now();
  const state = createMemoryStateStore();
  const audit = createMemoryAuditSink();
  const notifier = createRecordingNotifier();
  const artifacts = createMemoryArtifactStore({ signer: insecureTestSigner() });
  const results: Promise<unknown>[] = [];
  const watchIds: string[] = [];
  for (let w = 0; w < watches; w++) {
    const contract = parseContract({
      service: `svc-${w}`,
      stepSeconds: STEP_MS / 1000,
      baselineSeconds: BASELINE_STEPS * (STEP_MS / 1000),
      bakeSeconds,
      signals: defaultSignals(),
    } satisfies ContractInput);
    const controller = createController({
      contract,
      sources: { default: source },
      executor: createMemoryExecutor({ artifacts: [{ id: 'new' }], current: 'new' }),
      artifacts,
      state,
      audit,
      notifier,
      clock,
      settleMs: 0,
      // Control requests polled once per step, not every second: see the section's notes.
      controlPollMs: STEP_MS,
    });
    const watchId = `svc-${w}--new--${deployAt}`;
    watchIds.push(watchId);
    results.push(controller.watch({ artifactId: 'new', deployedAt: deployAt }, { watchId }));
  }
  let settled = false;
  const done = Promise.all(results).finally(() => {
    settled = true;
  });
  done.catch(() => {});
  const tickMs: number[] = [];
  const tickCpuMs: number[] = [];
  return {
    clock,
    state,
    watchIds,
    done,
    tickMs,
    tickCpuMs,
    async runUntil(untilMs) {
      await quiesce();
      while (!settled) {
        const next = clock.nextDue;
        if (next === undefined) throw new Error('fleet: a watch waits on something other than the clock');
        if (next > untilMs) return;
        const t0 = performance.now();
        const cpu0 = process.cpuUsage();
        clock.set(next);
        await quiesce();
        if ((next - deployAt) % STEP_MS === 0) {
          tickMs.push(performance.now() - t0);
          const cpu = process.cpuUsage(cpu0);
          tickCpuMs.push((cpu.user + cpu.system) / 1000);
        }
      }
      await done;
    },
  };
}

function quantileOf(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/** The V8 heap in use and the ArrayBuffer stores outside it, after a forced GC. */
function heapUsed(): { heap: number; arrayBuffers: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, arrayBuffers: usage.arrayBuffers };
}

/** JSON bytes a watch keeps in the store: its record and, when saved in parts, the parts. */
function snapshotBytes(state: MemoryStateStore, watchId: string): number {
  const stored = state.get(watchStateKey(watchId));
  if (stored === undefined) throw new Error(`fleet: no snapshot stored for ${watchId}`);
  let bytes = JSON.stringify(stored).length;
  for (const key of state.keys) {
    if (key.startsWith(`watch-part/${watchId}/`)) bytes += JSON.stringify(state.get(key)).length;
  }
  return bytes;
}

/**
 * Characters of the JSON text the in-memory store keeps now, every key: each value read back and
 * written again, which gives the stored text's length exactly (`JSON.stringify` of what
 * `JSON.parse` read from its own output is the same text).
 */
function storedTextLength(state: MemoryStateStore): number {
  let length = 0;
  for (const key of state.keys) length += JSON.stringify(state.get(key)).length;
  return length;
}

/** Figures of one fleet run: tick time, heap per signal, snapshot size by watch length. */
export interface FleetFigures {
  readonly signals: number;
  readonly ticks: number;
  readonly tickP50Ms: number;
  readonly tickP99Ms: number;
  /** Process CPU time of a tick, p50 (ms). */
  readonly tickCpuP50Ms: number;
}

/** Tick time of `watches` watches (4 signals each), `ticks` steady-state ticks after `warmup`. */
export async function fleetTicks(
  watches: number,
  ticks: number,
  warmup: number,
  /** Called after the warm-up ticks, before the timed ones, and after them (e.g. to profile only these). */
  timed?: { readonly start?: () => Promise<void>; readonly end?: () => Promise<void> },
): Promise<FleetFigures> {
  const { clock, source } = sourceAtDeploy(warmup + ticks);
  const fleet = startFleet(watches, (warmup + ticks + 10) * (STEP_MS / 1000), source, clock);
  const end = clock.now() + (warmup + ticks) * STEP_MS;
  await fleet.runUntil(clock.now() + warmup * STEP_MS);
  await timed?.start?.();
  await fleet.runUntil(end);
  await timed?.end?.();
  const timedMs = fleet.tickMs.slice(-ticks);
  return {
    signals: watches * SIGNALS_PER_WATCH,
    ticks: timedMs.length,
    tickP50Ms: quantileOf(timedMs, 0.5),
    tickP99Ms: quantileOf(timedMs, 0.99),
    tickCpuP50Ms: quantileOf(fleet.tickCpuMs.slice(-ticks), 0.5),
  };
}

/** Retained heap of a fleet: per signal, and per signal without the store double's text. */
export interface FleetHeapFigures {
  /** Retained heap per signal, the in-memory store's JSON text (the restart copies) included. */
  readonly perSignal: number;
  /**
   * The same less the characters of the JSON text the in-memory store keeps (one byte each, as
   * V8 keeps ASCII text: {@link storedTextLength}): what the engine itself keeps, as with a file or database
   * store, whose text is outside the process. The store's map and keys still count.
   */
  readonly perSignalEngine: number;
  /**
   * ArrayBuffer stores per signal (typed arrays' contents: the chart columns, cached grids),
   * outside the V8 heap and so in neither figure above; process memory all the same.
   */
  readonly arrayBuffersPerSignal: number;
  readonly snapshotBytes: number;
}

/** Retained heap per watched signal with `watches` watches at steady state, snapshots stored. */
export async function fleetHeap(
  watches: number,
  steps: number,
  /**
   * Called before the fleet starts (after the source is built) and at steady state with the
   * fleet alive (e.g. to write a heap snapshot at each: bench/src/fleet-heap-breakdown.ts).
   */
  inspect?: { readonly start?: () => void; readonly end?: () => void },
): Promise<FleetHeapFigures> {
  const { clock, source } = sourceAtDeploy(steps);
  inspect?.start?.();
  // Measured from here: the source's data is not the watches' memory.
  const before = heapUsed();
  const fleet = startFleet(watches, (steps + 10) * (STEP_MS / 1000), source, clock);
  await fleet.runUntil(clock.now() + steps * STEP_MS);
  const after = heapUsed();
  const retained = after.heap - before.heap;
  const storeText = storedTextLength(fleet.state);
  inspect?.end?.();
  const bytes = snapshotBytes(fleet.state, fleet.watchIds[0] as string);
  if (fleet.watchIds.length !== watches) throw new Error('unreachable');
  const signals = watches * SIGNALS_PER_WATCH;
  return {
    perSignal: retained / signals,
    perSignalEngine: (retained - storeText) / signals,
    arrayBuffersPerSignal: (after.arrayBuffers - before.arrayBuffers) / signals,
    snapshotBytes: bytes,
  };
}

/** A fleet of one watch, deployed now on its own clock and source, with data for `steps` steps of bake. */
function oneWatch(steps: number) {
  const { clock, source } = sourceAtDeploy(steps);
  return { clock, fleet: startFleet(1, (steps + 10) * (STEP_MS / 1000), source, clock) };
}

/** A SimulatedClock at the deploy and an in-memory source with data for `steps` steps of bake. */
export function sourceAtDeploy(steps: number): { clock: SimulatedClock; source: MemoryMetricSource } {
  const clock = new SimulatedClock(START + BASELINE_STEPS * STEP_MS);
  const source = new MemoryMetricSource({
    clock,
    startMs: START,
    stepMs: STEP_MS,
    steps: stepData(BASELINE_STEPS + steps + 20),
  });
  return { clock, source };
}

/**
 * One watch's stored snapshot after each of `hours` simulated hours (5 s steps), and the JSON
 * bytes its saves wrote per evaluation over the whole run.
 */
export async function snapshotGrowth(
  hours: readonly number[],
  log: BenchContext['log'],
): Promise<{
  sizes: number[];
  writtenPerStep: number;
  recordPerSave: number;
  recordMax: number;
  /** Saves of each part (`baseline`, `series`, `tests`, `phases`: a chunk), cleared generations not counted. */
  partSaves: Record<string, number>;
}> {
  const last = Math.max(...hours);
  const steps = (last * 3600_000) / STEP_MS;
  const { clock, fleet } = oneWatch(steps);
  let written = 0;
  let records = 0;
  let recordBytes = 0;
  let recordMax = 0;
  const partSaves: Record<string, number> = {};
  const save = fleet.state.save.bind(fleet.state);
  fleet.state.save = (key, value, ctx) => {
    const bytes = value === null ? 4 : JSON.stringify(value).length;
    written += bytes;
    if (key.startsWith('watch/')) {
      records++;
      recordBytes += bytes;
      recordMax = Math.max(recordMax, bytes);
    } else if (key.startsWith('watch-part/') && value !== null) {
      const part = key.slice(key.lastIndexOf('/') + 1).replace(/(-\d+)+$/, '');
      partSaves[part] = (partSaves[part] ?? 0) + 1;
    }
    return save(key, value, ctx);
  };
  const deployAt = clock.now();
  const sizes: number[] = [];
  for (const h of [...hours].sort((a, b) => a - b)) {
    await fleet.runUntil(deployAt + h * 3600_000);
    sizes.push(snapshotBytes(fleet.state, fleet.watchIds[0] as string));
    log(`  fleet: ${h} h simulated, snapshot ${sizes.at(-1)} B`);
  }
  return {
    sizes,
    writtenPerStep: written / steps,
    recordPerSave: recordBytes / records,
    recordMax,
    partSaves,
  };
}

/**
 * The per-step record of one watch (`watch/<id>`, parts excluded) after `steps` evaluations, as
 * stored, and the JSON bytes of each of its fields: what a save writes at every step.
 */
export async function fleetRecord(steps: number): Promise<{
  record: unknown;
  parts: Record<string, unknown>;
  bytes: number;
  fields: Record<string, number>;
}> {
  const { clock, fleet } = oneWatch(steps);
  await fleet.runUntil(clock.now() + steps * STEP_MS);
  const record = fleet.state.get(watchStateKey(fleet.watchIds[0] as string));
  const fields: Record<string, number> = {};
  if (typeof record === 'object' && record !== null) {
    for (const [k, v] of Object.entries(record)) fields[k] = JSON.stringify(v ?? null).length;
  }
  const parts: Record<string, unknown> = {};
  for (const key of fleet.state.keys) {
    if (key.startsWith(`watch-part/${fleet.watchIds[0]}/`)) parts[key] = fleet.state.get(key);
  }
  return { record, parts, bytes: JSON.stringify(record).length, fields };
}

export const fleetBench: BenchModule = async (bench) => {
  const tickWatches = bench.quick ? 250 : 2_500;
  bench.log(`fleet: ${tickWatches} watches x ${SIGNALS_PER_WATCH} signals, tick time`);
  const ticks = await fleetTicks(tickWatches, bench.quick ? 10 : 30, 12);
  // An hour into the watch (720 steps), where a snapshot holding every evaluation would be large.
  const lateWatches = bench.quick ? 10 : 50;
  bench.log(`fleet: ${lateWatches} watches, tick time one hour into the watch`);
  const late = await fleetTicks(lateWatches, 20, bench.quick ? 240 : 720);
  const heapWatches = bench.quick ? 100 : 1_000;
  bench.log(`fleet: ${heapWatches} watches, retained heap`);
  const heap = await fleetHeap(heapWatches, 60);
  const hours = bench.quick ? [1, 2] : [2, 24];
  bench.log(`fleet: one watch for ${hours.at(-1)} simulated hours, snapshot size`);
  const { sizes, writtenPerStep } = await snapshotGrowth(hours, bench.log);
  const section: BenchSection = {
    title: 'Engine at fleet scale',
    description: `Watches of the default contract (${SIGNALS_PER_WATCH} signals each: error rate, p99 latency, memory trend, health), each a full controller saving its snapshot to an in-memory state store (JSON text, like the file store) after every transition, all deployed at once on one SimulatedClock against one shared in-memory MetricSource; 5 s steps, control requests polled once per step. A tick is one step of the whole fleet: every watch evaluates, transitions and saves.`,
    columns: ['measure', 'value'],
    rows: [
      [
        `tick of ${ticks.signals.toLocaleString('en-US')} signals (${tickWatches} watches), p50 / p99 over ${ticks.ticks} ticks`,
        `${ticks.tickP50Ms.toFixed(1)} ms / ${ticks.tickP99Ms.toFixed(1)} ms`,
      ],
      [
        `process CPU time of the same ticks, p50 (the less load-dependent figure)`,
        `${ticks.tickCpuP50Ms.toFixed(1)} ms`,
      ],
      [
        `tick of ${late.signals} signals (${lateWatches} watches) ${bench.quick ? '20 min' : 'one hour'} into the watch, p50 / p99 over ${late.ticks} ticks`,
        `${late.tickP50Ms.toFixed(1)} ms / ${late.tickP99Ms.toFixed(1)} ms`,
      ],
      [
        `retained heap per signal, ${heapWatches} watches after 60 steps (stored snapshots included)`,
        `${(heap.perSignal / 1024).toFixed(2)} KiB`,
      ],
      [
        `the same without the in-memory store's JSON text (its characters counted and subtracted: the engine's own heap)`,
        `${(heap.perSignalEngine / 1024).toFixed(2)} KiB`,
      ],
      [
        `typed-array contents per signal, outside the V8 heap and in neither row above (chart columns, cached grids)`,
        `${(heap.arrayBuffersPerSignal / 1024).toFixed(2)} KiB`,
      ],
      [
        `stored snapshot of one watch at ${hours.join(' h, ')} h (record and parts)`,
        sizes.map((s) => `${s} B`).join(', '),
      ],
      [
        `snapshot bytes written per evaluation over ${hours.at(-1)} h (every save: record, parts)`,
        `${Math.round(writtenPerStep)} B`,
      ],
      [
        `snapshot growth from ${hours[0]} h to ${hours.at(-1)} h`,
        `${(((sizes.at(-1) ?? 0) / (sizes[0] ?? 1) - 1) * 100).toFixed(1)}%`,
      ],
    ],
    notes: [
      'Chart series are thinned to at most 60 points per signal before each save (docs/architecture.md), so a snapshot stays flat however long the watch runs.',
      'A save writes what changed (docs/stores.md, "Watch snapshots"): the baseline once, the chart series about every 15 evaluations, a per-step record otherwise.',
      (globalThis as { gc?: unknown }).gc
        ? 'Heap measured after a forced GC (node --expose-gc), from after the shared source was built.'
        : 'Heap measured without --expose-gc: an upper bound.',
    ],
  };
  return [section];
};
