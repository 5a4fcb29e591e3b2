import type { Contract, Evaluation, SignalSummary, Verdict } from '@rollgate/core';
import { formatCount, formatStatistic, formatValue, unitFor } from '../format/value-format';

/** One signal's line in the progress table, already formatted. */
export interface SignalRow {
  readonly signal: string;
  readonly status: Verdict['status'];
  /** The breach counts towards a rollback (sustained long enough). */
  readonly confirmed: boolean;
  readonly value: string;
  readonly threshold: string;
  readonly statistic: string;
  readonly samples: string;
  readonly reason: string;
  /** `2/5 segments breaching` when the signal is segmented. */
  readonly segments: string;
}

/**
 * The verdict that speaks for a signal: a breaching one when there is any (the aggregate first),
 * else the aggregate verdict of the first rule.
 */
export function leadVerdict(summary: SignalSummary): Verdict | undefined {
  const aggregate = summary.verdicts.filter((v) => v.segment === undefined);
  return (
    aggregate.find((v) => v.status === summary.status) ??
    summary.verdicts.find((v) => v.status === summary.status) ??
    aggregate[0] ??
    summary.verdicts[0]
  );
}

/** The table rows of one evaluation. */
export function signalRows(evaluation: Evaluation, contract: Contract): SignalRow[] {
  return evaluation.signals.map((summary) => {
    const verdict = leadVerdict(summary);
    const signal = contract.signals.find((s) => s.id === summary.signal);
    const unit = unitFor(summary.kind, verdict?.rule ?? signal?.rules[0]?.type ?? '', signal?.resource);
    const segmentVerdicts = summary.verdicts.filter((v) => v.segment !== undefined);
    const segmentNames = new Set(segmentVerdicts.map((v) => v.segment));
    const breaching = new Set(segmentVerdicts.filter((v) => v.status === 'breach').map((v) => v.segment));
    return {
      signal: summary.signal,
      status: summary.status,
      confirmed: summary.confirmed,
      value: formatValue(verdict?.value, unit),
      threshold: formatValue(verdict?.threshold, unit),
      statistic: formatStatistic(verdict?.statistic),
      samples: verdict ? formatCount(verdict.samples) : '0',
      reason: verdict?.reason ?? '',
      segments: segmentNames.size > 0 ? `${breaching.size}/${segmentNames.size} segments breaching` : '',
    };
  });
}

/** A compact one-line summary of a row for plain output: `error-rate pass 0.21% (thr 0.20%, log e 1.2/5.3, n=1,204)`. */
export function rowText(row: SignalRow): string {
  const facts = [
    row.threshold === '–' ? '' : `thr ${row.threshold}`,
    row.statistic === '–' ? '' : row.statistic,
    `n=${row.samples}`,
    row.segments,
  ].filter((f) => f !== '');
  const status =
    row.status === 'breach' && row.confirmed
      ? 'BREACH(confirmed)'
      : row.status === 'breach'
        ? 'BREACH'
        : row.status;
  return `${row.signal} ${status} ${row.value}${facts.length > 0 ? ` (${facts.join(', ')})` : ''}`;
}
