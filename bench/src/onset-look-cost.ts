/**
 * What one look of the onset gate costs, engine against engine in ONE process (docs/benchmarks.md
 * `onset17-issue-13`). A watch whose breach the trend explains looks at about every step
 * (evaluation/onset.ts); fleet-onset-cost.ts measures what that does to a fleet's tick, where the
 * looks share the tick with every other watch's step. Here each watch runs alone on its own
 * SimulatedClock, so between a `find-onset` command's start and its answer only that look runs:
 * the process CPU between them is the look's (its reads of the in-memory source, the join, the
 * fits and tests). For each checkout given, the same `drift-trend-keep` draws (seed label `--set`),
 * each watch run to its end with the checkout's engine and the scenario's contract (the replay's
 * world); the engines alternate draw by draw, the order reversed every other draw (the machine is
 * shared). Prints per checkout: looks (first and repeated), reads and samples per look, and the
 * CPU per look (mean and median, first looks apart), and the CPU of the whole watches. From bench/:
 *
 *   node --expose-gc --conditions=source --import tsx src/onset-look-cost.ts --watches 30 /work/wt/before17 ..
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Core from '@rollgate/core';
import type * as Scenarios from '@rollgate/core/scenarios';
import type * as Testing from '@rollgate/core/testing';
import { generateFamilies } from './scenarios/family-corpus';
import { positiveIntegerOption } from './script-options';

const args = process.argv.slice(2);
const watches = positiveIntegerOption(args, 'watches', 30);
const setAt = args.indexOf('--set');
const set = setAt === -1 ? 'frame16-gate' : (args[setAt + 1] ?? 'frame16-gate');
const roots = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
if (roots.length === 0) throw new Error('onset-look-cost: give one or more checkout roots');

interface Engine {
  readonly dir: string;
  readonly core: typeof Core;
  readonly testing: typeof Testing;
  readonly scenarios: typeof Scenarios;
}

interface Tally {
  firstLooks: number[];
  repeatedLooks: number[];
  reads: number;
  samples: number;
  repeatedReads: number;
  repeatedSamples: number;
  watchCpuMs: number;
  outcomes: Map<string, number>;
  /** Store writes of the watches, their JSON bytes, and the largest. */
  saves: number;
  savedBytes: number;
  largestSave: number;
}

const engines: Engine[] = [];
for (const dir of roots) {
  const at = (path: string) => pathToFileURL(resolve(dir, 'packages/core/src', path)).href;
  engines.push({
    dir,
    core: (await import(at('index.ts'))) as typeof Core,
    testing: (await import(at('testing/index.ts'))) as typeof Testing,
    scenarios: (await import(at('scenarios/index.ts'))) as typeof Scenarios,
  });
}

const cpuMs = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};

/** One watch of `scenario` with `engine`, to its end; its looks' CPU, reads and samples added to `tally`. */
async function runWatch(engine: Engine, scenario: Scenarios.Scenario, tally: Tally): Promise<void> {
  const { core, testing, scenarios } = engine;
  const contract = scenarios.scenarioContract(scenario);
  const stepMs = scenario.stepSeconds * 1000;
  const clock = new testing.SimulatedClock(scenarios.REPLAY_EPOCH_MS);
  const deployAt = scenarios.REPLAY_EPOCH_MS + scenario.deployAtStep * stepMs;
  clock.set(deployAt);
  const source = new testing.MemoryMetricSource({
    name: 'scenario',
    clock,
    startMs: scenarios.REPLAY_EPOCH_MS,
    stepMs,
    steps: scenarios.scenarioSteps(scenario),
    ...(scenario.latencyBucketsMs ? { latencyBucketsMs: scenario.latencyBucketsMs } : {}),
  });
  let looking = false;
  let reads = 0;
  let samples = 0;
  const read = source.read.bind(source);
  source.read = async (request, ctx) => {
    const result = await read(request, ctx);
    if (looking) {
      reads++;
      if (result.status === 'ok') for (const s of result.series) samples += s.samples.length;
    }
    return result;
  };
  const artifacts = testing.createMemoryArtifactStore({ signer: testing.insecureTestSigner() });
  const never = { aborted: false, addEventListener: () => {}, removeEventListener: () => {} };
  await artifacts.record(
    {
      service: contract.service,
      artifact: { id: 'previous' },
      verifiedAt: deployAt - 86_400_000,
      evidence: { summary: 'verified before', bakeSeconds: contract.bakeSeconds, signals: [] },
    },
    { signal: never, deadline: Number.POSITIVE_INFINITY },
  );
  const state = testing.createMemoryStateStore();
  const save = state.save.bind(state);
  state.save = (key, value, ctx) => {
    if (value !== null) {
      const bytes = JSON.stringify(value).length;
      tally.saves++;
      tally.savedBytes += bytes;
      tally.largestSave = Math.max(tally.largestSave, bytes);
    }
    return save(key, value, ctx);
  };
  const controller = core.createController({
    contract,
    sources: { default: source },
    executor: testing.createMemoryExecutor({
      artifacts: [{ id: 'new' }, { id: 'previous' }],
      current: 'new',
    }),
    artifacts,
    state,
    audit: testing.createMemoryAuditSink(),
    notifier: testing.createRecordingNotifier(),
    clock,
    settleMs: 0,
    controlPollMs: stepMs,
    retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
  });
  const findOnset = controller.evaluator.findOnset.bind(controller.evaluator);
  controller.evaluator.findOnset = async (...a) => {
    looking = true;
    const reads0 = reads;
    const samples0 = samples;
    const cpu0 = process.cpuUsage();
    try {
      return await findOnset(...a);
    } finally {
      const ms = cpuMs(cpu0);
      looking = false;
      if (a[5] === undefined) tally.firstLooks.push(ms);
      else {
        tally.repeatedLooks.push(ms);
        tally.repeatedReads += reads - reads0;
        tally.repeatedSamples += samples - samples0;
      }
    }
  };
  const cpu0 = process.cpuUsage();
  const result = controller.watch({ artifactId: 'new', deployedAt: deployAt });
  let done = false;
  void result.finally(() => {
    done = true;
  });
  while (!done) {
    await new Promise((r) => setImmediate(r));
    const next = clock.nextDue;
    if (next !== undefined) clock.set(next);
  }
  tally.watchCpuMs += cpuMs(cpu0);
  tally.reads += reads;
  tally.samples += samples;
  const outcome = (await result).outcome;
  tally.outcomes.set(outcome, (tally.outcomes.get(outcome) ?? 0) + 1);
}

const [familySet] = generateFamilies(set, watches, ['drift-trend-keep']);
if (!familySet) throw new Error('no drift-trend-keep family');
const tallies = engines.map(
  (): Tally => ({
    firstLooks: [],
    repeatedLooks: [],
    reads: 0,
    samples: 0,
    repeatedReads: 0,
    repeatedSamples: 0,
    watchCpuMs: 0,
    outcomes: new Map(),
    saves: 0,
    savedBytes: 0,
    largestSave: 0,
  }),
);
for (const [k, { scenario }] of familySet.scenarios.entries()) {
  const order = engines.map((_, i) => i);
  if (k % 2 === 1) order.reverse();
  for (const i of order) {
    await runWatch(engines[i] as Engine, scenario as Scenarios.Scenario, tallies[i] as Tally);
    (globalThis as { gc?: () => void }).gc?.();
  }
}

const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
const median = (v: readonly number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length === 0
    ? Number.NaN
    : ((s[Math.floor((s.length - 1) / 2)] as number) + (s[Math.ceil((s.length - 1) / 2)] as number)) / 2;
};
for (const [i, engine] of engines.entries()) {
  const t = tallies[i] as Tally;
  const looks = t.firstLooks.length + t.repeatedLooks.length;
  console.log(
    JSON.stringify({
      dir: engine.dir,
      set,
      watches,
      outcomes: Object.fromEntries(t.outcomes),
      firstLooks: t.firstLooks.length,
      repeatedLooks: t.repeatedLooks.length,
      readsPerRepeatedLook: +(t.repeatedReads / Math.max(1, t.repeatedLooks.length)).toFixed(2),
      samplesPerRepeatedLook: +(t.repeatedSamples / Math.max(1, t.repeatedLooks.length)).toFixed(1),
      samplesPerFirstLook: +((t.samples - t.repeatedSamples) / Math.max(1, t.firstLooks.length)).toFixed(1),
      repeatedLookCpuMeanMs: +mean(t.repeatedLooks).toFixed(3),
      repeatedLookCpuMedianMs: +median(t.repeatedLooks).toFixed(3),
      firstLookCpuMeanMs: +mean(t.firstLooks).toFixed(3),
      looksCpuMs: +(
        mean(t.firstLooks) * t.firstLooks.length +
        mean(t.repeatedLooks) * t.repeatedLooks.length
      ).toFixed(1),
      watchesCpuMs: +t.watchCpuMs.toFixed(1),
      saves: t.saves,
      savedBytesPerSave: Math.round(t.savedBytes / Math.max(1, t.saves)),
      largestSave: t.largestSave,
      looks,
    }),
  );
}
