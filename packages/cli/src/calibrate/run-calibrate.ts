import { resolve } from 'node:path';
import {
  type ContractInput,
  clopperPearsonUpper,
  type MetricSource,
  parseContract,
  RollgateError,
  type SignalInput,
} from '@rollgate/core';
import { loadScenarios } from '@rollgate/core/node';
import {
  type ContractOverrides,
  type DecisionScore,
  type ReplayResult,
  replayScenario,
  type Scenario,
  scoreDecisions,
} from '@rollgate/core/scenarios';
import { stringify as toYaml } from 'yaml';
import { flag, type ParsedArgs, stringOption } from '../cli/arg-parser';
import { EXIT_CODES } from '../cli/exit-codes';
import { UsageError } from '../cli/usage-error';
import { findConfigFile, type LoadedConfig, loadConfig } from '../config/load-config';
import type { Io } from '../io/io';
import { createRedactor, redactingIo } from '../io/secret-redactor';
import { buildSources, disposeSources } from '../wiring/build-adapters';
import { cachingSource } from './caching-source';
import { type Candidate, candidateGrid } from './candidates';
import { type HistoryWindow, replayHistory } from './history-replay';

/** Confidence of the upper bound on a variant's false-rollback rate. */
const CONFIDENCE = 0.95;

/** Contract fields a scenario dictates (its step, windows and buckets); not calibrated. */
const SCENARIO_TIMING = ['stepSeconds', 'baselineSeconds', 'bakeSeconds', 'latencyBucketsMs'] as const;

/** The run of `rollgate calibrate` (its definition and help: commands/calibrate.ts). */
export async function runCalibrate(args: ParsedArgs, baseIo: Io): Promise<number> {
  const since = stringOption(args, 'since');
  const scenarioArg = stringOption(args, 'scenarios');
  if ((since === undefined) === (scenarioArg === undefined)) {
    throw new UsageError('give exactly one of --since DURATION or --scenarios DIR', 'calibrate');
  }
  const target = parseRate(stringOption(args, 'target') ?? '0.01');
  const loaded = await loadConfigFor(args, baseIo, scenarioArg !== undefined);
  const io = loaded ? redactingIo(baseIo, createRedactor(loaded.secrets)) : baseIo;
  const json = flag(args, 'json');
  const base = loaded ? userOverrides(loaded) : {};
  const grid = candidateGrid(base);
  const results =
    scenarioArg !== undefined
      ? await scenarioMode(
          scenarioArg.split(',').map((p) => resolve(io.cwd, p)),
          grid,
          io,
          json,
        )
      : await historyMode(
          loaded as LoadedConfig,
          grid,
          parseDuration(since as string, '--since'),
          parseDuration(stringOption(args, 'every') ?? '6h', '--every'),
          io,
          json,
        );
  if (results === null) return EXIT_CODES.failure;
  const chosen = choose(results, target);
  report(results, chosen, target, io, json, since === undefined ? 'scenario' : 'pseudo-deploy');
  return chosen?.proven ? EXIT_CODES.ok : EXIT_CODES.needsHuman;
}

/**
 * The configuration, or (scenario mode, no `--config`, `$ROLLGATE_CONFIG` or file here) none:
 * scenarios carry their own timing, so the default contract can be calibrated from anywhere.
 */
async function loadConfigFor(args: ParsedArgs, io: Io, scenarios: boolean): Promise<LoadedConfig | null> {
  const explicit = stringOption(args, 'config');
  try {
    return await loadConfig(await findConfigFile(explicit, io.cwd, io.env), io.env);
  } catch (error) {
    const absent =
      RollgateError.is(error) &&
      error.code === 'CONFIG_INVALID' &&
      error.message.startsWith('no configuration file');
    if (!scenarios || explicit !== undefined || !absent) throw error;
    io.stderr.write('rollgate calibrate: no configuration file here: calibrating the default contract.\n');
    return null;
  }
}

/** How one variant did. `falseRate` is over the cases where a rollback is wrong. */
interface CandidateResult {
  readonly candidate: Candidate;
  readonly falseRollbacks: number;
  readonly negatives: number;
  readonly falseRate: number;
  /** The upper confidence bound ({@link CONFIDENCE}) of the false-rollback rate: what is proven. */
  readonly falseRateUpper: number;
  readonly detectionRate: number | null;
  readonly medianDelaySeconds: number | null;
  readonly p95DelaySeconds: number | null;
  /** What this variant would have rolled back, for the report. */
  readonly rollbacks: readonly string[];
}

async function scenarioMode(
  paths: string[],
  grid: readonly Candidate[],
  io: Io,
  json: boolean,
): Promise<CandidateResult[] | null> {
  const files = await loadScenarios(paths);
  for (const bad of files)
    if (!bad.ok) for (const line of bad.errors) io.stderr.write(`rollgate calibrate: ${line}\n`);
  const scenarios = files.flatMap((f) => (f.ok ? [f.scenario] : []));
  if (scenarios.length === 0) {
    io.stderr.write('rollgate calibrate: no scenario could be read\n');
    return null;
  }
  const out: CandidateResult[] = [];
  for (const [i, candidate] of grid.entries()) {
    if (!json)
      io.stderr.write(
        `calibrating: variant ${i + 1}/${grid.length} (${candidate.label}) over ${scenarios.length} scenarios\n`,
      );
    const decisions: ReplayResult[] = [];
    for (const scenario of scenarios) decisions.push(await replayScenario(scenario, candidate.overrides));
    const score = scoreDecisions(scenarios, decisions);
    out.push(fromScore(candidate, score, scenarios, decisions));
  }
  return out;
}

function fromScore(
  candidate: Candidate,
  score: DecisionScore,
  scenarios: readonly Scenario[],
  decisions: readonly ReplayResult[],
): CandidateResult {
  const negatives = score.keepScenarios + score.incidentScenarios;
  const truth = new Map(scenarios.map((s) => [s.name, s]));
  return {
    candidate,
    falseRollbacks: score.falseRollbacks,
    negatives,
    falseRate: negatives === 0 ? 0 : score.falseRollbacks / negatives,
    falseRateUpper: upperBound(score.falseRollbacks, negatives),
    detectionRate: score.detectionRate,
    medianDelaySeconds: score.delayMedianSeconds,
    p95DelaySeconds: score.delayP95Seconds,
    rollbacks: decisions
      .filter((d) => d.decision === 'rollback')
      .map((d) => {
        const s = truth.get(d.name);
        const delay =
          s?.truth.faultStartStep != null && d.decidedAtStep !== null
            ? ` after ${(d.decidedAtStep - s.truth.faultStartStep) * s.stepSeconds} s`
            : '';
        return `${d.name} (${s?.truth.verdict === 'rollback' ? 'true' : 'FALSE'} rollback${delay}, ${d.signal ?? '?'})`;
      }),
  };
}

async function historyMode(
  loaded: LoadedConfig,
  grid: readonly Candidate[],
  sinceMs: number,
  everyMs: number,
  io: Io,
  json: boolean,
): Promise<CandidateResult[] | null> {
  const raw = await buildSources(loaded);
  const sources: Record<string, MetricSource> = Object.fromEntries(
    Object.entries(raw).map(([k, s]) => [k, cachingSource(s)]),
  );
  try {
    const contract = loaded.contract;
    const now = Date.now();
    const first = now - sinceMs;
    const last = now - contract.bakeSeconds * 1000;
    const step = contract.stepSeconds * 1000;
    const starts: number[] = [];
    for (let t = first; t <= last; t += everyMs) starts.push(Math.floor(t / step) * step);
    if (starts.length === 0) {
      io.stderr.write(
        `rollgate calibrate: --since must be longer than one bake (${contract.bakeSeconds} s)\n`,
      );
      return null;
    }
    const out: CandidateResult[] = [];
    for (const [i, candidate] of grid.entries()) {
      const variant = parseContract(
        { ...contract, ...candidate.overrides } as ContractInput,
        'calibration variant',
      );
      const windows = await replayHistory(variant, sources, starts, (done) => {
        if (!json && (done % 10 === 0 || done === starts.length)) {
          io.stderr.write(
            `calibrating: variant ${i + 1}/${grid.length} (${candidate.label}): ${done}/${starts.length} pseudo-deploys\n`,
          );
        }
      });
      out.push(fromHistory(candidate, windows));
    }
    return out;
  } finally {
    await disposeSources(raw);
  }
}

function fromHistory(candidate: Candidate, windows: readonly HistoryWindow[]): CandidateResult {
  const rollbacks = windows.filter((w) => w.decision === 'rollback');
  return {
    candidate,
    falseRollbacks: rollbacks.length,
    negatives: windows.length,
    falseRate: rollbacks.length / windows.length,
    falseRateUpper: upperBound(rollbacks.length, windows.length),
    detectionRate: null,
    medianDelaySeconds: null,
    p95DelaySeconds: null,
    rollbacks: rollbacks.map((w) => `${new Date(w.deployAt).toISOString()}: ${w.signal ?? '?'}: ${w.reason}`),
  };
}

/** The one-sided upper confidence bound of `k` false rollbacks in `n` cases (1 with no case). */
function upperBound(k: number, n: number): number {
  return n === 0 ? 1 : clopperPearsonUpper(k, n, 1 - CONFIDENCE);
}

/** Cases without a false rollback needed before the upper bound can fall to `target`. */
function casesNeeded(target: number): number {
  return target <= 0 ? Number.POSITIVE_INFINITY : Math.ceil(Math.log(1 - CONFIDENCE) / Math.log1p(-target));
}

/**
 * The suggestion: among the variants proven within the target (upper bound), else among those
 * merely observed within it, the one that detects the most, then the fastest, then the one
 * closest to the configuration (the grid lists it first).
 */
function choose(
  results: readonly CandidateResult[],
  target: number,
): { readonly best: CandidateResult; readonly proven: boolean } | null {
  const proven = results.filter((r) => r.falseRateUpper <= target);
  const observed = results.filter((r) => r.falseRate <= target);
  const pool = proven.length > 0 ? proven : observed;
  if (pool.length === 0) return null;
  const best = [...pool].sort(
    (a, b) =>
      (b.detectionRate ?? 0) - (a.detectionRate ?? 0) ||
      (a.medianDelaySeconds ?? Number.POSITIVE_INFINITY) - (b.medianDelaySeconds ?? Number.POSITIVE_INFINITY),
  )[0] as CandidateResult;
  return { best, proven: proven.length > 0 };
}

function report(
  results: readonly CandidateResult[],
  chosen: { readonly best: CandidateResult; readonly proven: boolean } | null,
  target: number,
  io: Io,
  json: boolean,
  caseName: 'scenario' | 'pseudo-deploy',
): void {
  const needed = casesNeeded(target);
  if (json) {
    for (const r of results) {
      io.stdout.write(
        `${JSON.stringify({ variant: r.candidate.label, changes: r.candidate.changes, falseRollbacks: r.falseRollbacks, cases: r.negatives, falseRate: r.falseRate, falseRateUpperBound: r.falseRateUpper, confidence: CONFIDENCE, meetsTarget: r.falseRateUpper <= target, detectionRate: r.detectionRate, medianDelaySeconds: r.medianDelaySeconds, p95DelaySeconds: r.p95DelaySeconds })}\n`,
      );
    }
    io.stdout.write(
      `${JSON.stringify({ suggestion: chosen ? { variant: chosen.best.candidate.label, changes: chosen.best.candidate.changes, proven: chosen.proven } : null, target, confidence: CONFIDENCE, casesNeeded: Number.isFinite(needed) ? needed : null })}\n`,
    );
    return;
  }
  const configured = results[0];
  if (configured) {
    io.stdout.write(
      `\nAs configured: ${configured.falseRollbacks} false rollback(s) in ${configured.negatives} ${caseName}(s)`,
    );
    if (configured.detectionRate !== null) {
      io.stdout.write(
        `, ${pct(configured.detectionRate)} detected, median delay ${fmt(configured.medianDelaySeconds)}`,
      );
    }
    io.stdout.write(
      `\n  proven: false-rollback rate <= ${pct(configured.falseRateUpper)} (${pct(CONFIDENCE)} upper confidence bound)\n`,
    );
    for (const r of configured.rollbacks) io.stdout.write(`  would roll back: ${r}\n`);
  }
  io.stdout.write(
    `${'\nvariant'.padEnd(60)} false rollbacks  rate <= (95%)  detected  median delay  p95 delay\n`,
  );
  for (const r of results) {
    io.stdout.write(
      `${r.candidate.label.padEnd(59)} ${`${r.falseRollbacks}/${r.negatives}`.padEnd(16)} ${pct(r.falseRateUpper).padEnd(14)} ${(r.detectionRate === null ? '-' : pct(r.detectionRate)).padEnd(9)} ${fmt(r.medianDelaySeconds).padEnd(13)} ${fmt(r.p95DelaySeconds)}\n`,
    );
  }
  if (!chosen) {
    io.stdout.write(
      `\nNo variant keeps false rollbacks within ${pct(target)}: look at the signals above (a noisy metric, a selector that mixes services) before tuning further.\n`,
    );
    return;
  }
  const best = chosen.best;
  if (!chosen.proven) {
    io.stdout.write(
      `\nNot proven: ${best.falseRollbacks} false rollback(s) in ${best.negatives} ${caseName}(s) bounds the false-rollback rate at ${pct(best.falseRateUpper)} (${pct(CONFIDENCE)} confidence), not ${pct(target)}. Claiming ${pct(target)} needs at least ${needed} ${caseName}s without a false rollback (${caseName === 'pseudo-deploy' ? 'a longer --since or a shorter --every' : 'more scenarios'}).\n`,
    );
  }
  if (Object.keys(best.candidate.changes).length === 0) {
    io.stdout.write(
      chosen.proven
        ? `\nThe configured contract meets the target (${pct(target)}, proven at ${pct(CONFIDENCE)} confidence); no change suggested.\n`
        : '\nThe configured contract did best on this data; no change suggested.\n',
    );
    return;
  }
  const snippet: Record<string, unknown> = {};
  for (const key of ['alpha', 'warmupSeconds', 'coldStartSeconds'] as const) {
    if (
      key in best.candidate.changes ||
      (key === 'coldStartSeconds' && 'warmupSeconds' in best.candidate.changes)
    ) {
      snippet[key] = best.candidate.overrides[key];
    }
  }
  if ('minSamples' in best.candidate.changes) snippet.signals = best.candidate.overrides.signals;
  io.stdout.write(
    `\n${chosen.proven ? 'Suggested' : 'Best on this data (not proven)'} (${best.candidate.label}): put under \`contract:\` in the configuration:\n\n${indent(toYaml(snippet))}\n`,
  );
}

/** The configuration's own contract overrides, without what scenarios dictate; sources as `default`. */
function userOverrides(loaded: LoadedConfig): ContractOverrides {
  const raw = { ...(loaded.config.contract ?? {}) } as Record<string, unknown>;
  for (const key of SCENARIO_TIMING) delete raw[key];
  if (Array.isArray(raw.signals)) {
    raw.signals = (raw.signals as SignalInput[]).map((s) => {
      const { source: _source, ...rest } = s;
      return rest;
    });
  }
  return raw as ContractOverrides;
}

function parseDuration(text: string, option: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(text.trim());
  if (!m)
    throw new UsageError(
      `${option}: expected a duration such as 90m, 12h or 30d, got "${text}"`,
      'calibrate',
    );
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

function parseRate(text: string): number {
  const v = Number(text);
  if (!Number.isFinite(v) || v < 0 || v >= 1)
    throw new UsageError(`--target: expected a rate in [0, 1), got "${text}"`, 'calibrate');
  return v;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

function fmt(s: number | null): string {
  return s === null ? '-' : `${Math.round(s * 10) / 10} s`;
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
