import { resolve } from 'node:path';
import { RollgateError } from '@rollgate/core';
import { loadScenarios } from '@rollgate/core/node';
import {
  type ContractOverrides,
  type DecisionScore,
  type ReplayResult,
  replayScenario,
  type Scenario,
  scoreDecisions,
} from '@rollgate/core/scenarios';
import { flag, type ParsedArgs, stringOption } from '../cli/arg-parser';
import { EXIT_CODES } from '../cli/exit-codes';
import { UsageError } from '../cli/usage-error';
import { loadContractOverrides } from '../config/contract-overrides';
import type { Io } from '../io/io';

/** The run of `rollgate backtest` (its definition and help: commands/backtest.ts). */
export async function runBacktest(args: ParsedArgs, io: Io): Promise<number> {
  const paths = args.positionals.map((p) => resolve(io.cwd, p));
  if (paths.length === 0) throw new UsageError('give at least one scenario file or directory', 'backtest');
  const contractFile = stringOption(args, 'contract');
  const overrides: ContractOverrides = contractFile
    ? await loadContractOverrides(resolve(io.cwd, contractFile))
    : {};
  const json = flag(args, 'json');
  const files = await loadScenarios(paths);
  const scenarios = files.filter((f) => f.ok);
  const malformed = files.filter((f) => !f.ok);
  for (const bad of malformed) {
    for (const line of bad.errors) io.stderr.write(`rollgate backtest: ${line}\n`);
  }
  if (!json && scenarios.length > 0) io.stdout.write(`${header()}\n`);
  const results: ReplayResult[] = [];
  for (const [i, file] of scenarios.entries()) {
    if (!file.ok) continue;
    const result = await replayOne(file.scenario, overrides, file.file, io);
    if (!result) continue;
    results.push(result);
    if (json) {
      const { name, decision, decidedAtStep, signal, reason } = result;
      io.stdout.write(`${JSON.stringify({ name, decision, decidedAtStep, signal, reason })}\n`);
    } else {
      io.stdout.write(`${row(file.scenario, result)}\n`);
    }
    if (io.stderr.isTTY && scenarios.length > 10 && !json)
      io.stderr.write(`\rreplayed ${i + 1}/${scenarios.length}`);
  }
  if (io.stderr.isTTY && scenarios.length > 10 && !json) io.stderr.write('\n');
  const replayed = scenarios.flatMap((f) => (f.ok ? [f.scenario] : []));
  const score = scoreDecisions(replayed, results);
  const failedReplays = scenarios.length - results.length;
  if (json) {
    io.stdout.write(`${JSON.stringify(summaryLine(score, malformed.length + failedReplays))}\n`);
  } else {
    io.stdout.write(`\n${summaryText(score, malformed.length + failedReplays)}\n`);
  }
  return malformed.length + failedReplays > 0 ? EXIT_CODES.failure : EXIT_CODES.ok;
}

async function replayOne(
  scenario: Scenario,
  overrides: ContractOverrides,
  file: string,
  io: Io,
): Promise<ReplayResult | null> {
  try {
    return await replayScenario(scenario, overrides);
  } catch (error) {
    // An override that does not validate for this scenario (e.g. a step it cannot have).
    const message = RollgateError.is(error)
      ? error.message
      : error instanceof Error
        ? error.message
        : String(error);
    io.stderr.write(`rollgate backtest: ${file}: ${message}\n`);
    return null;
  }
}

const COLUMNS = [
  ['scenario', 40],
  ['truth', 9],
  ['decision', 9],
  ['step', 5],
  ['delay s', 8],
  ['signal', 24],
] as const;

function header(): string {
  return COLUMNS.map(([name, width]) => name.padEnd(width)).join(' ');
}

function row(scenario: Scenario, r: ReplayResult): string {
  const truth = scenario.truth;
  const delay =
    r.decidedAtStep !== null && truth.faultStartStep !== null && r.decision === 'rollback'
      ? String((r.decidedAtStep - truth.faultStartStep) * scenario.stepSeconds)
      : '-';
  const mark =
    r.decision === truth.verdict || (truth.verdict === 'keep' && r.decision === 'keep') ? ' ' : '!';
  const cells = [
    `${mark}${r.name}`,
    truth.verdict,
    r.decision,
    r.decidedAtStep === null ? '-' : String(r.decidedAtStep),
    delay,
    r.signal ?? '-',
  ];
  return cells.map((c, i) => c.slice(0, (COLUMNS[i]?.[1] ?? 10) - 1).padEnd(COLUMNS[i]?.[1] ?? 10)).join(' ');
}

function summaryLine(score: DecisionScore, failed: number) {
  return {
    summary: true,
    scenarios: score.scenarios,
    failed,
    rollbackScenarios: score.rollbackScenarios,
    detected: score.detected,
    detectionRate: score.detectionRate,
    falseRollbacks: score.falseRollbacks,
    incidentScenarios: score.incidentScenarios,
    incidentsRouted: score.incidentsRouted,
    medianDelaySeconds: score.delayMedianSeconds,
    p95DelaySeconds: score.delayP95Seconds,
  };
}

function summaryText(score: DecisionScore, failed: number): string {
  const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);
  const s = (x: number | null) => (x === null ? 'n/a' : `${x} s`);
  return [
    `scenarios: ${score.scenarios}${failed > 0 ? ` (+${failed} could not be replayed)` : ''}`,
    `detection rate: ${pct(score.detectionRate)} (${score.detected}/${score.rollbackScenarios} rollback scenarios)`,
    `false rollbacks: ${score.falseRollbacks}`,
    `incidents routed: ${score.incidentsRouted}/${score.incidentScenarios}`,
    `detection delay: median ${s(round(score.delayMedianSeconds))}, p95 ${s(round(score.delayP95Seconds))}`,
    "('!' marks a decision that differs from the scenario's truth)",
  ].join('\n');
}

function round(x: number | null): number | null {
  return x === null ? null : Math.round(x * 10) / 10;
}
