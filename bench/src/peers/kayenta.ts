/**
 * Kayenta's automated canary analysis (NetflixACAJudge), emulated on a scenario.
 *
 * Follows spinnaker/kayenta `kayenta-judge`:
 * - `NetflixACAJudge.scala`: per metric, NaNs removed, outliers removed with an IQR detector
 *   (factor 3), then `MannWhitneyClassifier(tolerance = 0.25, confLevel = 0.98)`;
 * - `classifiers/metric/MannWhitneyClassifier.scala`: no data → Nodata; identical or single-valued
 *   data → Pass; otherwise the Mann-Whitney confidence interval of the shift (experiment −
 *   control) and the Hodges-Lehmann estimate; High when the lower bound exceeds
 *   tolerance·|estimate| and the mean ratio (effect size) is at least 1, Low symmetrically;
 *   a critical metric that is High/Low/Nodata is a critical failure;
 * - `scorers/WeightedSumScorer.scala`: score = 100 · Pass / (Pass + High + Low) over the metrics
 *   with data, 0 on a critical failure; `ThresholdScoreClassifier`: pass / marginal thresholds;
 * - the Spinnaker canary stage (spinnaker.io "Canary analysis" docs): a judgement every interval
 *   over the data since the start; a score below `marginal` fails the canary at once; the last
 *   judgement must reach `pass`.
 *
 * Kayenta compares a canary with a baseline running at the same time. A scenario has no
 * concurrent baseline, so the control is the per-minute points of the whole pre-deploy window
 * and the experiment the per-minute points of the bake so far. Metrics, as a careful user would
 * configure them: error rate (critical, direction increase), p99 latency (critical, increase),
 * memory (increase), ready fraction (decrease); memory and readiness only where exported.
 * Not reproduced: the `reduceSensitivity` refinement of the IQR detector (quartiles are used as
 * is) and the tie correction of the interval; the Gaussian jitter Kayenta adds to two constant
 * samples is replaced by comparing the two constants directly.
 */
import type { Scenario } from '@rollgate/testkit/scenarios';
import { mannWhitney } from '../stats/mann-whitney';
import { bakeMinutes, type MinuteWindow, minutesBefore } from './minute-windows';
import { type Decision, kept } from './peer-decision';

export interface KayentaOptions {
  /** Minutes between judgements; the bake length for a single judgement at the end. */
  readonly intervalMinutes: number;
  readonly passThreshold?: number;
  readonly marginalThreshold?: number;
  readonly confidence?: number;
  readonly tolerance?: number;
}

type Direction = 'increase' | 'decrease' | 'either';
type Classification = 'Pass' | 'High' | 'Low' | 'Nodata';

interface MetricConfig {
  readonly name: string;
  readonly signal: string;
  readonly direction: Direction;
  readonly critical: boolean;
  readonly point: (m: MinuteWindow) => number | null;
}

const METRICS: readonly MetricConfig[] = [
  {
    name: 'error-rate',
    signal: 'error-rate',
    direction: 'increase',
    critical: true,
    point: (m) => m.errorRate,
  },
  { name: 'p99-latency', signal: 'latency', direction: 'increase', critical: true, point: (m) => m.p99Ms },
  {
    name: 'memory',
    signal: 'memory',
    direction: 'increase',
    critical: false,
    point: (m) => m.memoryMeanBytes,
  },
  { name: 'ready', signal: 'health', direction: 'decrease', critical: false, point: (m) => m.readyMin },
];

/** The p-th percentile (0..100) as Apache Commons Math's default estimator: position p(n+1)/100. */
function percentile(sorted: readonly number[], p: number): number {
  const n = sorted.length;
  const pos = (p * (n + 1)) / 100;
  if (pos < 1) return sorted[0] as number;
  if (pos >= n) return sorted[n - 1] as number;
  const lo = Math.floor(pos);
  const d = pos - lo;
  const low = sorted[lo - 1] as number;
  return low + d * ((sorted[lo] as number) - low);
}

/** Kayenta's IQR outlier filter (factor 3). */
export function removeOutliers(values: readonly number[], factor = 3): number[] {
  if (values.length < 2) return [...values];
  const sorted = [...values].sort((a, b) => a - b);
  const q1 = percentile(sorted, 25);
  const q3 = percentile(sorted, 75);
  const iqr = q3 - q1;
  return values.filter((x) => x >= q1 - factor * iqr && x <= q3 + factor * iqr);
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** MannWhitneyClassifier.classify on already cleaned data. */
export function classifyMetric(
  control: readonly number[],
  experiment: readonly number[],
  direction: Direction,
  tolerance: number,
  confidence: number,
): Classification {
  if (experiment.length === 0 || control.length === 0) return 'Nodata';
  const se = [...experiment].sort((a, b) => a - b);
  const sc = [...control].sort((a, b) => a - b);
  if (se.length === sc.length && se.every((x, i) => x === sc[i])) return 'Pass';
  const distinct = new Set([...experiment, ...control]);
  if (distinct.size === 1) return 'Pass';
  const controlMean = mean(control);
  const deviation = controlMean === 0 ? 1 : mean(experiment) / controlMean;
  let lower: number;
  let upper: number;
  let estimate: number;
  if (new Set(experiment).size === 1 && new Set(control).size === 1) {
    estimate = (experiment[0] as number) - (control[0] as number);
    lower = estimate;
    upper = estimate;
  } else {
    ({ estimate, lower, upper } = mannWhitney(experiment, control, confidence));
  }
  const bound = tolerance * Math.abs(estimate);
  if ((direction === 'increase' || direction === 'either') && lower > bound && deviation >= 1) return 'High';
  if ((direction === 'decrease' || direction === 'either') && upper < -bound && deviation <= 1) return 'Low';
  return 'Pass';
}

/** One judgement of the canary against the control minutes. */
export function judge(
  control: readonly MinuteWindow[],
  canary: readonly MinuteWindow[],
  options: Required<Omit<KayentaOptions, 'intervalMinutes'>>,
): { score: number; failing: string[]; signal: string | null; critical: boolean } {
  let pass = 0;
  let counted = 0;
  let critical = false;
  const failing: string[] = [];
  let signal: string | null = null;
  for (const metric of METRICS) {
    const points = (ws: readonly MinuteWindow[]) =>
      ws.map(metric.point).filter((x): x is number => x !== null && Number.isFinite(x));
    const rawControl = points(control);
    const rawCanary = points(canary);
    // A metric the service does not export is not configured at all.
    if (rawControl.length === 0 && rawCanary.length === 0 && metric.name !== 'error-rate') continue;
    const c = classifyMetric(
      removeOutliers(rawControl),
      removeOutliers(rawCanary),
      metric.direction,
      options.tolerance,
      options.confidence,
    );
    if (c !== 'Nodata') counted++;
    if (c === 'Pass') pass++;
    else {
      failing.push(`${metric.name} ${c}`);
      if (signal === null || metric.critical) signal = c === 'Nodata' ? 'no-data' : metric.signal;
      if (metric.critical) critical = true;
    }
  }
  const score = critical || counted === 0 ? 0 : (100 * pass) / counted;
  return { score, failing, signal, critical };
}

/** Kayenta's decision on a scenario (see the file comment). */
export function kayenta(scenario: Scenario, options: KayentaOptions): Decision {
  const opts = {
    passThreshold: options.passThreshold ?? 75,
    marginalThreshold: options.marginalThreshold ?? 50,
    confidence: options.confidence ?? 0.98,
    tolerance: options.tolerance ?? 0.25,
  };
  const control = minutesBefore(scenario, scenario.deployAtStep);
  const bake = bakeMinutes(scenario);
  const interval = Math.max(1, Math.round(options.intervalMinutes));
  const ends: number[] = [];
  for (let k = interval; k < bake.length; k += interval) ends.push(k);
  if (bake.length > 0) ends.push(bake.length);
  for (const end of ends) {
    const canary = bake.slice(0, end);
    const last = end === bake.length;
    const result = judge(control, canary, opts);
    const at = (canary[canary.length - 1] as MinuteWindow).to;
    const detail = `score ${result.score.toFixed(0)}${result.failing.length ? ` (${result.failing.join(', ')})` : ''}`;
    if (result.score < opts.marginalThreshold) {
      return {
        decision: 'rollback',
        decidedAtStep: at,
        signal: result.signal,
        reason: `judgement at ${end} min: ${detail} < marginal ${opts.marginalThreshold}`,
      };
    }
    if (last && result.score < opts.passThreshold) {
      return {
        decision: 'rollback',
        decidedAtStep: at,
        signal: result.signal,
        reason: `final judgement: ${detail} < pass ${opts.passThreshold}`,
      };
    }
  }
  return kept('every judgement reached the thresholds');
}
