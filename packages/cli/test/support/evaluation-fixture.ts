import {
  type Contract,
  defaultContract,
  type Evaluation,
  type SignalSummary,
  type Verdict,
} from '@rollgate/core';
import type { WatchStart } from '../../src/progress/watch-reporter';

export const DEPLOY_AT = Date.parse('2025-05-01T12:00:00.000Z');

export function contract(): Contract {
  return defaultContract('checkout', { bakeSeconds: 120, stepSeconds: 5, warmupSeconds: 10 });
}

export function start(overrides: Partial<WatchStart> = {}): WatchStart {
  return {
    at: DEPLOY_AT + 500,
    service: 'checkout',
    watchId: 'checkout--42@abc--1746100800000',
    artifactId: '42@abc',
    deployedAt: DEPLOY_AT,
    dryRun: false,
    resumed: false,
    contract: contract(),
    executor: 'deployer-local',
    stateDir: '/srv/.rollgate',
    audit: '/srv/.rollgate/audit.jsonl',
    ...overrides,
  };
}

function verdict(
  signal: string,
  rule: string,
  status: Verdict['status'],
  value: number | null,
  threshold: number | null,
  at: number,
  extra: Partial<Verdict> = {},
): Verdict {
  return {
    status,
    signal,
    rule,
    value,
    threshold,
    window: { start: at - 5000, end: at },
    samples: 1204,
    reason: `${signal} is ${status}`,
    ...extra,
  };
}

function summary(v: Verdict, kind: SignalSummary['kind'], confirmed = false): SignalSummary {
  return {
    signal: v.signal,
    kind,
    status: v.status,
    confirmed,
    authoritative: kind === 'health',
    verdicts: [v],
    consecutiveBreaches: v.status === 'breach' ? 1 : 0,
    consecutiveErrors: 0,
  };
}

/** An evaluation `seconds` after the deploy; with `breach`, the error rate breaches (confirmed). */
export function evaluation(
  seconds: number,
  options: { breach?: boolean; purpose?: 'bake' | 'verify' } = {},
): Evaluation {
  const at = DEPLOY_AT + seconds * 1000;
  const stat = {
    name: 'log-e-value',
    value: options.breach ? 5.9 : 1.2,
    threshold: 5.3,
    alpha: 0.005,
    ratioEstimate: 7.4,
    ratioInterval: { lower: 3.1, upper: 17.9, level: 0.99 },
  };
  const signals = [
    summary(
      verdict(
        'error-rate',
        'sequential',
        options.breach ? 'breach' : 'pass',
        options.breach ? 0.0372 : 0.0051,
        0.005,
        at,
        { statistic: stat },
      ),
      'error-rate',
      options.breach,
    ),
    summary(
      verdict('latency-p99', 'sequential', 'no-data', null, null, at, {
        samples: 0,
        reason: 'below the sample floor',
      }),
      'latency',
    ),
    summary(
      verdict('memory', 'rate-of-change', 'pass', 1500, 36000, at, {
        statistic: { name: 't-stat', value: 0.4, threshold: 4 },
      }),
      'resource',
    ),
    summary(verdict('health', 'health', 'pass', 1, 1, at), 'health'),
  ];
  return {
    at,
    purpose: options.purpose ?? 'bake',
    deployAt: DEPLOY_AT,
    elapsedSeconds: seconds,
    remainingSeconds: Math.max(0, 120 - seconds),
    warmingUp: seconds <= 10,
    signals,
    decision: options.breach
      ? {
          type: 'breach',
          signals: ['error-rate'],
          evidence: signals[0]?.verdicts ?? [],
          reason: '1 of 4 signals confirmed (k=1): error-rate: error rate 3.72%',
        }
      : { type: 'continue', reason: `${120 - seconds} s of bake left` },
  };
}
