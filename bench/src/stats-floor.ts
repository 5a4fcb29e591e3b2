/**
 * Issue 13's arithmetic floor: how much of a signal's step is the statistics the decisions need,
 * how much the evaluation around them, and how much the fleet (controller, machine, save). Three
 * figures timed in ONE process, interleaved round by round (docs/benchmarks.md, kept block
 * "floor10-issue-13"), each as process CPU time per signal per step and the 10,000-signal tick it
 * implies, with the default contract's mix (2 count signals of 4):
 *
 *   (a) the statistics alone: each count signal's sequential tests (the error rate's baseline
 *       test; the latency's exceedance and tail tests) updated with one step's counts and
 *       summarized (the judgement's numbers), started from the test states a real watch holds;
 *       no reading, no verdict text, no machine; `figures` is the summary without the ratio's
 *       confidence sequence (`rateTestFigures`), what a step pays since the interval is built
 *       only when a verdict is read (docs/benchmarks.md, "verdict13-issue-13");
 *   (b) one signal's whole evaluation: `Evaluator.evaluate` of the default contract on the
 *       in-memory source, `--watches` evaluators per step (no controller, no save);
 *   (c) the fleet tick per signal (bench/src/sections/fleet.ts: controller, machine, save).
 *
 * From bench/:
 *
 *   node --expose-gc --conditions=source --import tsx src/stats-floor.ts --watches 250 --rounds 4
 */
import {
  defaultSignals,
  Evaluator,
  parseContract,
  type RateTestState,
  rateTestFigures,
  summarizeRateTest,
  updateRateTest,
  type WatchState,
} from '@rollgate/core';
import { positiveIntegerOption } from './script-options';
import { BASELINE_STEPS, fleetTicks, SIGNALS_PER_WATCH, STEP_MS, sourceAtDeploy } from './sections/fleet';

const COUNT_SIGNALS_PER_WATCH = 2;
/** Warm-up (30 s) plus a margin: every rule runs from here on. */
const WARMUP_STEPS = 12;

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => positiveIntegerOption(args, name, fallback);
const watches = option('watches', 250);
const rounds = option('rounds', 4);
const ticks = option('ticks', 20);

const ctx = () => ({ signal: new AbortController().signal, deadline: Number.POSITIVE_INFINITY });

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Process CPU ms (user + system) since `from`. */
function cpuMs(from: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1000;
}

function contract(w: number) {
  return parseContract({
    service: `svc-${w}`,
    stepSeconds: STEP_MS / 1000,
    baselineSeconds: BASELINE_STEPS * (STEP_MS / 1000),
    bakeSeconds: 86_400,
    signals: defaultSignals(),
  });
}

/** `watches` evaluators of the default contract on one source, baselines taken, past the warm-up. */
async function evaluators(count: number, steps: number) {
  const { clock, source } = sourceAtDeploy(WARMUP_STEPS + steps);
  const watchList: { evaluator: Evaluator; state: WatchState }[] = [];
  for (let w = 0; w < count; w++) {
    const evaluator = new Evaluator({ contract: contract(w), sources: { default: source }, clock });
    const state = await evaluator.takeBaseline(evaluator.start(clock.now()), ctx());
    watchList.push({ evaluator, state });
  }
  const step = async () => {
    clock.advance(STEP_MS);
    await Promise.all(
      watchList.map(async (watch) => {
        watch.state = (await watch.evaluator.evaluate(watch.state, ctx())).state;
      }),
    );
  };
  for (let i = 0; i < WARMUP_STEPS; i++) await step();
  return { watchList, step };
}

/** (b): CPU ms of one step of `watches` evaluators, p50 over `ticks` steps. */
async function evaluatorStep(): Promise<number> {
  const { step } = await evaluators(watches, ticks);
  const per: number[] = [];
  for (let i = 0; i < ticks; i++) {
    const from = process.cpuUsage();
    await step();
    per.push(cpuMs(from));
  }
  return median(per);
}

/** One count signal's tests and the step counts it saw: the statistics' inputs, as a watch holds them. */
interface CountWork {
  readonly tests: RateTestState[];
  readonly steps: { readonly events: number; readonly trials: number; readonly tail?: number }[];
}

/** The count signals' test states and intervals of real watches past the warm-up. */
async function countWork(): Promise<CountWork[]> {
  const { watchList } = await evaluators(1, 60);
  const state = (watchList[0] as { state: WatchState }).state;
  const work: CountWork[] = [];
  for (const id of ['error-rate', 'latency-p99']) {
    const segment = state.signals[id]?.segments[''];
    if (!segment) throw new Error(`stats-floor: no aggregate segment for ${id}`);
    const tests = Object.values(segment.tests) as RateTestState[];
    if (tests.length === 0) throw new Error(`stats-floor: ${id} has no started test`);
    work.push({ tests, steps: segment.recent.map((i) => ({ ...i })) });
  }
  // The default contract's two count signals: the error rate's one test, the latency's two.
  if ((work[0]?.tests.length ?? 0) !== 1 || (work[1]?.tests.length ?? 0) !== 2)
    throw new Error('stats-floor: the default contract no longer has 1 + 2 count tests');
  return work;
}

/**
 * (a): CPU ms of one step's statistics for `watches` watches (each: both count signals' tests
 * updated with the step's counts and summarized), p50 over `ticks` steps; `parts` times the
 * update only, or the summary only (of the states the updates left). The states are carried
 * from step to step, one copy per watch, as the evaluator carries them.
 */
function statisticsStep(
  work: readonly CountWork[],
  parts: 'both' | 'update' | 'summary' | 'figures',
): number {
  const states = Array.from({ length: watches }, () => work.map((w) => [...w.tests]));
  const per: number[] = [];
  let sink = 0;
  for (let k = 0; k < ticks + WARMUP_STEPS; k++) {
    const from = process.cpuUsage();
    for (const signals of states) {
      for (let s = 0; s < work.length; s++) {
        const { steps } = work[s] as CountWork;
        const tests = signals[s] as RateTestState[];
        const interval = steps[k % steps.length] as CountWork['steps'][number];
        for (let i = 0; i < tests.length; i++) {
          let state = tests[i] as RateTestState;
          if (parts !== 'summary' && parts !== 'figures') {
            // The latency's second test is its tail's: the tail's events of the same trials.
            const events = i === 1 ? (interval.tail ?? 0) : interval.events;
            state = updateRateTest(state, { events, trials: interval.trials });
            tests[i] = state;
          }
          sink +=
            parts === 'update'
              ? state.trials
              : parts === 'figures'
                ? rateTestFigures(state).logE
                : summarizeRateTest(state).logE;
        }
      }
    }
    if (k >= WARMUP_STEPS) per.push(cpuMs(from));
  }
  if (Number.isNaN(sink)) throw new Error('stats-floor: a test state went NaN');
  return median(per);
}

/** us per signal per step, from CPU ms of a step of `signals` signals. */
const perSignalUs = (ms: number, signals: number): number => (ms * 1000) / signals;

const work = await countWork();
const rows: { a: number; update: number; summary: number; figures: number; b: number; c: number }[] = [];
for (let round = 0; round < rounds; round++) {
  // (a) is per COUNT signal (2 per watch); (b) and (c) per signal of the whole mix (4 per watch).
  const countSignals = watches * COUNT_SIGNALS_PER_WATCH;
  const a = perSignalUs(statisticsStep(work, 'both'), countSignals);
  const update = perSignalUs(statisticsStep(work, 'update'), countSignals);
  const summary = perSignalUs(statisticsStep(work, 'summary'), countSignals);
  const figures = perSignalUs(statisticsStep(work, 'figures'), countSignals);
  const b = perSignalUs(await evaluatorStep(), watches * SIGNALS_PER_WATCH);
  const fleet = await fleetTicks(watches, ticks, WARMUP_STEPS);
  const c = perSignalUs(fleet.tickCpuP50Ms, fleet.signals);
  rows.push({ a, update, summary, figures, b, c });
  console.log(
    JSON.stringify({
      round,
      watches,
      usPerCountSignal: { a, update, summary, figures },
      usPerSignal: { b, c },
    }),
  );
}
// Round 0 warms the code up; the medians are of the rounds after it (of all when there is one).
const kept = rows.length > 1 ? rows.slice(1) : rows;
const of = (key: keyof (typeof rows)[number]) => median(kept.map((r) => r[key]));
// A 10,000-signal tick of the default mix: 5,000 count signals carry the statistics.
const countShare = COUNT_SIGNALS_PER_WATCH / SIGNALS_PER_WATCH;
const tick = (usPerSignal: number, signals: number) => (usPerSignal * signals) / 1000;
console.log(
  JSON.stringify({
    watches,
    rounds: kept.length,
    a: { usPerCountSignal: of('a'), tickMs10k: tick(of('a'), 10_000 * countShare) },
    aUpdate: { usPerCountSignal: of('update'), tickMs10k: tick(of('update'), 10_000 * countShare) },
    aSummary: { usPerCountSignal: of('summary'), tickMs10k: tick(of('summary'), 10_000 * countShare) },
    aFigures: { usPerCountSignal: of('figures'), tickMs10k: tick(of('figures'), 10_000 * countShare) },
    b: { usPerSignal: of('b'), tickMs10k: tick(of('b'), 10_000) },
    c: { usPerSignal: of('c'), tickMs10k: tick(of('c'), 10_000) },
  }),
);
