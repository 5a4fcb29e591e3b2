import type { Rule, Signal } from '../contract/contract-schema';
import type { OnsetFinding } from '../evaluation/onset';
import type { MetricQuery } from '../ports/metric-source';
import { FINAL_LOOK_SHARE } from '../rules/sequential-count';
import { show } from '../rules/verdict';

/**
 * The one table of signal kinds: everything that differs between an error rate, a latency, a
 * resource and a health signal is said here, and every other file asks the table (through
 * {@link kindOf}) instead of testing `signal.kind`. Adding a kind is one edit in this file: its
 * name in {@link SIGNAL_KINDS} (the contract's `kind` enum is built from it) and its entry in
 * {@link SIGNAL_KIND_TABLE}, which the compiler then demands. docs/architecture.md, "Signal kinds".
 */
export const SIGNAL_KINDS = ['error-rate', 'latency', 'resource', 'health'] as const;

/** The kind of a signal: what it measures, and so how it is read and judged. */
export type SignalKind = (typeof SIGNAL_KINDS)[number];

/** Error-rate tests judge load-surge steps with their tolerance multiplied by this, by default. */
export const DEFAULT_ERROR_SURGE_TOLERANCE = 2;

/** How a count signal's events are counted and judged. */
export interface CountSpec {
  /**
   * The measure of an event: a failed request, or a request slower than the exceedance
   * threshold the baseline fixes (no events can be read before the baseline is taken).
   */
  readonly events: 'errors' | 'latency-exceedances';
  /** What a sequential rule does with a load-surge step unless its `loadSurge` says: hold or a factor. */
  readonly loadSurge: 'hold' | number;
  /** Judged conditioned on load: busier than the baseline's mean, more events are allowed. */
  readonly loadConditioned: boolean;
  /**
   * Share of a baseline test's alpha spent on one look at the bake's end (rules/sequential-count.ts
   * `FINAL_LOOK_SHARE`); 0: none, the e-process keeps it all.
   */
  readonly finalLookShare: number;
  /** Elevated events during the warm-up are the signature of a cold start. */
  readonly coldStartSignature: boolean;
  /** What an event is, for reasons: `failing`, `slower than 250 ms`. */
  readonly eventWhat: (thresholdMs: number | null) => string;
  /** What the tested rate is, for reasons: `error rate`, `share slower than 250 ms`. */
  readonly rateWhat: (thresholdMs: number | null) => string;
}

/** How the pre-deploy baseline of a signal is taken (evaluation/baseline-snapshot.ts). */
export type BaselineSpec =
  /** Events of requests per step, events counted without a threshold. */
  | { readonly method: 'counts' }
  /** The p99 fixes an exceedance threshold; slow requests of requests per step are counted at it. */
  | { readonly method: 'latency-threshold' }
  /**
   * The level of a gauge in the last minutes before the deploy, by its median or mean; with an
   * envelope, its low and high over a longer window (how far it oscillates on its own).
   */
  | { readonly method: 'level'; readonly statistic: 'median' | 'mean'; readonly envelope: boolean };

/** Everything the evaluation, the gate and the audit need to know about one signal kind. */
export interface SignalKindSpec {
  /** The rule types that make sense for the kind; the contract rejects the others. */
  readonly rules: readonly Rule['type'][];
  /** Judged on count intervals (events of trials) read step by step; null for gauges. */
  readonly counts: CountSpec | null;
  /**
   * The value static and baseline-ratio rules judge: the window's events over its trials
   * (`count-ratio`), a quantile read once over the whole window (`window-quantile`), or the
   * newest point of a gauge read step by step (`gauge`).
   */
  readonly value: 'count-ratio' | 'window-quantile' | 'gauge';
  /** The built-in query of that value (null for a count ratio); a raw `queries.value` overrides it. */
  readonly valueQuery: (signal: Signal, quantile: number) => MetricQuery | null;
  /** Restarts are read beside the value, for the health rule. */
  readonly restarts: boolean;
  readonly baseline: BaselineSpec;
  /** How the validation gate locates the onset of a breach of this rule. */
  readonly onset: (rule: Rule | undefined) => OnsetFinding['method'];
  /** The unit of the value in reason sentences (` ms`, ` B`), empty for fractions. */
  readonly unit: (signal: Signal) => string;
  /** The unit of verdict values as the audit shows them (`fraction`, `bytes/s`). */
  readonly auditUnit: (signal: Signal) => string;
  /** The signal's `resource` field says what it reads (and the audit names it). */
  readonly namesResource: boolean;
  /** Confirms a rollback alone unless the signal's `authoritative` says otherwise. */
  readonly authoritative: boolean;
}

const slower = (thresholdMs: number | null) => `slower than ${show(thresholdMs, ' ms')}`;
const resourceBase = (signal: Signal) => (signal.resource === 'memory' ? 'bytes' : 'cores');

/** The table: one entry per kind. */
export const SIGNAL_KIND_TABLE: Readonly<Record<SignalKind, SignalKindSpec>> = {
  'error-rate': {
    rules: ['static', 'baseline-ratio', 'sequential'],
    counts: {
      events: 'errors',
      loadSurge: DEFAULT_ERROR_SURGE_TOLERANCE,
      loadConditioned: false,
      finalLookShare: FINAL_LOOK_SHARE,
      coldStartSignature: false,
      eventWhat: () => 'failing',
      rateWhat: () => 'error rate',
    },
    value: 'count-ratio',
    valueQuery: () => null,
    restarts: false,
    baseline: { method: 'counts' },
    onset: () => 'change-point',
    unit: () => '',
    auditUnit: () => 'fraction',
    namesResource: false,
    authoritative: false,
  },
  latency: {
    rules: ['static', 'baseline-ratio', 'sequential'],
    counts: {
      events: 'latency-exceedances',
      loadSurge: 'hold',
      loadConditioned: true,
      // The tail threshold's test only, where its window saw an exceedance (signal-evaluation.ts).
      finalLookShare: FINAL_LOOK_SHARE,
      coldStartSignature: true,
      eventWhat: slower,
      rateWhat: (thresholdMs) => `share ${slower(thresholdMs)}`,
    },
    value: 'window-quantile',
    valueQuery: (signal, quantile) => ({ measure: 'latency-quantile', selector: signal.selector, quantile }),
    restarts: false,
    baseline: { method: 'latency-threshold' },
    onset: (rule) => (rule?.type === 'sequential' ? 'change-point' : 'pre-deploy-window'),
    unit: () => ' ms',
    auditUnit: (signal) => (signal.rules[0]?.type === 'sequential' ? 'fraction' : 'ms'),
    namesResource: false,
    authoritative: false,
  },
  resource: {
    rules: ['static', 'baseline-ratio', 'rate-of-change'],
    counts: null,
    value: 'gauge',
    valueQuery: (signal) => ({ measure: signal.resource, selector: signal.selector }),
    restarts: false,
    baseline: { method: 'level', statistic: 'median', envelope: true },
    onset: () => 'pre-deploy-window',
    unit: (signal) => (signal.resource === 'memory' ? ' B' : ' cores'),
    // A rate-of-change rule judges a slope (per second).
    auditUnit: (signal) =>
      signal.rules[0]?.type === 'rate-of-change' ? `${resourceBase(signal)}/s` : resourceBase(signal),
    namesResource: true,
    authoritative: false,
  },
  health: {
    rules: ['health', 'static'],
    counts: null,
    value: 'gauge',
    valueQuery: (signal) => ({ measure: 'ready', selector: signal.selector }),
    restarts: true,
    baseline: { method: 'level', statistic: 'mean', envelope: false },
    onset: () => 'run-length',
    unit: () => '',
    auditUnit: () => 'ready fraction',
    namesResource: false,
    authoritative: true,
  },
};

/** The table's entry for a signal's kind. */
export function kindOf(signal: { readonly kind: SignalKind }): SignalKindSpec {
  return SIGNAL_KIND_TABLE[signal.kind];
}
