/**
 * The sequential tests' update side by side (docs/benchmarks.md, kept block "stats13-issue-13"):
 * the update of stats-floor.ts (a) (`updateRateTest` of each count signal's tests, from the
 * states a real default-contract watch holds, fed the counts that watch saw) with the engine of
 * each checkout given, in ONE process, runs interleaved and the order reversed every other
 * round. Every engine is fed the same states and counts, and the script checks that they return
 * the same `logE` and `rejected` at every step (the update may only get cheaper). From bench/:
 *
 *   node --conditions=source --import tsx src/stats-update.ts --watches 250 --rounds 6 \
 *     /work/wt/before13 ..
 *
 * Each argument is a checkout's root: its packages/core/src/stats/rate-test.ts is imported.
 * `--near` starts every test from a state near its threshold (the events of the last copies
 * raised), where the grid's cells are refined. `--with figures` adds what a step also reads of
 * each test (`rateTestFigures`), `--with summary` the whole summary (with the ratio's interval,
 * which a step builds only when a verdict is read).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  defaultSignals,
  Evaluator,
  parseContract,
  type RateTestState,
  type WatchState,
} from '@rollgate/core';
import { positiveIntegerOption } from './script-options';
import { BASELINE_STEPS, STEP_MS, sourceAtDeploy } from './sections/fleet';

type Update = (state: RateTestState, observation: { events: number; trials: number }) => RateTestState;
type Read = (state: RateTestState) => { logE: number };

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => positiveIntegerOption(args, name, fallback);
const watches = option('watches', 250);
const rounds = option('rounds', 6);
const ticks = option('ticks', 40);
const near = args.includes('--near');
const withAt = args.indexOf('--with');
const read = withAt === -1 ? 'none' : args[withAt + 1];
if (read !== 'none' && read !== 'figures' && read !== 'summary')
  throw new Error('--with takes figures or summary');
if (withAt !== -1) args.splice(withAt, 2);
const roots = args.filter((a) => a !== '--near');
if (roots.length < 1) throw new Error('stats-update: give one or more checkout roots');

const ctx = () => ({ signal: new AbortController().signal, deadline: Number.POSITIVE_INFINITY });

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

interface Step {
  readonly events: number;
  readonly trials: number;
  readonly tail: number;
}

/** The count signals' tests of one default-contract watch after `steps` steps, and its counts. */
async function countWork(steps: number): Promise<{ tests: RateTestState[][]; counts: Step[][] }> {
  const { clock, source } = sourceAtDeploy(steps + 12);
  const contract = parseContract({
    service: 'svc',
    stepSeconds: STEP_MS / 1000,
    baselineSeconds: BASELINE_STEPS * (STEP_MS / 1000),
    bakeSeconds: 86_400,
    signals: defaultSignals(),
  });
  const evaluator = new Evaluator({ contract, sources: { default: source }, clock });
  let state: WatchState = await evaluator.takeBaseline(evaluator.start(clock.now()), ctx());
  for (let i = 0; i < steps; i++) {
    clock.advance(STEP_MS);
    state = (await evaluator.evaluate(state, ctx())).state;
  }
  const tests: RateTestState[][] = [];
  const counts: Step[][] = [];
  for (const id of ['error-rate', 'latency-p99']) {
    const segment = state.signals[id]?.segments[''];
    if (!segment) throw new Error(`stats-update: no aggregate segment for ${id}`);
    tests.push((Object.values(segment.tests) as RateTestState[]).map((t) => (near ? nearThreshold(t) : t)));
    counts.push(segment.recent.map((i) => ({ events: i.events, trials: i.trials, tail: i.tail ?? 0 })));
  }
  return { tests, counts };
}

/** The state with its events raised (every copy's share) until its log e-value nears the threshold. */
function nearThreshold(test: RateTestState): RateTestState {
  if (test.kind !== 'baseline') return test;
  const rate = test.baselineInterval[1] * 1.6;
  return { ...test, events: test.trials * rate, observedEvents: test.trials * rate };
}

const engines: { root: string; update: Update; reader: Read | null }[] = [];
for (const root of roots) {
  const url = pathToFileURL(resolve(root, 'packages/core/src/stats/rate-test.ts')).href;
  const module = (await import(url)) as {
    updateRateTest: Update;
    rateTestFigures: Read;
    summarizeRateTest: Read;
  };
  const reader =
    read === 'figures' ? module.rateTestFigures : read === 'summary' ? module.summarizeRateTest : null;
  engines.push({ root, update: module.updateRateTest, reader });
}

const work = await countWork(60);
const traces = new Map<string, number[]>();
let sink = 0;

/** CPU ms of one step of `watches` watches' count tests, p50 over `ticks` steps; the logE trace. */
function run(update: Update, reader: Read | null): { ms: number; trace: number[] } {
  const states = Array.from({ length: watches }, () => work.tests.map((t) => [...t]));
  const per: number[] = [];
  const trace: number[] = [];
  for (let k = 0; k < ticks; k++) {
    const from = process.cpuUsage();
    for (const signals of states) {
      for (let s = 0; s < signals.length; s++) {
        const tests = signals[s] as RateTestState[];
        const steps = work.counts[s] as Step[];
        const step = steps[k % steps.length] as Step;
        for (let i = 0; i < tests.length; i++) {
          // The latency's second test is its tail's: the tail's events of the same trials.
          const events = i === 1 ? step.tail : step.events;
          tests[i] = update(tests[i] as RateTestState, { events, trials: step.trials });
          if (reader !== null) sink += reader(tests[i] as RateTestState).logE;
        }
      }
    }
    const used = process.cpuUsage(from);
    per.push((used.user + used.system) / 1000);
    for (const t of states[0]?.flat() ?? []) {
      trace.push(t.kind === 'sprt' ? t.logLikelihoodRatio : t.logE, t.rejected ? 1 : 0);
    }
  }
  return { ms: median(per), trace };
}

const perEngine = new Map<string, number[]>(engines.map((e) => [e.root, []]));
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? engines : [...engines].reverse();
  for (const { root, update, reader } of order) {
    const { ms, trace } = run(update, reader);
    const usPerCountSignal = (ms * 1000) / (watches * 2);
    perEngine.get(root)?.push(usPerCountSignal);
    const first = traces.get('first');
    if (first === undefined) traces.set('first', trace);
    else if (first.some((v, i) => !Object.is(v, trace[i])))
      throw new Error(`stats-update: ${root} returns other e-values than ${engines[0]?.root}`);
    console.log(JSON.stringify({ round, root, watches, near, read, usPerCountSignal }));
  }
}
// Round 0 warms the code up; the medians are of the rounds after it.
const summary = engines.map(({ root }) => {
  const all = perEngine.get(root) ?? [];
  return { root, usPerCountSignal: median(all.length > 1 ? all.slice(1) : all) };
});
if (Number.isNaN(sink)) throw new Error('stats-update: a read went NaN');
console.log(JSON.stringify({ watches, near, read, identicalLogE: true, summary }));
