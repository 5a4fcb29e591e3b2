import type { SignalInput } from '@rollgate/core';
import type { ConfigProblem } from './config-problems';

/**
 * A label name of Prometheus' data model (https://prometheus.io/docs/concepts/data_model/), the
 * rule the Prometheus source applies at query time. Written here rather than imported: the
 * source is an optional peer of the CLI, and reading a file must not load its HTTP client.
 */
const LABEL_NAME_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A label name a signal puts into its queries, and where the file says it. */
export interface LabelUse {
  readonly name: string;
  /** The selector key, or the `segments.by` value, relative to where the signal is written. */
  readonly path: readonly (string | number)[];
  readonly atKey: boolean;
}

/** Every label name of a selector written at `path`. */
export function selectorLabels(selector: unknown, path: readonly (string | number)[]): LabelUse[] {
  if (typeof selector !== 'object' || selector === null || Array.isArray(selector)) return [];
  return Object.keys(selector).map((name) => ({ name, path: [...path, name], atKey: true }));
}

/** Every label name a signal puts into a query: its selector, `segments.by`, `stableSelector`s. */
export function signalLabels(signal: SignalInput, path: readonly (string | number)[]): LabelUse[] {
  const out = selectorLabels(signal.selector, [...path, 'selector']);
  if (typeof signal.segments?.by === 'string') {
    out.push({ name: signal.segments.by, path: [...path, 'segments', 'by'], atKey: false });
  }
  signal.rules.forEach((rule, j) => {
    if (rule.type === 'sequential') {
      out.push(...selectorLabels(rule.stableSelector, [...path, 'rules', j, 'stableSelector']));
    }
  });
  return out;
}

/**
 * Label names a Prometheus source must put into PromQL, checked when the file is read: a bad
 * name cannot be escaped, so the source would refuse every read of the signal (six
 * SOURCE_BAD_QUERY evaluations, then an escalation) instead of the file being refused at once.
 * New Relic quotes attribute names, so any name is fine there.
 */
export function prometheusLabelProblems(uses: readonly LabelUse[]): ConfigProblem[] {
  return uses.flatMap((use): ConfigProblem[] => {
    if (use.name === '__name__') {
      return [
        {
          path: use.path,
          atKey: use.atKey,
          message: "__name__ cannot be matched here: the signal's kind chooses the metric (or write queries)",
        },
      ];
    }
    if (LABEL_NAME_PATTERN.test(use.name)) return [];
    return [
      {
        path: use.path,
        atKey: use.atKey,
        message: `"${use.name}" is not a Prometheus label name (letters, digits and _, not starting with a digit); write ${suggest(use.name)}`,
      },
    ];
  });
}

function suggest(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned || 'a name such as app';
}
