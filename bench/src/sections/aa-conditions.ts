import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clopperPearsonUpper, Evaluator } from '@rollgate/core';
import { MemoryMetricSource, SimulatedClock, type StepData } from '@rollgate/core/testing';
import { REPLAY_EPOCH_MS, type Scenario, scenarioContract } from '@rollgate/testkit/scenarios';
import { ENVELOPE_FAMILIES } from '../scenarios/envelope-families';
import { FAMILIES, type Family, familySpecs } from '../scenarios/families';
import { postProcess } from '../scenarios/probe-data-families';
import { MEMORY_FAMILIES } from '../scenarios/probe-memory-families';
import { synthesize } from '../scenarios/synthesize';
import type { BenchContext, BenchModule, BenchSection } from '../section';

/**
 * A/A validity of the whole default contract under the conditions of issue 12: healthy deploys
 * (nothing changes at the deploy) with steady traffic, bursty (overdispersed) errors, trending
 * traffic whose latency follows the load, load surges that slow every request, very low traffic
 * (a baseline of a few events), and memory on a GC sawtooth, under load surges that hold
 * sessions, after a level shift, and while a young process sizes its heap. Every signal
 * is evaluated at every 5 s step of a 15 min bake; any confirmed breach is a false rollback,
 * whose rate must stay at most alpha (0.01) under each condition.
 */

/** The conditions: a healthy family each (bench/src/scenarios/families.ts). */
export const AA_CONDITIONS: readonly { readonly family: string; readonly label: string }[] = [
  { family: 'steady-keep', label: 'steady traffic, 1-100 req/s' },
  { family: 'lowtraffic-keep', label: 'low traffic, 0.1-0.5 req/s, 1-3% errors' },
  { family: 'bursty-keep', label: 'bursty (overdispersed) errors and traffic' },
  { family: 'trend-keep', label: 'trending traffic (-150% to +150% an hour), latency following load' },
  { family: 'surge-keep', label: 'load surges 2-5x for 2-5 min, median +15-40%' },
  { family: 'gc-keep', label: 'memory on a GC sawtooth' },
  { family: 'mem-surge-keep', label: 'sessions held 20-120 s, a load surge raising memory 2-15%' },
  { family: 'mem-shift-keep', label: 'memory level shift of 1-8% on a healthy release' },
  { family: 'mem-warmup-keep', label: 'a young process growing its heap 3-15% for 20-90 s after the deploy' },
];

/**
 * Conditions run only when named (the third argument of the script below), not by `pnpm bench`:
 * the families of later rounds, checked the same way without changing the nine-condition table.
 */
export const EXTRA_AA_CONDITIONS: readonly { readonly family: string; readonly label: string }[] = [
  {
    family: 'surge-memory-keep',
    label: 'a load surge holding 20-120% of the heap at its peak, given back over 15-300 s',
  },
  {
    family: 'mem-prior-fall-keep',
    label: 'a previous surge or restart inside the pre-deploy window, its memory falling back',
  },
];

/** The scenario's series as the in-memory source's steps. */
export function stepsOf(scenario: Scenario): StepData[] {
  const s = scenario.series;
  return s.requests.map((requests, i) => ({
    requests,
    errors: s.errors[i] ?? 0,
    latencyHistogram: s.latencyHistogram[i] ?? [],
    latencyP99Ms: s.latencyP99Ms[i] ?? null,
    ...(s.memoryBytes ? { memory: s.memoryBytes[i] as number } : {}),
    ...(s.cpuCores ? { cpu: s.cpuCores[i] as number } : {}),
    ...(s.ready ? { ready: s.ready[i] as number } : {}),
    ...(s.restarts ? { restarts: s.restarts[i] as number } : {}),
  }));
}

/** Runs the evaluator over a scenario's bake; the first confirmed breach, or null. */
export async function firstBreach(scenario: Scenario): Promise<string | null> {
  const contract = scenarioContract(scenario);
  const stepMs = scenario.stepSeconds * 1000;
  const deployAt = REPLAY_EPOCH_MS + scenario.deployAtStep * stepMs;
  const clock = new SimulatedClock(deployAt);
  const source = new MemoryMetricSource({
    clock,
    startMs: REPLAY_EPOCH_MS,
    stepMs,
    steps: stepsOf(scenario),
    latencyBucketsMs: scenario.latencyBucketsMs,
  });
  const evaluator = new Evaluator({ contract, sources: { default: source }, clock });
  let state = evaluator.start(deployAt);
  const ctx = { signal: new AbortController().signal, deadline: Number.POSITIVE_INFINITY };
  const bakeSteps = scenario.series.requests.length - scenario.deployAtStep;
  for (let k = 1; k <= bakeSteps; k++) {
    clock.advance(stepMs);
    const r = await evaluator.evaluate(state, ctx);
    state = r.state;
    if (r.evaluation.decision.type === 'breach') return r.evaluation.decision.reason;
    if (r.evaluation.decision.type !== 'continue') break;
  }
  return null;
}

/** One condition's tally. */
export interface AaRow {
  readonly family: Family;
  readonly label: string;
  readonly deploys: number;
  readonly falseRollbacks: number;
  readonly reasons: readonly string[];
}

/** Runs `deploys` healthy deploys of each condition (set `aa`, seeded). */
export async function runAaConditions(
  deploys: number,
  log?: (m: string) => void,
  only?: readonly string[],
): Promise<AaRow[]> {
  const rows: AaRow[] = [];
  const conditions = [
    ...AA_CONDITIONS.filter((c) => !only || only.includes(c.family)),
    ...EXTRA_AA_CONDITIONS.filter((c) => only?.includes(c.family)),
  ];
  for (const condition of conditions) {
    const family = [...FAMILIES, ...MEMORY_FAMILIES, ...ENVELOPE_FAMILIES].find(
      (f) => f.id === condition.family,
    );
    if (!family) throw new Error(`no family ${condition.family}`);
    let falseRollbacks = 0;
    const reasons: string[] = [];
    for (const spec of familySpecs(family, 'aa', deploys)) {
      const reason = await firstBreach(postProcess(family, synthesize(spec)).scenario);
      if (reason !== null) {
        falseRollbacks++;
        reasons.push(`${spec.name}: ${reason}`);
      }
    }
    log?.(`aa: ${condition.family}: ${falseRollbacks}/${deploys}`);
    rows.push({ family, label: condition.label, deploys, falseRollbacks, reasons });
    await new Promise((r) => setImmediate(r));
  }
  return rows;
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

/** The table of a finished run. */
export function aaConditionsSection(rows: readonly AaRow[]): BenchSection {
  const total = rows.reduce((a, r) => a + r.deploys, 0);
  const fr = rows.reduce((a, r) => a + r.falseRollbacks, 0);
  const line = (label: string, deploys: number, falseRollbacks: number) => [
    label,
    deploys,
    falseRollbacks,
    pct(falseRollbacks / deploys),
    pct(clopperPearsonUpper(falseRollbacks, deploys, 0.025)),
    falseRollbacks / deploys <= 0.01 ? 'yes' : 'NO',
  ];
  return {
    title: 'Decision quality: A/A through the whole default contract, by condition',
    description:
      'Healthy deploys drawn from seeded families (set `aa`, not the DEV or HELD-OUT seeds), every signal of the default ' +
      'contract (alpha 0.01) evaluated at every 5 s step of a 15 min bake after a 30 min baseline; any confirmed breach ' +
      'is a false rollback. Each condition stresses an assumption of the tests: bursty errors (overdispersion), ' +
      'trending traffic with latency following it (non-stationarity), load surges (a confounder the baseline never saw).',
    columns: ['Condition', 'Deploys', 'False rollbacks', 'Rate', 'Upper 95% bound', 'Rate <= alpha'],
    rows: [
      ...rows.map((r) => line(r.label, r.deploys, r.falseRollbacks)),
      line('**all conditions**', total, fr),
    ],
    notes: rows.flatMap((r) => r.reasons.map((reason) => `False rollback: ${reason}`)).slice(0, 10),
  };
}

/** The module of `pnpm bench`. */
export const aaConditionsBench: BenchModule = async (ctx: BenchContext) => {
  const deploys = ctx.quick ? 30 : 200;
  return [aaConditionsSection(await runAaConditions(deploys, (m) => ctx.log(m)))];
};

// `node --conditions=source --import tsx bench/src/sections/aa-conditions.ts [deploys]`
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const rows = await runAaConditions(
    Number(process.argv[2] ?? 50),
    (m) => process.stderr.write(`${m}\n`),
    process.argv[3]?.split(','),
  );
  const section = aaConditionsSection(rows);
  for (const row of section.rows) process.stdout.write(`${row.join(' | ')}\n`);
  for (const note of section.notes ?? []) process.stdout.write(`- ${note.slice(0, 300)}\n`);
}
