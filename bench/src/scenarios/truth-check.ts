import type { Scenario } from '@rollgate/testkit/scenarios';
import { histogramQuantile, sumHistograms } from '../stats/histogram-quantile';
import { RateRatioMixture, wilsonUpper } from '../stats/rate-mixture';

/**
 * Is a scenario's ground truth fair? A reference set of good sequential tests, run on the
 * scenario's own data as a controller would see it (starting at the deploy, not knowing when the
 * fault begins), must
 * - detect every `rollback` fault within the bake, and not before it starts;
 * - stay silent on `keep` scenarios after a 60 s warm-up (no hidden regression, e.g. a drift
 *   that a good test would rightly call a regression);
 * - see every `incident` breach before the deploy (it really began before).
 *
 * The tests: errors and latency exceedances (requests slower than the bucket bound at or above
 * the baseline p99) with the rate-ratio mixture against a 99.5% Wilson upper bound of the
 * baseline rate, at alpha = 0.01, on the totals and on each segment; memory with a least-squares
 * slope over the bake (t-statistic >= 10 and at least 0.1 MB/s); health as readiness below its
 * baseline for 30 s or two restarts (OOM kills included).
 */

/** When, and by which reference test, a scenario's fault is seen. */
export interface ReferenceDetection {
  readonly step: number;
  readonly test: string;
}

/** The verdict of the fairness check. */
export interface TruthCheck {
  readonly ok: boolean;
  readonly reason: string;
  /** First reference detection at or after the window start (for rollback: the delay basis). */
  readonly detection: ReferenceDetection | null;
}

const KEEP_WARMUP_SECONDS = 60;
const ALPHA = 0.01;

interface CountStream {
  readonly label: string;
  readonly trials: readonly number[];
  readonly events: readonly number[];
}

function sum(values: readonly number[], from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += values[i] ?? 0;
  return s;
}

/** Error and latency-exceedance streams of a scenario (totals and segments). */
function countStreams(s: Scenario, baselineEnd: number): CountStream[] {
  const streams: CountStream[] = [{ label: 'errors', trials: s.series.requests, events: s.series.errors }];
  for (const [name, seg] of Object.entries(s.segments ?? {})) {
    streams.push({ label: `errors{${name}}`, trials: seg.requests, events: seg.errors });
  }
  const width = s.latencyBucketsMs.length + 1;
  const pre = sumHistograms(s.series.latencyHistogram.slice(0, baselineEnd), width);
  const p99 = histogramQuantile(0.99, s.latencyBucketsMs, pre);
  if (p99 !== null) {
    let index = s.latencyBucketsMs.findIndex((b) => b >= p99);
    if (index < 0) index = s.latencyBucketsMs.length - 1;
    const exceed = s.series.latencyHistogram.map((row) => sum(row, index + 1, row.length));
    const total = s.series.latencyHistogram.map((row) => sum(row, 0, row.length));
    streams.push({ label: `latency>${s.latencyBucketsMs[index]}ms`, trials: total, events: exceed });
  }
  return streams;
}

/** First step in [from, to) at which a count test against the [0, baselineEnd) rate rejects. */
function firstCountDetection(
  stream: CountStream,
  baselineEnd: number,
  from: number,
  to: number,
): number | null {
  const p0 = wilsonUpper(sum(stream.events, 0, baselineEnd), sum(stream.trials, 0, baselineEnd));
  if (p0 >= 1) return null;
  const test = new RateRatioMixture(p0, undefined, ALPHA);
  for (let t = from; t < to; t++) {
    if (test.update(stream.trials[t] ?? 0, stream.events[t] ?? 0)) return t;
  }
  return null;
}

function firstMemoryDetection(s: Scenario, from: number, to: number): number | null {
  const mem = s.series.memoryBytes;
  const dt = s.stepSeconds;
  let n = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  if (!mem) return null;
  for (let t = from; t < to; t++) {
    const x = (t - from) * dt;
    const y = mem[t] ?? 0;
    n++;
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
    syy += y * y;
    if (n < 12) continue;
    const vx = sxx - (sx * sx) / n;
    const slope = (sxy - (sx * sy) / n) / vx;
    const residual = syy - (sy * sy) / n - slope * (sxy - (sx * sy) / n);
    const se = Math.sqrt(Math.max(residual, 0) / (n - 2) / vx);
    if (slope >= 1e5 && slope / se >= 10) return t;
  }
  return null;
}

function firstHealthDetection(s: Scenario, baselineEnd: number, from: number, to: number): number | null {
  const ready = s.series.ready;
  const restarts = s.series.restarts;
  const need = Math.max(1, Math.round(30 / s.stepSeconds));
  const floor = ready ? Math.min(...ready.slice(0, baselineEnd)) : 1;
  let run = 0;
  let restartCount = 0;
  for (let t = from; t < to; t++) {
    if (ready) {
      run = (ready[t] ?? 1) < floor ? run + 1 : 0;
      if (run >= need) return t;
    }
    if (restarts) {
      restartCount += restarts[t] ?? 0;
      if (restartCount >= 2) return t;
    }
  }
  return null;
}

/** Every reference detection in [from, to) against the baseline [0, baselineEnd). */
export function referenceDetections(
  s: Scenario,
  baselineEnd: number,
  from: number,
  to: number,
): ReferenceDetection[] {
  const found: ReferenceDetection[] = [];
  for (const stream of countStreams(s, baselineEnd)) {
    const step = firstCountDetection(stream, baselineEnd, from, to);
    if (step !== null) found.push({ step, test: stream.label });
  }
  const memory = firstMemoryDetection(s, from, to);
  if (memory !== null) found.push({ step: memory, test: 'memory' });
  const health = firstHealthDetection(s, baselineEnd, from, to);
  if (health !== null) found.push({ step: health, test: 'health' });
  return found.sort((a, b) => a.step - b.step);
}

/** Checks that a scenario's truth is fair (see the file comment). */
export function checkTruth(s: Scenario): TruthCheck {
  const steps = s.series.requests.length;
  const deploy = s.deployAtStep;
  const { verdict, faultStartStep } = s.truth;
  if (verdict === 'keep') {
    const from = Math.min(steps, deploy + Math.round(KEEP_WARMUP_SECONDS / s.stepSeconds));
    const found = referenceDetections(s, deploy, from, steps);
    const first = found[0];
    if (first) {
      return {
        ok: false,
        reason: `healthy scenario, yet the reference ${first.test} test fires at step ${first.step}`,
        detection: first,
      };
    }
    return { ok: true, reason: 'no reference test fires after the warm-up', detection: null };
  }
  if (faultStartStep === null) return { ok: false, reason: 'no faultStartStep', detection: null };
  if (verdict === 'incident') {
    const found = referenceDetections(s, faultStartStep, faultStartStep, deploy);
    const first = found[0];
    if (!first) return { ok: false, reason: 'the breach is not visible before the deploy', detection: null };
    return { ok: true, reason: `seen before the deploy by the ${first.test} test`, detection: first };
  }
  const found = referenceDetections(s, deploy, deploy, steps);
  const first = found[0];
  if (!first)
    return { ok: false, reason: 'no reference test detects the fault within the bake', detection: null };
  if (first.step < faultStartStep) {
    return {
      ok: false,
      reason: `the reference ${first.test} test fires at step ${first.step}, before the fault starts`,
      detection: first,
    };
  }
  return {
    ok: true,
    reason: `detected by the ${first.test} test ${(first.step - faultStartStep) * s.stepSeconds} s after onset`,
    detection: first,
  };
}

/**
 * The one-look check of issue 12: is a fault visible to an exact conditional test on the whole
 * bake against the whole baseline (a Fisher-type test: given both arms' total events, the
 * bake's share is binomial in its share of the requests)? Tested on errors and on requests
 * slower than each histogram bound at or above the baseline p99 bucket. Returns the smallest
 * one-sided p-value (not corrected for the several streams: it asks whether the evidence is
 * in the data at all, not whether a controller may act on it).
 */
export function oneLookPValue(s: Scenario): number {
  const deploy = s.deployAtStep;
  const end = s.series.requests.length;
  const streams: { trials: readonly number[]; events: readonly number[] }[] = [
    { trials: s.series.requests, events: s.series.errors },
  ];
  const width = s.latencyBucketsMs.length + 1;
  const pre = sumHistograms(s.series.latencyHistogram.slice(0, deploy), width);
  const p99 = histogramQuantile(0.99, s.latencyBucketsMs, pre);
  if (p99 !== null) {
    const first = Math.max(
      0,
      s.latencyBucketsMs.findIndex((b) => b >= p99),
    );
    const total = s.series.latencyHistogram.map((row) => sum(row, 0, row.length));
    for (let index = first; index < s.latencyBucketsMs.length; index++) {
      streams.push({
        trials: total,
        events: s.series.latencyHistogram.map((row) => sum(row, index + 1, row.length)),
      });
    }
  }
  let best = 1;
  for (const stream of streams) {
    const n0 = sum(stream.trials, 0, deploy);
    const x0 = sum(stream.events, 0, deploy);
    const n1 = sum(stream.trials, deploy, end);
    const x1 = sum(stream.events, deploy, end);
    if (n0 <= 0 || n1 <= 0 || x0 + x1 <= 0) continue;
    best = Math.min(best, binomialUpperTail(Math.round(x1), Math.round(x0 + x1), n1 / (n0 + n1)));
  }
  return best;
}

/** P(X >= k) for X ~ Binomial(n, p), summed in log space. */
function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  const logP = Math.log(p);
  const logQ = Math.log1p(-p);
  let logC = 0;
  for (let i = 1; i <= k; i++) logC += Math.log((n - i + 1) / i);
  let total = 0;
  let term = logC + k * logP + (n - k) * logQ;
  for (let i = k; i <= n; i++) {
    total += Math.exp(term);
    term += Math.log((n - i) / (i + 1)) + logP - logQ;
    if (term < -745 && i > n * p) break;
  }
  return Math.min(1, total);
}
