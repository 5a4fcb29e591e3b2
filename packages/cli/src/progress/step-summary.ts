import { appendFile } from 'node:fs/promises';
import type { BaselineSnapshot, Contract, Evaluation } from '@rollgate/core';
import { formatDuration } from '../format/value-format';
import { decisionText, signalRows } from './signal-rows';
import type { WatchSummary } from './watch-reporter';

/** What the job summary is built from. */
export interface StepSummaryInput {
  readonly summary: WatchSummary;
  readonly headline: string;
  readonly contract: Contract | null;
  /** The last evaluation of the watch (bake or verification), if any ran. */
  readonly evaluation: Evaluation | null;
  readonly baseline: BaselineSnapshot | null;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * The markdown a GitHub Actions job summary shows for a watch: the outcome, the facts, every
 * signal's last verdict with its evidence against its threshold, the breach, and where the
 * audit and the report are. Text from outside (reasons, ids) is escaped for tables.
 */
export function stepSummaryMarkdown(input: StepSummaryInput): string {
  const { summary: s, headline, contract, evaluation, baseline, env } = input;
  const icon = iconFor(s.outcome);
  const lines: string[] = [`### ${icon} Rollgate: ${cell(headline)}`, ''];
  const facts: [string, string][] = [
    ['Outcome', `\`${s.outcome}\` (exit ${s.exitCode})`],
    ['Service', s.service ?? '–'],
    ['Artifact', s.artifact ? `\`${s.artifact}\`` : '–'],
    ['Deployed at', s.deployedAt ?? '–'],
  ];
  if (s.failedArtifact || s.restoredArtifact)
    facts.push(['Rolled back', `\`${s.failedArtifact ?? '–'}\` → \`${s.restoredArtifact ?? '–'}\``]);
  if (s.recoveryVerified !== null) facts.push(['Recovery verified', s.recoveryVerified ? 'yes' : '**no**']);
  if (s.durationSeconds !== null) facts.push(['Duration', formatDuration(s.durationSeconds)]);
  if (s.dryRun) facts.push(['Dry run', 'yes: nothing was executed']);
  facts.push(['Watch', s.watchId ? `\`${s.watchId}\`` : '–']);
  lines.push('| | |', '|---|---|', ...facts.map(([k, v]) => `| ${k} | ${cell(v)} |`), '');
  lines.push(`**Why:** ${cell(s.reason)}`, '');
  if (evaluation && contract) {
    const rows = signalRows(evaluation, contract, baseline);
    lines.push(
      `**Signals** (${evaluation.purpose === 'verify' ? 'recovery verification' : 'bake'}, ${formatDuration(evaluation.elapsedSeconds)} in; ${decisionText(evaluation)})`,
      '',
      '| Signal | Verdict | Value | Evidence | Samples |',
      '|---|---|---|---|---:|',
      ...rows.map(
        (r) =>
          `| ${cell(r.signal)} | ${verdictText(r.status, r.confirmed)} | ${cell(r.value)} | ${cell(r.evidence)} | ${r.samples} |`,
      ),
      '',
    );
  }
  if (s.breach) {
    const b = s.breach;
    const evidence =
      b.statisticValue !== null && b.statistic === 'log-e-value' && b.alpha
        ? `e-value ${compact(Math.exp(b.statisticValue))} ≥ 1/alpha ${compact(1 / b.alpha)}`
        : `${b.statistic ?? 'value'} ${b.statisticValue ?? b.value ?? '–'}`;
    lines.push(
      `**Breach:** \`${cell(b.signal)}\` confirmed at ${b.confirmedAt} over ${b.samples.toLocaleString('en-US')} samples: ${evidence}.`,
      '',
    );
  }
  const where: string[] = [];
  if (s.audit) where.push(`audit record: \`${cell(s.audit)}\``);
  if (s.report) where.push(`report: \`${cell(s.report)}\``);
  const run =
    env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
      ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
      : null;
  if (s.report && run)
    where.push(`[the run's artifacts](${run}#artifacts) hold the report when it is uploaded`);
  if (s.resume) where.push(`resume with \`${cell(s.resume)}\``);
  if (where.length > 0) lines.push(...where.map((w) => `- ${w}`), '');
  return `${lines.join('\n')}\n`;
}

/** Appends `markdown` to `$GITHUB_STEP_SUMMARY` (nothing outside GitHub Actions). */
export async function writeStepSummary(
  env: Readonly<Record<string, string | undefined>>,
  markdown: string,
): Promise<void> {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) return;
  await appendFile(file, markdown);
}

function iconFor(outcome: WatchSummary['outcome']): string {
  switch (outcome) {
    case 'promoted':
      return '✅';
    case 'rolled-back':
    case 'would-roll-back':
      return '↩️';
    case 'incident-routed':
    case 'kept-on-hold':
    case 'interrupted':
      return '⚠️';
    default:
      return '🛑';
  }
}

function verdictText(status: string, confirmed: boolean): string {
  if (status === 'breach') return confirmed ? '**BREACH** (confirmed)' : '**breach**';
  return status;
}

/** A value safe inside a markdown table cell: no pipes, no line breaks. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function compact(v: number): string {
  if (!Number.isFinite(v)) return '>1e308';
  return v >= 1e6 ? v.toExponential(1).replace('e+', 'e') : String(Number(v.toPrecision(3)));
}
