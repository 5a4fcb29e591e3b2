import type { BaselineSnapshot, Contract, Evaluation, SignalSummary, Verdict } from '@rollgate/core';
import { SIGNAL_KIND_TABLE, type SignalKind } from '@rollgate/core/signal-kinds';
import { formatCount, formatEvidence, formatValue, unitFor } from '../format/value-format';

/** One signal's line in the progress table, already formatted. */
export interface SignalRow {
  readonly signal: string;
  readonly status: Verdict['status'];
  /** The breach counts towards a rollback (sustained long enough). */
  readonly confirmed: boolean;
  /** What was observed, in the signal's unit (`0.51% (base 0.5%)`, `1.2% > 250 ms`, `312 ms`). */
  readonly value: string;
  /**
   * What decides, against its threshold: the evidence of a sequential test (`e 12 / 202`), a
   * trend's t statistic (`t 0.4 / 4`), or the limit of a static or ratio rule (`limit 500 ms`).
   */
  readonly evidence: string;
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

/** What a value and its evidence read as; shared by the progress table and `rollgate status`. */
export interface VerdictFacts {
  readonly kind: string;
  readonly rule: string;
  readonly resource?: string | undefined;
  readonly value: number | null | undefined;
  readonly threshold: number | null | undefined;
  readonly statistic?:
    | { readonly name: string; readonly value: number | null; readonly threshold: number | null }
    | null
    | undefined;
  /** Latency: the threshold L (ms) whose exceedances the sequential test counts. */
  readonly exceedanceThresholdMs?: number | null | undefined;
}

/**
 * The value and evidence columns of one verdict. A sequential rule's threshold is the baseline
 * rate, not a limit: it is shown beside the value (`base 0.5%`), and the evidence column holds
 * the e-value against 1/alpha. A latency signal judged by exceedances reads as the share of
 * requests slower than L (`1.2% > 250 ms`), so latency shows in ms, not as a bare share.
 */
export function describeVerdict(v: VerdictFacts): { readonly value: string; readonly evidence: string } {
  const sequential = v.rule === 'sequential';
  const unit = unitFor(v.kind, v.rule, v.resource);
  let value = formatValue(v.value, unit);
  if (sequential && countsExceedances(v.kind)) {
    const l = v.exceedanceThresholdMs;
    if (value !== '–') value = `${value} > ${l === null || l === undefined ? 'L' : formatValue(l, 'ms')}`;
  } else if (sequential && v.threshold !== null && v.threshold !== undefined && value !== '–') {
    value = `${value} (base ${formatValue(v.threshold, unit)})`;
  } else if (v.statistic && v.threshold !== null && v.threshold !== undefined && value !== '–') {
    // A trend judged by its t statistic still has a limit on the slope: keep it in view.
    value = `${value} (limit ${formatValue(v.threshold, unit)})`;
  }
  const evidence = v.statistic
    ? formatEvidence(v.statistic)
    : !sequential && v.threshold !== null && v.threshold !== undefined
      ? `limit ${formatValue(v.threshold, unit)}`
      : '–';
  return { value, evidence };
}

/** The table rows of one evaluation; `baseline` supplies latency thresholds (ms) when known. */
export function signalRows(
  evaluation: Evaluation,
  contract: Contract,
  baseline: BaselineSnapshot | null = null,
): SignalRow[] {
  return evaluation.signals.map((summary) => {
    const verdict = leadVerdict(summary);
    const signal = contract.signals.find((s) => s.id === summary.signal);
    const described = describeVerdict({
      kind: summary.kind,
      rule: verdict?.rule ?? signal?.rules[0]?.type ?? '',
      resource: signal?.resource,
      value: verdict?.value,
      threshold: verdict?.threshold,
      statistic: verdict?.statistic,
      exceedanceThresholdMs: baseline?.signals[summary.signal]?.exceedanceThresholdMs,
    });
    const segmentVerdicts = summary.verdicts.filter((v) => v.segment !== undefined);
    const segmentNames = new Set(segmentVerdicts.map((v) => v.segment));
    const breaching = new Set(segmentVerdicts.filter((v) => v.status === 'breach').map((v) => v.segment));
    return {
      signal: summary.signal,
      status: summary.status,
      confirmed: summary.confirmed,
      value: described.value,
      evidence: described.evidence,
      samples: verdict ? formatCount(verdict.samples) : '0',
      reason: verdict?.reason ?? '',
      segments: segmentNames.size > 0 ? `${breaching.size}/${segmentNames.size} segments breaching` : '',
    };
  });
}

/** A compact one-line summary of a row for plain output: `error-rate pass 0.51% (base 0.5%) (e 1.2 / 202, n=1,204)`. */
export function rowText(row: SignalRow): string {
  const facts = [row.evidence === '–' ? '' : row.evidence, `n=${row.samples}`, row.segments].filter(
    (f) => f !== '',
  );
  const status =
    row.status === 'breach' && row.confirmed
      ? 'BREACH(confirmed)'
      : row.status === 'breach'
        ? 'BREACH'
        : row.status;
  return `${row.signal} ${status} ${row.value}${facts.length > 0 ? ` [${facts.join(', ')}]` : ''}`;
}

/**
 * The decision of an evaluation in words that fit its window: during the recovery
 * verification a `promote` means the service recovered, not that anything is promoted.
 */
export function decisionText(evaluation: Evaluation): string {
  const type = evaluation.decision.type;
  if (evaluation.purpose !== 'verify') return type;
  switch (type) {
    case 'promote':
      return 'recovered';
    case 'continue':
      return 'verifying';
    default:
      return 'not recovered';
  }
}

/** The kind counts requests slower than a threshold L (a latency), per core's kinds table. */
function countsExceedances(kind: string): boolean {
  return (
    Object.hasOwn(SIGNAL_KIND_TABLE, kind) &&
    SIGNAL_KIND_TABLE[kind as SignalKind].counts?.events === 'latency-exceedances'
  );
}
