/**
 * What the onset gate's "the trend explains the breach: keep baking" costs a fleet (gate15,
 * docs/statistics.md "Climbs routed as incidents"; docs/benchmarks.md `frame16-issue-13`). A watch
 * in that state asks the gate again at its next confirmed breach, and every look reads the
 * signal's history across the deploy (evaluation/onset.ts). Runs two fleets, one after the
 * other, each N watches on ONE SimulatedClock, each watch its scenario's own in-memory source
 * (the scenario replay's world: packages/core/src/scenarios/replay-scenario.ts), all ticking at
 * the same 5 s instants:
 *
 * - `climb`: draws of the `drift-trend-keep` family (errors climbing through the baseline window
 *   and on into the bake: the breaches the gate explains by the trend);
 * - `steady`: draws of `steady-keep` (a healthy deploy on a steady service).
 *
 * Per tick (one step of the whole fleet): process CPU time, source reads, and the gate's looks
 * (`find-onset` commands) run in it. Prints per fleet the tick CPU p50 and mean, reads per tick,
 * looks per tick, and for the climb fleet the mean tick CPU of ticks with and without looks, and
 * the reads and CPU per look from a least-squares fit of each tick's CPU and reads on its looks;
 * the samples of a watch's first look (read in full) apart from the repeated looks' (what is new:
 * docs/architecture.md, "The onset gate's repeated looks"), the JSON bytes the saves wrote per
 * tick, and at the end the heap a kept look history holds. E.g. from bench/:
 *
 *   node --expose-gc --conditions=source --import tsx src/fleet-onset-cost.ts --watches 60 --set frame16-gate
 */
import { type AbortSignalLike, createController } from '@rollgate/core';
import { REPLAY_EPOCH_MS, scenarioContract, scenarioSteps } from '@rollgate/core/scenarios';
import {
  createMemoryArtifactStore,
  createMemoryAuditSink,
  createMemoryExecutor,
  createMemoryStateStore,
  createRecordingNotifier,
  insecureTestSigner,
  MemoryMetricSource,
  SimulatedClock,
} from '@rollgate/core/testing';
import { generateFamilies } from './scenarios/family-corpus';
import { positiveIntegerOption } from './script-options';

const args = process.argv.slice(2);
const watches = positiveIntegerOption(args, 'watches', 60);
const setAt = args.indexOf('--set');
const set = setAt === -1 ? 'frame16-gate' : (args[setAt + 1] ?? 'frame16-gate');

const quiesce = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Tick {
  readonly cpuMs: number;
  readonly reads: number;
  readonly looks: number;
  readonly evaluations: number;
  readonly lookReads: number;
  readonly lookSamples: number;
  readonly evaluationReads: number;
  readonly evaluationSamples: number;
  /** JSON bytes the fleet's saves wrote in the tick (the in-memory store's text). */
  readonly savedBytes: number;
  /** The largest single save of the tick, JSON bytes. */
  readonly largestSave: number;
  /** The largest single save of the tick that is not the watch's end (no `write-audit` pending). */
  readonly largestStepSave: number;
  /** JSON bytes saved in the tick by kind of key (see {@link keyKind}). */
  readonly byKind: ReadonlyMap<string, number>;
}

/** The kind of a saved key: `record`, or the part (`baseline`, `series`, `tests`, `phases`). */
const keyKind = (key: string): string =>
  key.startsWith('watch/') ? 'record' : key.slice(key.lastIndexOf('/') + 1).replace(/(-\d+)+$/, '');

/** Samples read by each watch's first look (no previous look passed), per fleet run and in all. */
let firstLookSamples: number[] = [];
const allFirstLookSamples: number[] = [];

async function runFleet(family: string): Promise<{ ticks: Tick[]; outcomes: Map<string, number> }> {
  firstLookSamples = [];
  const [familySet] = generateFamilies(set, watches, [family]);
  if (!familySet) throw new Error(`no family ${family}`);
  const scenarios = familySet.scenarios.map((g) => g.scenario);
  const clock = new SimulatedClock(REPLAY_EPOCH_MS);
  const never: AbortSignalLike = {
    aborted: false,
    addEventListener: () => {},
    removeEventListener: () => {},
  };
  const sources: MemoryMetricSource[] = [];
  const results: Promise<{ outcome: string }>[] = [];
  let looks = 0;
  let evaluations = 0;
  let lookReads = 0;
  let lookSamples = 0;
  let evaluationReads = 0;
  let evaluationSamples = 0;
  let savedBytes = 0;
  let largestSave = 0;
  let largestStepSave = 0;
  let byKind = new Map<string, number>();
  const starts: { at: number; start: () => void }[] = [];
  for (const scenario of scenarios) {
    if (scenario.stepSeconds !== 5) throw new Error('fleet-onset-cost: 5 s steps only');
    const contract = scenarioContract(scenario);
    const stepMs = 5000;
    const deployAt = REPLAY_EPOCH_MS + scenario.deployAtStep * stepMs;
    const source = new MemoryMetricSource({
      name: 'scenario',
      clock,
      startMs: REPLAY_EPOCH_MS,
      stepMs,
      steps: scenarioSteps(scenario),
      latencyBucketsMs: scenario.latencyBucketsMs,
    });
    sources.push(source);
    // Reads and samples counted, those sent while the watch's gate looks apart: a watch runs one
    // command at a time, so a read of its own source while its find-onset is in flight is the look's.
    let looking = false;
    let ownLookSamples = 0;
    const read = source.read.bind(source);
    source.read = async (request, ctx) => {
      const result = await read(request, ctx);
      const samples = result.status === 'ok' ? result.series.reduce((n, x) => n + x.samples.length, 0) : 0;
      if (looking) {
        lookReads++;
        lookSamples += samples;
        ownLookSamples += samples;
      } else {
        evaluationReads++;
        evaluationSamples += samples;
      }
      return result;
    };
    const artifacts = createMemoryArtifactStore({ signer: insecureTestSigner() });
    const controller = createController({
      contract,
      sources: { default: source },
      executor: createMemoryExecutor({ artifacts: [{ id: 'new' }, { id: 'previous' }], current: 'new' }),
      artifacts,
      state: (() => {
        const state = createMemoryStateStore();
        const save = state.save.bind(state);
        state.save = (key, value, ctx) => {
          if (value !== null) {
            const text = JSON.stringify(value);
            savedBytes += text.length;
            largestSave = Math.max(largestSave, text.length);
            // The watch's end: the audit record (every phase, every chart point) pending in the record.
            if (!text.includes('"type":"write-audit"'))
              largestStepSave = Math.max(largestStepSave, text.length);
            byKind.set(keyKind(key), (byKind.get(keyKind(key)) ?? 0) + text.length);
          }
          return save(key, value, ctx);
        };
        return state;
      })(),
      audit: createMemoryAuditSink(),
      notifier: createRecordingNotifier(),
      clock,
      settleMs: 0,
      controlPollMs: stepMs,
      retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
    });
    const findOnset = controller.evaluator.findOnset.bind(controller.evaluator);
    controller.evaluator.findOnset = async (...a) => {
      looking = true;
      const samples0 = ownLookSamples;
      try {
        return await findOnset(...a);
      } finally {
        looking = false;
        if (a[5] === undefined) {
          firstLookSamples.push(ownLookSamples - samples0);
          allFirstLookSamples.push(ownLookSamples - samples0);
        }
      }
    };
    controller.events.on('command', (c) => {
      if (c.type === 'find-onset') looks++;
      if (c.type === 'evaluate') evaluations++;
    });
    starts.push({
      at: deployAt,
      start: () => {
        const ctx = { signal: never, deadline: Number.POSITIVE_INFINITY };
        results.push(
          artifacts
            .record(
              {
                service: contract.service,
                artifact: { id: 'previous' },
                verifiedAt: deployAt - 86_400_000,
                evidence: { summary: 'verified before', bakeSeconds: contract.bakeSeconds, signals: [] },
              },
              ctx,
            )
            .then(() => controller.watch({ artifactId: 'new', deployedAt: deployAt })),
        );
      },
    });
  }
  // Every watch deployed at its scenario's deploy instant, on the one clock.
  starts.sort((a, b) => a.at - b.at);
  const ticks: Tick[] = [];
  let settled = 0;
  for (const s of starts) {
    if (clock.now() < s.at) clock.set(s.at);
    s.start();
  }
  const done = Promise.all(results).then((r) => {
    settled = r.length;
    return r;
  });
  await quiesce();
  const reads = () => lookReads + evaluationReads;
  while (settled === 0) {
    const next = clock.nextDue;
    if (next === undefined) break;
    const reads0 = reads();
    const looks0 = looks;
    const evaluations0 = evaluations;
    const counts0 = [lookReads, lookSamples, evaluationReads, evaluationSamples, savedBytes];
    largestSave = 0;
    largestStepSave = 0;
    byKind = new Map();
    const cpu0 = process.cpuUsage();
    clock.set(next);
    await quiesce();
    const cpu = process.cpuUsage(cpu0);
    if ((next - REPLAY_EPOCH_MS) % 5000 === 0 && evaluations > evaluations0) {
      ticks.push({
        cpuMs: (cpu.user + cpu.system) / 1000,
        reads: reads() - reads0,
        looks: looks - looks0,
        evaluations: evaluations - evaluations0,
        lookReads: lookReads - (counts0[0] as number),
        lookSamples: lookSamples - (counts0[1] as number),
        evaluationReads: evaluationReads - (counts0[2] as number),
        evaluationSamples: evaluationSamples - (counts0[3] as number),
        savedBytes: savedBytes - (counts0[4] as number),
        largestSave,
        largestStepSave,
        byKind,
      });
    }
  }
  const outcomes = new Map<string, number>();
  for (const r of await done) outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1);
  return { ticks, outcomes };
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

/** Least-squares slope and intercept of y on x. */
function fit(x: readonly number[], y: readonly number[]): { slope: number; intercept: number } {
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += ((x[i] as number) - mx) * ((y[i] as number) - my);
    sxx += ((x[i] as number) - mx) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : Number.NaN;
  return { slope, intercept: my - slope * mx };
}

const sum = (ticks: readonly Tick[], f: (t: Tick) => number) => ticks.reduce((n, t) => n + f(t), 0);

// Each fleet twice, the order reversed (steady, climb, climb, steady): the machine is shared.
for (const family of ['steady-keep', 'drift-trend-keep', 'drift-trend-keep', 'steady-keep']) {
  const { ticks, outcomes } = await runFleet(family);
  // The ticks where (nearly) every watch evaluated, after the first 60 (the warm-up and the
  // early bake, which cost more and have no looks): the fleet's steady state.
  const full = ticks.slice(60).filter((t) => t.evaluations >= watches * 0.9);
  const looks = sum(full, (t) => t.looks);
  const evaluations = sum(full, (t) => t.evaluations);
  console.log(
    JSON.stringify({
      family,
      watches,
      set,
      outcomes: Object.fromEntries(outcomes),
      ticks: full.length,
      tickCpuP50Ms: +quantile(
        full.map((t) => t.cpuMs),
        0.5,
      ).toFixed(2),
      tickCpuMeanMs: +mean(full.map((t) => t.cpuMs)).toFixed(2),
      looksPerTick: +(looks / full.length).toFixed(2),
      readsPerTick: +mean(full.map((t) => t.reads)).toFixed(1),
      readsPerEvaluation: +(sum(full, (t) => t.evaluationReads) / evaluations).toFixed(2),
      samplesPerEvaluation: +(sum(full, (t) => t.evaluationSamples) / evaluations).toFixed(1),
      savedKiBPerTick: +(mean(full.map((t) => t.savedBytes)) / 1024).toFixed(1),
      // The largest single save of the kept ticks, and of any save not at a watch's end.
      largestSaveKB: +(Math.max(...full.map((t) => t.largestSave)) / 1000).toFixed(1),
      largestStepSaveKB: +(Math.max(...full.map((t) => t.largestStepSave)) / 1000).toFixed(1),
      // KiB a tick by kind of key: the record and each part.
      savedKiBPerTickByKind: Object.fromEntries(
        ['record', 'tests', 'phases', 'series', 'baseline'].map((k) => [
          k,
          +(mean(full.map((t) => t.byKind.get(k) ?? 0)) / 1024).toFixed(1),
        ]),
      ),
      readsPerLook: looks > 0 ? +(sum(full, (t) => t.lookReads) / looks).toFixed(2) : null,
      // The first look of a breach reads the whole history; the repeated ones (kept histories) what is new.
      samplesFirstLook: firstLookSamples.length > 0 ? +mean(firstLookSamples).toFixed(1) : null,
      samplesPerLook: looks > 0 ? +(sum(full, (t) => t.lookSamples) / looks).toFixed(1) : null,
      cpuPerLookFitMs:
        looks > 0
          ? +fit(
              full.map((t) => t.looks),
              full.map((t) => t.cpuMs),
            ).slope.toFixed(3)
          : null,
    }),
  );
  (globalThis as { gc?: () => void }).gc?.();
}

/**
 * The heap a kept look history holds (evaluation/onset-history.ts `lookHistory`: one per watch
 * whose newest look the trend explained): its key (about 300 characters: the signal, segment,
 * queries, start and step, as JSON), two times, and `points` joined counts as three Float64Array
 * columns; and, for comparison, the same points as the join's `{ t, events, trials }` objects (what
 * keeping the look's points themselves would hold). 200 copies of each under forced GC, the JS heap
 * and the ArrayBuffers' backing stores.
 */
function historyHeapKiB(points: number): { columns: number; objects: number } | null {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined || !(points > 0)) return null;
  const copies = 200;
  const measure = (build: (c: number) => unknown): number => {
    gc();
    gc();
    // A Float64Array's elements are an ArrayBuffer's backing store, outside the JS heap.
    const used = () => {
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const before = used();
    const kept: unknown[] = [];
    for (let c = 0; c < copies; c++) kept.push(build(c));
    gc();
    gc();
    const after = used();
    return kept.length === copies ? +((after - before) / copies / 1024).toFixed(1) : Number.NaN;
  };
  const columns = measure((c) => {
    const t = new Float64Array(points);
    const events = new Float64Array(points);
    const trials = new Float64Array(points);
    for (let i = 0; i < points; i++) {
      t[i] = 1_700_000_000_000 + i * 5000 + c;
      trials[i] = 900 + ((i * 7 + c) % 200);
      events[i] = Math.floor((trials[i] as number) * 0.01);
    }
    const key = JSON.stringify([
      `error-rate-${c}`,
      '*',
      { measure: 'errors', selector: { service: 'svc', window: 'x'.repeat(60) } },
      { measure: 'requests', selector: { service: 'svc', window: 'x'.repeat(60) } },
      1_700_000_000_000 + c,
      5000,
      null,
    ]);
    return { key, end: 1_700_000_000_000 + c, firstTrialsT: 1_700_000_000_000, t, events, trials };
  });
  const objects = measure((c) => {
    const out: { t: number; events: number; trials: number }[] = [];
    for (let i = 0; i < points; i++) {
      const n = 900 + ((i * 7 + c) % 200);
      out.push({ t: 1_700_000_000_000 + i * 5000 + c, events: Math.floor(n * 0.01), trials: n });
    }
    return out;
  });
  return { columns, objects };
}

// A first look's points: half its samples (an events and a trials sample a step).
const historyPoints = Math.round(mean(allFirstLookSamples) / 2);
console.log(JSON.stringify({ historyPoints, historyKiB: historyHeapKiB(historyPoints) }));
