/**
 * The evaluator alone, side by side: `Evaluator.evaluate` of the default contract for `--watches`
 * watches per step on one in-memory source (no controller, no machine, no save), for two or
 * more checkouts in ONE process, runs interleaved and the order reversed every other round
 * (docs/benchmarks.md, kept block "floor10-issue-13"). Each argument is a checkout's root: its
 * `packages/core/src` is imported, so each run drives its own engine on the same data. From
 * bench/:
 *
 *   node --expose-gc --conditions=source --import tsx src/evaluator-compare.ts \
 *     --watches 250 --rounds 5 /work/wt/before ..
 *
 * Prints one JSON line per run: the process CPU time of one step of every watch, p50 (ms), and
 * per signal (us).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Core from '@rollgate/core';
import type * as Testing from '@rollgate/core/testing';
import { positiveIntegerOption } from './script-options';
import { stepData } from './sections/engine';
import { BASELINE_STEPS, SIGNALS_PER_WATCH, START, STEP_MS } from './sections/fleet';

const WARMUP_STEPS = 12;

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => positiveIntegerOption(args, name, fallback);
const watches = option('watches', 250);
const rounds = option('rounds', 5);
const ticks = option('ticks', 20);
if (args.length < 2) throw new Error('evaluator-compare: give two or more checkout roots to compare');

interface Engine {
  readonly dir: string;
  readonly core: typeof Core;
  readonly testing: typeof Testing;
}

const engines: Engine[] = [];
for (const dir of args) {
  const at = (path: string) => pathToFileURL(resolve(dir, 'packages/core/src', path)).href;
  engines.push({
    dir,
    core: (await import(at('index.ts'))) as typeof Core,
    testing: (await import(at('testing/index.ts'))) as typeof Testing,
  });
}

const ctx = () => ({ signal: new AbortController().signal, deadline: Number.POSITIVE_INFINITY });

/** CPU ms of one step of `watches` evaluators of `engine`, p50 over `ticks` steps after the warm-up. */
async function evaluatorStep({ core, testing }: Engine): Promise<number> {
  const clock = new testing.SimulatedClock(START + BASELINE_STEPS * STEP_MS);
  const source = new testing.MemoryMetricSource({
    clock,
    startMs: START,
    stepMs: STEP_MS,
    steps: stepData(BASELINE_STEPS + WARMUP_STEPS + ticks + 20),
  });
  const list: { evaluator: Core.Evaluator; state: Core.WatchState }[] = [];
  for (let w = 0; w < watches; w++) {
    const contract = core.parseContract({
      service: `svc-${w}`,
      stepSeconds: STEP_MS / 1000,
      baselineSeconds: BASELINE_STEPS * (STEP_MS / 1000),
      bakeSeconds: 86_400,
      signals: core.defaultSignals(),
    });
    const evaluator = new core.Evaluator({ contract, sources: { default: source }, clock });
    list.push({ evaluator, state: await evaluator.takeBaseline(evaluator.start(clock.now()), ctx()) });
  }
  const cpu: number[] = [];
  for (let i = 0; i < WARMUP_STEPS + ticks; i++) {
    clock.advance(STEP_MS);
    const from = process.cpuUsage();
    await Promise.all(
      list.map(async (watch) => {
        watch.state = (await watch.evaluator.evaluate(watch.state, ctx())).state;
      }),
    );
    const used = process.cpuUsage(from);
    if (i >= WARMUP_STEPS) cpu.push((used.user + used.system) / 1000);
  }
  cpu.sort((a, b) => a - b);
  return cpu[Math.floor(cpu.length / 2)] ?? Number.NaN;
}

for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? engines : [...engines].reverse();
  for (const engine of order) {
    const ms = await evaluatorStep(engine);
    const usPerSignal = (ms * 1000) / (watches * SIGNALS_PER_WATCH);
    console.log(JSON.stringify({ round, dir: engine.dir, watches, cpuP50Ms: ms, usPerSignal }));
  }
}
