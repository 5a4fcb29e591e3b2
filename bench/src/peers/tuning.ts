import type { Scenario } from '@rollgate/testkit/scenarios';
import { type MinuteWindow, minutesBefore, stepsPerMinute } from './minute-windows';

/**
 * Thresholds a careful user would set for a threshold-based peer (Flagger, Argo Rollouts),
 * tuned per service from its own history before the deploy. The history ends 10 minutes before
 * the deploy (thresholds are configured ahead of time, not from the minutes right before a
 * release; it also keeps a breach that began just before the deploy out of the tuning).
 *
 * - error rate: the 99.9% quantile of Binomial(n, p) per minute, where n is the median requests
 *   per minute and p the history's error rate (at least 0.1%), divided by n; never below the
 *   worst minute seen; plus 0.5 percentage point. Success-rate minimum = 100·(1 − that).
 *   (At 20 req/s and 0.5% errors: 98.3%. A plain "baseline minus a margin" would fire on every
 *   other minute of a low-traffic service, where one error is several percent.)
 * - p99: the larger of 1.5 × the median per-minute p99 and 1.1 × the worst per-minute p99.
 * - memory: 1.25 × the highest memory seen (the scenario carries no container limit).
 * - readiness: no fewer ready pods than the fewest seen; restarts: no more per minute than seen.
 */
export interface PeerThresholds {
  readonly successRateMinPct: number;
  readonly errorRateMax: number;
  readonly p99MaxMs: number | null;
  readonly memoryMaxBytes: number | null;
  readonly readyMin: number | null;
  readonly restartsMax: number | null;
}

/** Minutes of history left out before the deploy. */
export const TUNING_GAP_MINUTES = 10;
/** Error-rate margin on top of the binomial quantile. */
export const ERROR_RATE_MARGIN = 0.005;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = (sorted.length - 1) / 2;
  return ((sorted[Math.floor(mid)] as number) + (sorted[Math.ceil(mid)] as number)) / 2;
}

/** Smallest x with P(Binomial(n, p) > x) <= tail. */
export function binomialUpperQuantile(n: number, p: number, tail: number): number {
  if (n <= 0 || p <= 0) return 0;
  let logPmf = n * Math.log1p(-p);
  if (logPmf < -700) {
    // Normal approximation where (1-p)^n underflows.
    return Math.ceil(n * p + 3.09 * Math.sqrt(n * p * (1 - p)));
  }
  let cdf = Math.exp(logPmf);
  let x = 0;
  while (1 - cdf > tail && x < n) {
    logPmf += Math.log((n - x) / (x + 1)) + Math.log(p / (1 - p));
    x++;
    cdf += Math.exp(logPmf);
  }
  return x;
}

/** The history minutes the tuning reads. */
export function tuningMinutes(s: Scenario): MinuteWindow[] {
  const gap = TUNING_GAP_MINUTES * stepsPerMinute(s);
  const early = minutesBefore(s, s.deployAtStep - gap);
  return early.length >= 5 ? early : minutesBefore(s, s.deployAtStep);
}

/** Tunes the thresholds for one scenario's service (see the type's comment). */
export function tuneThresholds(s: Scenario): PeerThresholds {
  const minutes = tuningMinutes(s);
  const withData = minutes.filter((m) => m.requests > 0);
  const requests = withData.reduce((a, m) => a + m.requests, 0);
  const errors = withData.reduce((a, m) => a + m.errors, 0);
  const n = Math.max(1, Math.round(withData.length > 0 ? median(withData.map((m) => m.requests)) : 1));
  const p = Math.max(requests > 0 ? errors / requests : 0, 0.001);
  const worst = withData.reduce((a, m) => Math.max(a, m.errorRate ?? 0), 0);
  const errorRateMax = Math.max(binomialUpperQuantile(n, p, 0.001) / n, worst) + ERROR_RATE_MARGIN;

  const p99s = minutes.flatMap((m) => (m.p99Ms === null ? [] : [m.p99Ms]));
  const mem = minutes.flatMap((m) => (m.memoryMaxBytes === null ? [] : [m.memoryMaxBytes]));
  const ready = minutes.flatMap((m) => (m.readyMin === null ? [] : [m.readyMin]));
  const restarts = minutes.flatMap((m) => (m.restarts === null ? [] : [m.restarts]));
  return {
    successRateMinPct: 100 * (1 - errorRateMax),
    errorRateMax,
    p99MaxMs: p99s.length > 0 ? Math.max(1.5 * median(p99s), 1.1 * Math.max(...p99s)) : null,
    memoryMaxBytes: mem.length > 0 ? 1.25 * Math.max(...mem) : null,
    readyMin: ready.length > 0 ? Math.min(...ready) : null,
    restartsMax: restarts.length > 0 ? Math.max(...restarts) : null,
  };
}

/** One check of a peer over one minute. */
export interface MetricCheck {
  readonly metric: string;
  readonly signal: string;
  /** `pass`, `fail` (outside the threshold) or `no-data` (the query returned no value). */
  readonly outcome: 'pass' | 'fail' | 'no-data';
  readonly detail: string;
}

/**
 * The checks a user of a threshold-based peer configures, evaluated over one minute: the two
 * built-in ones (request success rate, p99 duration) and, where the service exports those series,
 * memory, readiness and restarts as custom metrics.
 */
export function minuteChecks(w: MinuteWindow, t: PeerThresholds): MetricCheck[] {
  const checks: MetricCheck[] = [];
  if (w.errorRate === null) {
    checks.push({
      metric: 'request-success-rate',
      signal: 'error-rate',
      outcome: 'no-data',
      detail: 'no requests',
    });
  } else {
    const sr = 100 * (1 - w.errorRate);
    checks.push({
      metric: 'request-success-rate',
      signal: 'error-rate',
      outcome: sr < t.successRateMinPct ? 'fail' : 'pass',
      detail: `success rate ${sr.toFixed(2)}% (min ${t.successRateMinPct.toFixed(2)}%)`,
    });
  }
  if (t.p99MaxMs !== null) {
    if (w.p99Ms === null) {
      checks.push({
        metric: 'request-duration',
        signal: 'latency',
        outcome: 'no-data',
        detail: 'no requests',
      });
    } else {
      checks.push({
        metric: 'request-duration',
        signal: 'latency',
        outcome: w.p99Ms > t.p99MaxMs ? 'fail' : 'pass',
        detail: `p99 ${w.p99Ms.toFixed(0)} ms (max ${t.p99MaxMs.toFixed(0)} ms)`,
      });
    }
  }
  if (t.memoryMaxBytes !== null && w.memoryMaxBytes !== null) {
    checks.push({
      metric: 'memory',
      signal: 'memory',
      outcome: w.memoryMaxBytes > t.memoryMaxBytes ? 'fail' : 'pass',
      detail: `memory ${(w.memoryMaxBytes / 1e6).toFixed(0)} MB (max ${(t.memoryMaxBytes / 1e6).toFixed(0)} MB)`,
    });
  }
  if (t.readyMin !== null && w.readyMin !== null) {
    checks.push({
      metric: 'ready-pods',
      signal: 'health',
      outcome: w.readyMin < t.readyMin - 1e-9 ? 'fail' : 'pass',
      detail: `ready ${w.readyMin} (min ${t.readyMin})`,
    });
  }
  if (t.restartsMax !== null && w.restarts !== null) {
    checks.push({
      metric: 'restarts',
      signal: 'health',
      outcome: w.restarts > t.restartsMax ? 'fail' : 'pass',
      detail: `${w.restarts} restarts (max ${t.restartsMax})`,
    });
  }
  return checks;
}
