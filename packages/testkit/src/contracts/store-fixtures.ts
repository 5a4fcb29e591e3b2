import type { AuditRecord, PortContext, Result, VerificationPayload } from '@rollgate/core';
import { expect } from 'vitest';

// Fixtures the store contract suites share; exported so an implementation's own tests can use
// the same records.

/** A context with a live signal and a deadline far ahead of `now`. */
export function liveContext(now = 0): PortContext {
  return { signal: new AbortController().signal, deadline: now + 60_000 };
}

/** A context whose signal has already fired. */
export function abortedContext(now = 0): PortContext {
  const controller = new AbortController();
  controller.abort(new Error('caller gave up'));
  return { signal: controller.signal, deadline: now + 60_000 };
}

/** The value of an ok result; fails the test with the error otherwise. */
export function okValue<T>(result: Result<T>): T {
  if (!result.ok) {
    expect.fail(`expected ok, got ${result.error.code}: ${result.error.message}`);
  }
  return result.value;
}

/** The error of a failed result; fails the test when it was ok. */
export function errorOf<T>(result: Result<T>) {
  if (result.ok) expect.fail('expected an error result, got ok');
  return result.error;
}

/** A complete, schema-valid audit record of a rolled-back watch, for sink tests. */
export function auditRecordFixture(watchId: string, overrides: Partial<AuditRecord> = {}): AuditRecord {
  const window = { start: '2025-03-01T10:05:00.000Z', end: '2025-03-01T10:06:00.000Z' };
  const verdict = {
    status: 'breach' as const,
    signal: 'errors',
    rule: 'sequential',
    value: 0.031,
    threshold: 0.005,
    window,
    samples: 612,
    reason: 'error rate 3.1% vs baseline 0.5%',
    statistic: { name: 'log-e-value', value: 5.2, threshold: 4.6, alpha: 0.01 },
  };
  return {
    schema: 'rollgate.audit/v1',
    watchId,
    service: 'checkout',
    outcome: 'rolled-back',
    reason: 'Error rate tripled after deploy 42@ab12; rolled back to 41@9f3c and recovery was verified.',
    dryRun: false,
    startedAt: '2025-03-01T10:00:00.000Z',
    finishedAt: '2025-03-01T10:09:00.000Z',
    deploy: { artifactId: '42@ab12', deployedAt: '2025-03-01T10:00:00.000Z', artifact: { id: '42@ab12' } },
    failedArtifact: { id: '42@ab12', revision: 'ab12' },
    restoredArtifact: { id: '41@9f3c', revision: '9f3c' },
    contract: {
      alpha: 0.01,
      stepSeconds: 15,
      bakeSeconds: 300,
      warmupSeconds: 30,
      baselineSeconds: 600,
      verificationSeconds: 120,
      signals: [{ id: 'errors', kind: 'error-rate', rules: ['sequential'], authoritative: false }],
    },
    phases: [
      { state: 'Watching', at: '2025-03-01T10:00:00.000Z', reason: 'deploy observed' },
      { state: 'RolledBack', at: '2025-03-01T10:09:00.000Z', reason: 'recovery verified' },
    ],
    baseline: null,
    breach: {
      signal: 'errors',
      kind: 'error-rate',
      rule: 'sequential',
      value: 0.031,
      threshold: 0.005,
      window,
      samples: 612,
      statistic: { name: 'log-e-value', value: 5.2, threshold: 4.6 },
      reason: 'error rate 3.1% vs baseline 0.5%',
      confirmedAt: '2025-03-01T10:06:00.000Z',
      onset: null,
      evidence: [verdict],
    },
    cutover: null,
    recovery: {
      verified: true,
      window,
      reason: 'all signals within baseline',
      readings: [{ ...verdict, status: 'pass' }],
    },
    finalReadings: [{ ...verdict, status: 'pass' }],
    series: { errors: [{ at: window.end, phase: 'bake', status: 'breach', value: 0.031, threshold: 0.005 }] },
    notifications: [],
    verification: null,
    ...overrides,
  };
}

/** Builds a verification payload for `artifactId` verified at `verifiedAt`. */
export function payloadFixture(service: string, artifactId: string, verifiedAt: number): VerificationPayload {
  return {
    service,
    artifact: { id: artifactId, revision: artifactId.split('@')[1] ?? 'abc', schema: { version: 7 } },
    verifiedAt,
    evidence: {
      summary: `baked 300 s, ${verifiedAt % 10_000} requests, all signals pass`,
      bakeSeconds: 300,
      signals: [{ signal: 'errors', verdict: 'pass', value: 0.002, samples: 600 }],
    },
  };
}
