import type { Signal } from '@rollgate/core';
import { SIGNAL_KIND_TABLE, type SignalKind } from '@rollgate/core/signal-kinds';

/**
 * How a signal's values read for a human: error rates and sequential-test rates as percentages,
 * latency quantiles in ms, memory in bytes, trends per second. Shared by the live progress and
 * the HTML report so both say the same thing.
 */
export type ValueUnit = 'rate' | 'ms' | 'bytes' | 'bytes/s' | 'cores' | 'cores/s' | 'fraction' | 'number';

/** How the kinds table's reason unit (`SignalKindSpec.unit`) reads as a display unit. */
const UNIT_OF_REASON_UNIT: Readonly<Record<string, 'ms' | 'bytes' | 'cores'>> = {
  ' ms': 'ms',
  ' B': 'bytes',
  ' cores': 'cores',
};

/**
 * The unit of a verdict's `value` and `threshold`, from the signal kind's entry in core's kinds
 * table and the rule type: a sequential test and a count ratio judge a rate, a health rule a
 * ready fraction, a rate-of-change rule a slope (per second) of the kind's unit; a kind the
 * table does not know reads as a plain number. No kind is named here: adding one is its entry
 * in the table.
 */
export function unitFor(kind: string, rule: string, resource?: string): ValueUnit {
  if (rule === 'sequential') return 'rate';
  const spec = Object.hasOwn(SIGNAL_KIND_TABLE, kind) ? SIGNAL_KIND_TABLE[kind as SignalKind] : undefined;
  if (spec === undefined) return 'number';
  if (spec.value === 'count-ratio') return 'rate';
  if (rule === 'health') return 'fraction';
  // Anything but cpu reads as memory (a report knows a resource only from the signal's id).
  const signal = { kind, resource: resource === 'cpu' ? 'cpu' : 'memory' } as Signal;
  const unit = UNIT_OF_REASON_UNIT[spec.unit(signal)];
  if (unit === undefined) return 'number';
  return rule === 'rate-of-change' && unit !== 'ms' ? `${unit}/s` : unit;
}

/** A value in its unit, compactly: `2.41%`, `312 ms`, `1.5 MiB`, `12 KiB/s`; `–` for none. */
export function formatValue(value: number | null | undefined, unit: ValueUnit): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  switch (unit) {
    case 'rate':
      return `${trim(value * 100)}%`;
    case 'fraction':
      return `${trim(value * 100)}%`;
    case 'ms':
      return value >= 10_000 ? `${trim(value / 1000)} s` : `${trim(value)} ms`;
    case 'bytes':
      return bytes(value);
    case 'bytes/s':
      return `${bytes(value)}/s`;
    case 'cores':
      return `${trim(value)} cores`;
    case 'cores/s':
      return `${trim(value)} cores/s`;
    case 'number':
      return trim(value);
  }
}

/** A plain number with at most 3 significant digits after trimming (`0.000123` → `1.23e-4`). */
export function trim(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 0.001 || abs >= 1e9)) return value.toExponential(2).replace(/\.?0+e/, 'e');
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  return String(Number(value.toPrecision(3)));
}

function bytes(value: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = Math.abs(value);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${value < 0 ? '-' : ''}${trim(v)} ${units[i]}`;
}

/** A count with thousands separators. */
export function formatCount(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : String(value);
}

/** Seconds as `45s`, `7m05s`, `1h02m`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '–';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** A test statistic: `log e 3.1/5.3` (value against the rejection threshold). */
export function formatStatistic(
  statistic:
    | { readonly name: string; readonly value: number | null; readonly threshold: number | null }
    | undefined
    | null,
): string {
  if (!statistic) return '–';
  const short =
    statistic.name === 'log-e-value'
      ? 'log e'
      : statistic.name === 'log-likelihood-ratio'
        ? 'log LR'
        : statistic.name;
  return `${short} ${formatValue(statistic.value, 'number')}/${formatValue(statistic.threshold, 'number')}`;
}

/**
 * A test's evidence against the threshold that decides, as a person reads it: a sequential
 * test's e-value against 1/alpha (`e 12 / 202`), an SPRT's likelihood ratio (`LR 3.1 / 99`), a
 * trend's t statistic (`t 0.4 / 4`). The statistics are kept as logarithms; shown here as the
 * plain numbers the thresholds are stated in.
 */
export function formatEvidence(
  statistic:
    | { readonly name: string; readonly value: number | null; readonly threshold: number | null }
    | undefined
    | null,
): string {
  if (!statistic) return '–';
  const { name, value, threshold } = statistic;
  if (name === 'log-e-value' || name === 'log-likelihood-ratio') {
    const short = name === 'log-e-value' ? 'e' : 'LR';
    return `${short} ${fromLog(value)} / ${fromLog(threshold)}`;
  }
  const short = name === 't-stat' ? 't' : name;
  return `${short} ${formatValue(value, 'number')} / ${formatValue(threshold, 'number')}`;
}

/** exp(x) compactly: `12`, `3.1e45`; `–` for none; `>1e308` past what a double holds. */
function fromLog(log: number | null): string {
  if (log === null || Number.isNaN(log)) return '–';
  if (log > 709) return '>1e308';
  const v = Math.exp(log);
  if (v >= 1e6) return v.toExponential(1).replace('e+', 'e');
  return trim(v);
}
