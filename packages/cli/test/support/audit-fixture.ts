import type { AuditPoint, AuditRecord, AuditVerdict } from '@rollgate/core';

const T0 = Date.parse('2025-05-01T12:00:00.000Z');
const iso = (secondsFromDeploy: number) => new Date(T0 + secondsFromDeploy * 1000).toISOString();

/** Deterministic noise in [-1, 1]. */
function noise(i: number, salt: number): number {
  const x = Math.sin(i * 12.9898 + salt * 78.233) * 43758.5453;
  return (x - Math.floor(x)) * 2 - 1;
}

/** The pre-deploy series of a baseline: 60 points over the `seconds` before the deploy. */
function beforeSeries(seconds: number, value: (i: number) => number): { at: string; value: number }[] {
  return Array.from({ length: 60 }, (_, i) => ({
    at: iso(-seconds + ((i + 1) * seconds) / 60),
    value: value(i),
  }));
}

/**
 * A realistic rolled-back watch of `checkout`: release 42 deployed at 12:00:00Z, its 5xx rate
 * climbs from 0.5% to about 4% at +20 s, the sequential test confirms at +35 s, traffic is cut
 * over to release 41 at +37 s and recovery is verified at +160 s. Every field the report reads
 * is filled in.
 */
export function rolledBackRecord(): AuditRecord {
  const bakeTimes = Array.from({ length: 7 }, (_, i) => 5 + i * 5); // +5 .. +35
  const verifyTimes = Array.from({ length: 25 }, (_, i) => 40 + i * 5); // +40 .. +160
  const errorRate = (t: number, i: number) =>
    t < 20 ? 0.005 + noise(i, 1) * 0.0015 : 0.035 + noise(i, 2) * 0.006;
  const logE = (t: number) => (t < 20 ? 0.2 : Math.min(6.1, (t - 18) * 0.36));
  const slowShare = (t: number, i: number) =>
    t < 20 ? 0.009 + noise(i, 3) * 0.002 : 0.018 + noise(i, 4) * 0.003;
  const series: Record<string, AuditPoint[]> = {
    'error-rate': [],
    'latency-p99': [],
    memory: [],
    health: [],
  };
  bakeTimes.forEach((t, i) => {
    const breach = t >= 35;
    series['error-rate']?.push({
      at: iso(t),
      phase: 'bake',
      status: breach ? 'breach' : t < 10 ? 'no-data' : 'pass',
      value: t < 10 ? null : errorRate(t, i),
      threshold: 0.005,
      statistic: logE(t),
    });
    series['latency-p99']?.push({
      at: iso(t),
      phase: 'bake',
      status: t < 10 ? 'no-data' : 'pass',
      value: t < 10 ? null : slowShare(t, i),
      threshold: 0.0095,
      statistic: t < 20 ? 0.1 : 1.4,
    });
    series.memory?.push({
      at: iso(t),
      phase: 'bake',
      status: 'pass',
      value: 1200 + noise(i, 5) * 900,
      threshold: 36000,
      statistic: 0.6,
    });
    series.health?.push({ at: iso(t), phase: 'bake', status: 'pass', value: 1, threshold: 1 });
  });
  verifyTimes.forEach((t, i) => {
    series['error-rate']?.push({
      at: iso(t),
      phase: 'verify',
      status: t < 50 ? 'no-data' : 'pass',
      value: t < 50 ? null : 0.0048 + noise(i, 6) * 0.0012,
      threshold: 0.005,
      statistic: 0.1,
    });
    series['latency-p99']?.push({
      at: iso(t),
      phase: 'verify',
      status: t < 50 ? 'no-data' : 'pass',
      value: t < 50 ? null : 0.0088 + noise(i, 7) * 0.0015,
      threshold: 0.0095,
      statistic: 0.05,
    });
    series.memory?.push({
      at: iso(t),
      phase: 'verify',
      status: 'pass',
      value: 800 + noise(i, 8) * 700,
      threshold: 36000,
      statistic: 0.3,
    });
    series.health?.push({ at: iso(t), phase: 'verify', status: 'pass', value: 1, threshold: 1 });
  });
  const breachVerdict: AuditVerdict = {
    status: 'breach',
    signal: 'error-rate',
    rule: 'sequential',
    value: 0.0372,
    threshold: 0.005,
    window: { start: iso(30), end: iso(35) },
    samples: 1187,
    reason:
      'error rate 3.72% of 1187 vs baseline 0.5% (ratio 7.44x, 99% CS [3.1, 17.9]): e-value 446 >= 1/alpha 200',
    statistic: {
      name: 'log-e-value',
      value: 6.1,
      threshold: 5.298,
      alpha: 0.005,
      ratioEstimate: 7.44,
      ratioInterval: { lower: 3.1, upper: 17.9, level: 0.99 },
    },
  };
  const reading = (
    signal: string,
    rule: string,
    value: number,
    threshold: number,
    samples: number,
    reason: string,
  ): AuditVerdict => ({
    status: 'pass',
    signal,
    rule,
    value,
    threshold,
    window: { start: iso(155), end: iso(160) },
    samples,
    reason,
  });
  const release42 = {
    id: '42@9fceb02d0ae598e95dc970b74767f19372d61af8',
    revision: '9fceb02d0ae598e95dc970b74767f19372d61af8',
    target: 'v1.4.2',
    attributes: { release: '42' },
  };
  const release41 = {
    id: '41@1c002dd4b536e7479fe34593e72e6c6c1819e53b',
    revision: '1c002dd4b536e7479fe34593e72e6c6c1819e53b',
    target: 'v1.4.1',
    attributes: { release: '41' },
  };
  return {
    schema: 'rollgate.audit/v1',
    watchId: `checkout--${release42.id}--${T0}`,
    service: 'checkout',
    outcome: 'rolled-back',
    reason: `rolled back ${release42.id} -> ${release41.id}: ${breachVerdict.reason}; recovery verified`,
    dryRun: false,
    startedAt: iso(0.4),
    finishedAt: iso(160),
    deploy: { artifactId: release42.id, deployedAt: iso(0), artifact: release42 },
    failedArtifact: release42,
    restoredArtifact: release41,
    contract: {
      alpha: 0.01,
      stepSeconds: 5,
      bakeSeconds: 600,
      warmupSeconds: 10,
      baselineSeconds: 1800,
      verificationSeconds: 120,
      signals: [
        { id: 'error-rate', kind: 'error-rate', rules: ['sequential'], authoritative: false },
        { id: 'latency-p99', kind: 'latency', rules: ['sequential'], authoritative: false },
        { id: 'memory', kind: 'resource', rules: ['rate-of-change'], authoritative: false },
        { id: 'health', kind: 'health', rules: ['health'], authoritative: true },
      ],
    },
    phases: [
      { state: 'Starting', at: iso(0.4), reason: `watching ${release42.id} deployed at ${iso(0)}` },
      { state: 'Watching', at: iso(0.5), reason: `${release42.id} is serving` },
      {
        state: 'Validating',
        at: iso(35),
        reason: `breach confirmed: 1 of 4 signals confirmed (k=1): error-rate: ${breachVerdict.reason}`,
      },
      {
        state: 'Retrieving',
        at: iso(35.6),
        reason: 'breach attributed to the deploy: onset at +20 s, after the deploy',
      },
      {
        state: 'CuttingOver',
        at: iso(35.7),
        reason: `cutting over ${release42.id} -> ${release41.id} (operation checkout--42/rollback)`,
      },
      {
        state: 'Verifying',
        at: iso(38),
        reason: `traffic is on ${release41.id}; readiness gate passed: 3 probe rounds passed`,
      },
      {
        state: 'RolledBack',
        at: iso(160),
        reason: `rolled back ${release42.id} -> ${release41.id}; recovery verified`,
      },
    ],
    baseline: {
      window: { start: iso(-1800), end: iso(0) },
      signals: {
        'error-rate': {
          status: 'ok',
          reason: '0.5% of 36,012 requests',
          value: 0.005,
          events: 180,
          trials: 36012,
          exceedanceThresholdMs: null,
          series: beforeSeries(1800, (i) => 0.005 + noise(i, 11) * 0.0015),
        },
        'latency-p99': {
          status: 'ok',
          reason: 'p99 212 ms; L = 250 ms',
          value: 212,
          events: 324,
          trials: 36012,
          exceedanceThresholdMs: 250,
          series: beforeSeries(1800, (i) => 0.009 + noise(i, 12) * 0.002),
        },
        memory: {
          status: 'ok',
          reason: 'level 182 MiB',
          value: 190840832,
          events: null,
          trials: null,
          exceedanceThresholdMs: null,
        },
        health: {
          status: 'ok',
          reason: '100% ready',
          value: 1,
          events: null,
          trials: null,
          exceedanceThresholdMs: null,
          series: beforeSeries(300, () => 1),
        },
      },
    },
    breach: {
      signal: 'error-rate',
      kind: 'error-rate',
      rule: 'sequential',
      value: breachVerdict.value,
      threshold: breachVerdict.threshold,
      window: breachVerdict.window,
      samples: breachVerdict.samples,
      statistic: breachVerdict.statistic ?? null,
      reason: breachVerdict.reason,
      confirmedAt: iso(35),
      onset: {
        status: 'ok',
        preexisting: false,
        onsetAt: iso(20),
        method: 'cusum-changepoint',
        reason: 'error rate rose at +20 s, 20 s after the deploy',
      },
      evidence: [breachVerdict],
    },
    cutover: {
      operationId: `checkout--${release42.id}--${T0}/rollback`,
      target: release41,
      requestedAt: iso(35.7),
      completedAt: iso(36.1),
      changed: true,
      detail: 'current: releases/42 -> releases/41; releases/42/BAD_RELEASE written',
      gate: { ok: true, detail: '3 probe rounds passed: https://checkout.example/healthz 200', at: iso(38) },
      error: null,
    },
    recovery: {
      verified: true,
      window: { start: iso(38), end: iso(160) },
      reason: 'verification complete: all 4 signals pass',
      readings: [
        reading(
          'error-rate',
          'sequential',
          0.0049,
          0.005,
          24110,
          'error rate 0.49% of 24110 vs baseline 0.5%: e-value 1.1 < 1/alpha 200',
        ),
        reading(
          'latency-p99',
          'sequential',
          0.0088,
          0.0095,
          24110,
          'share slower than 250 ms 0.88% vs baseline 0.9%',
        ),
        reading('memory', 'rate-of-change', 640, 36000, 12, 'slope 640 B/s: no significant trend'),
        reading('health', 'health', 1, 1, 3, '100% of instances ready'),
      ],
    },
    finalReadings: [
      reading('error-rate', 'sequential', 0.0049, 0.005, 24110, 'error rate 0.49% of 24110 vs baseline 0.5%'),
      reading('health', 'health', 1, 1, 3, '100% of instances ready'),
    ],
    series,
    notifications: [
      {
        kind: 'alert',
        title: `checkout: rolled back ${release42.id} -> ${release41.id}, recovery verified`,
        ok: true,
        at: iso(160.2),
      },
    ],
    verification: null,
  };
}

/** Hostile text an audit record can carry (label values, backend messages): it must render as text. */
export const HOSTILE = `<script>alert("x")</script><img src=x onerror=alert(1)>'"&amp;<svg onload=alert(2)>`;

/** The rolled-back record with hostile text in every free-text field the report shows. */
export function hostileRecord(): AuditRecord {
  const r = rolledBackRecord();
  const evil = (s: string) => `${s} ${HOSTILE}`;
  const breach = r.breach;
  if (!breach || !r.cutover || !r.recovery) throw new Error('fixture incomplete');
  const hostileSignal = `error-rate${HOSTILE}`;
  return {
    ...r,
    service: evil('checkout'),
    reason: evil(r.reason),
    watchId: evil(r.watchId),
    deploy: {
      ...r.deploy,
      artifactId: evil(r.deploy.artifactId),
      artifact: { id: evil('42'), target: evil('v1') },
    },
    failedArtifact: { id: evil('42') },
    restoredArtifact: { id: evil('41'), revision: HOSTILE },
    contract: {
      ...r.contract,
      signals: [{ id: hostileSignal, kind: 'error-rate', rules: ['sequential'], authoritative: false }],
    },
    phases: r.phases.map((p) => ({ ...p, reason: evil(p.reason) })),
    breach: {
      ...breach,
      signal: hostileSignal,
      segment: `route=${HOSTILE}`,
      reason: evil(breach.reason),
      onset: breach.onset ? { ...breach.onset, reason: evil(breach.onset.reason), method: evil('m') } : null,
      evidence: breach.evidence.map((v) => ({
        ...v,
        signal: hostileSignal,
        segment: HOSTILE,
        reason: evil(v.reason),
      })),
    },
    cutover: {
      ...r.cutover,
      detail: evil(r.cutover.detail),
      operationId: evil('op'),
      target: { id: evil('41') },
    },
    recovery: {
      ...r.recovery,
      reason: evil(r.recovery.reason),
      readings: r.recovery.readings.map((v) => ({ ...v, reason: evil(v.reason) })),
    },
    series: { [hostileSignal]: r.series['error-rate'] ?? [] },
    notifications: [{ kind: evil('alert'), title: evil('t'), ok: false, error: HOSTILE, at: r.finishedAt }],
  };
}

/**
 * A bad release that fails hard: the 5xx rate jumps from 0.1% to about 20% at +20 s, and after
 * the rollback falls back to 0.1%; the restored pods take a few evaluations to report readiness,
 * so health has evaluations without a value. On a linear axis the baseline and the recovery
 * would lie flat on zero under the spike.
 */
export function spikeRecord(): AuditRecord {
  const r = rolledBackRecord();
  const rate = (p: AuditPoint, i: number): number | null => {
    if (p.value === null) return null;
    const t = (Date.parse(p.at) - T0) / 1000;
    if (p.phase === 'verify') return 0.001 + noise(i, 21) * 0.0003;
    return t < 20 ? 0.001 + noise(i, 22) * 0.0003 : 0.2 + noise(i, 23) * 0.02;
  };
  const errors = (r.series['error-rate'] ?? []).map((p, i) => ({
    ...p,
    value: rate(p, i),
    threshold: 0.001,
  }));
  const health = (r.series.health ?? []).map((p) => {
    const t = (Date.parse(p.at) - T0) / 1000;
    return t >= 40 && t <= 55 ? { ...p, status: 'no-data' as const, value: null } : p;
  });
  const baseline = r.baseline;
  if (!baseline || !r.breach) throw new Error('fixture incomplete');
  return {
    ...r,
    series: { ...r.series, 'error-rate': errors, health },
    baseline: {
      ...baseline,
      signals: {
        ...baseline.signals,
        'error-rate': {
          ...(baseline.signals['error-rate'] as NonNullable<(typeof baseline.signals)[string]>),
          value: 0.001,
          events: 36,
          series: beforeSeries(1800, (i) => 0.001 + noise(i, 24) * 0.0003),
        },
      },
    },
    breach: { ...r.breach, value: 0.2012, threshold: 0.001 },
  };
}
