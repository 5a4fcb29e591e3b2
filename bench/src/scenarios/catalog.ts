import { hashString, Prng } from './prng';
import type {
  ColdStart,
  FaultSpec,
  ScenarioSpec,
  SegmentSpec,
  ServiceProfile,
  TrafficSpike,
} from './scenario-spec';

/** Seed of the committed corpus; change it only to draw a new corpus on purpose. */
export const CORPUS_SEED = 'rollgate-corpus-v1';

const DEPLOY = 360;

interface Entry {
  readonly name: string;
  readonly description: string;
  readonly service: Partial<ServiceProfile> & Pick<ServiceProfile, 'rps'>;
  readonly fault?: FaultSpec;
  readonly coldStart?: ColdStart;
  readonly spikes?: readonly TrafficSpike[];
  readonly segments?: readonly SegmentSpec[];
  readonly note?: string;
}

/**
 * The corpus. Key parameters (traffic, error rates, fault sizes, onsets) are written out;
 * the nuisance parameters (memory and CPU level, drift phase and period, pod count unless set)
 * are drawn from a seeded PRNG so services differ the way real ones do.
 */
const ENTRIES: readonly Entry[] = [
  // ---- healthy: steady ----
  { name: 'keep-steady-5rps', description: 'healthy deploy, 5 req/s, 0.5% errors', service: { rps: 5 } },
  {
    name: 'keep-steady-20rps-fast',
    description: 'healthy deploy of a fast service (15 ms median), 0.2% errors',
    service: { rps: 20, p0: 0.002, medianMs: 15, sigma: 0.4 },
  },
  {
    name: 'keep-steady-50rps',
    description: 'healthy deploy, 50 req/s, 1% background errors, 80 ms median',
    service: { rps: 50, p0: 0.01, medianMs: 80, sigma: 0.6 },
  },
  {
    name: 'keep-steady-100rps-slow',
    description: 'healthy deploy of a slow service (150 ms median), 100 req/s',
    service: { rps: 100, p0: 0.003, medianMs: 150, sigma: 0.5 },
  },
  // ---- healthy: noisy ----
  {
    name: 'keep-noisy-20rps',
    description: 'healthy deploy, bursty traffic and errors, wide latency (sigma 0.9)',
    service: { rps: 20, sigma: 0.9, trafficNoise: 0.15, errorNoise: 0.3 },
  },
  {
    name: 'keep-noisy-8rps',
    description: 'healthy deploy, 8 req/s, 1% bursty errors, very wide latency (sigma 1.0)',
    service: { rps: 8, p0: 0.01, sigma: 1.0, trafficNoise: 0.2, errorNoise: 0.3 },
  },
  {
    name: 'keep-noisy-40rps',
    description: 'healthy deploy, 40 req/s with noisy traffic, sigma 0.8',
    service: { rps: 40, sigma: 0.8, trafficNoise: 0.1 },
  },
  // ---- healthy: traffic spikes ----
  {
    name: 'keep-spike-at-deploy',
    description: 'healthy deploy that coincides with a 3x traffic burst lasting 2 minutes',
    service: { rps: 20 },
    spikes: [{ atStep: DEPLOY, steps: 24, factor: 3 }],
  },
  {
    name: 'keep-spike-after-deploy',
    description: 'healthy deploy, a 4x traffic burst of 1 minute starts 200 s later',
    service: { rps: 10 },
    spikes: [{ atStep: DEPLOY + 40, steps: 12, factor: 4 }],
  },
  {
    name: 'keep-spike-before-deploy',
    description: 'healthy deploy; the baseline holds a 2.5x burst of 3 minutes',
    service: { rps: 30 },
    spikes: [{ atStep: 300, steps: 36, factor: 2.5 }],
  },
  // ---- healthy: cold starts ----
  {
    name: 'keep-cold-start-15s',
    description: 'healthy deploy with a 15 s cold start (3x latency, 3% errors)',
    service: { rps: 20 },
    coldStart: { seconds: 15, latencyFactor: 3, errorRate: 0.03 },
  },
  {
    name: 'keep-cold-start-30s',
    description: 'healthy deploy with a 30 s cold start (2.5x latency, 2% errors), 10 req/s',
    service: { rps: 10 },
    coldStart: { seconds: 30, latencyFactor: 2.5, errorRate: 0.02 },
  },
  {
    name: 'keep-cold-start-45s',
    description: 'healthy deploy with a 45 s cold start (3.5x latency, 2% errors), 50 req/s',
    service: { rps: 50 },
    coldStart: { seconds: 45, latencyFactor: 3.5, errorRate: 0.02 },
  },
  {
    name: 'keep-cold-start-60s',
    description: 'healthy deploy with a 60 s cold start (4x latency, 4% errors)',
    service: { rps: 20 },
    coldStart: { seconds: 60, latencyFactor: 4, errorRate: 0.04 },
  },
  {
    name: 'keep-cold-start-low-traffic',
    description: 'healthy deploy at 1 req/s with a 30 s cold start',
    service: { rps: 1 },
    coldStart: { seconds: 30, latencyFactor: 3, errorRate: 0.03 },
  },
  // ---- healthy: low traffic ----
  { name: 'keep-low-traffic-0.1rps', description: 'healthy deploy at 0.1 req/s', service: { rps: 0.1 } },
  { name: 'keep-low-traffic-0.3rps', description: 'healthy deploy at 0.3 req/s', service: { rps: 0.3 } },
  {
    name: 'keep-low-traffic-0.6rps',
    description: 'healthy deploy at 0.6 req/s, 1% errors',
    service: { rps: 0.6, p0: 0.01 },
  },
  { name: 'keep-low-traffic-1rps', description: 'healthy deploy at 1 req/s', service: { rps: 1 } },
  // ---- healthy: diurnal drift ----
  {
    name: 'keep-diurnal-strong',
    description: 'healthy deploy during a strong traffic swing (±40% over 3 h)',
    service: { rps: 20, drift: { amplitude: 0.4, periodSeconds: 10800 } },
  },
  {
    name: 'keep-diurnal-fast',
    description: 'healthy deploy during a fast traffic swing (±50% over 2 h)',
    service: { rps: 15, drift: { amplitude: 0.5, periodSeconds: 7200 } },
  },
  {
    name: 'keep-diurnal-error-drift',
    description: 'healthy deploy; traffic ±30% and the background error rate drifts ±12%',
    service: {
      rps: 20,
      drift: { amplitude: 0.3, periodSeconds: 5400 },
      errorDrift: { amplitude: 0.12, periodSeconds: 5400 },
    },
  },
  // ---- healthy: high traffic ----
  {
    name: 'keep-high-traffic-250rps',
    description: 'healthy deploy at 250 req/s, 0.2% errors',
    service: { rps: 250, p0: 0.002, medianMs: 30 },
  },
  {
    name: 'keep-high-traffic-500rps',
    description: 'healthy deploy at 500 req/s, 0.1% errors',
    service: { rps: 500, p0: 0.001, medianMs: 25, sigma: 0.45 },
  },
  {
    name: 'keep-segments-healthy',
    description: 'healthy deploy with a Safari segment (3% of traffic) reported separately',
    service: { rps: 20 },
    segments: [{ name: 'browser=safari', share: 0.03, p0: 0.005 }],
  },
  // ---- error regressions: large ----
  {
    name: 'rollback-errors-5pct-20rps',
    description: '5xx rises from 0.5% to 5% 30 s after the deploy, 20 req/s',
    service: { rps: 20 },
    fault: { kind: 'errors', p1: 0.05, at: 6 },
  },
  {
    name: 'rollback-errors-reference-10rps',
    description: 'the reference case: 0.5% -> 3% errors at 10 req/s from the deploy',
    service: { rps: 10 },
    fault: { kind: 'errors', p1: 0.03, at: 0 },
  },
  {
    name: 'rollback-errors-3pct-10rps-after-2min',
    description: '0.5% -> 3% errors at 10 req/s, starting 2 minutes after the deploy',
    service: { rps: 10 },
    fault: { kind: 'errors', p1: 0.03, at: 24 },
  },
  {
    name: 'rollback-errors-8pct-5rps-after-5min',
    description: '0.5% -> 8% errors at 5 req/s, starting 5 minutes after the deploy',
    service: { rps: 5 },
    fault: { kind: 'errors', p1: 0.08, at: 60 },
  },
  {
    name: 'rollback-errors-10pct-50rps',
    description: '1% -> 10% errors at 50 req/s right at the deploy',
    service: { rps: 50, p0: 0.01 },
    fault: { kind: 'errors', p1: 0.1, at: 0 },
  },
  {
    name: 'rollback-errors-20pct-1rps',
    description: '0.5% -> 20% errors at 1 req/s, one minute after the deploy',
    service: { rps: 1 },
    fault: { kind: 'errors', p1: 0.2, at: 12 },
  },
  {
    name: 'rollback-errors-6pct-100rps-after-8min',
    description: '0.3% -> 6% errors at 100 req/s, starting 8 minutes after the deploy',
    service: { rps: 100, p0: 0.003 },
    fault: { kind: 'errors', p1: 0.06, at: 96 },
  },
  {
    name: 'rollback-errors-50pct-0.5rps',
    description: 'half of the requests fail at 0.5 req/s, 30 s after the deploy',
    service: { rps: 0.5 },
    fault: { kind: 'errors', p1: 0.5, at: 6 },
  },
  // ---- error regressions: small ----
  {
    name: 'rollback-errors-small-20rps',
    description: 'small regression: 0.5% -> 1.5% errors at 20 req/s, 30 s after the deploy',
    service: { rps: 20 },
    fault: { kind: 'errors', p1: 0.015, at: 6 },
  },
  {
    name: 'rollback-errors-small-50rps-after-3min',
    description: 'small regression: 0.5% -> 1.5% errors at 50 req/s, 3 minutes after the deploy',
    service: { rps: 50 },
    fault: { kind: 'errors', p1: 0.015, at: 36 },
  },
  {
    name: 'rollback-errors-small-10rps',
    description: 'small regression: 0.5% -> 1.5% errors at 10 req/s from the deploy',
    service: { rps: 10 },
    fault: { kind: 'errors', p1: 0.015, at: 0 },
  },
  {
    name: 'rollback-errors-small-1pct-to-2.5pct',
    description: 'small regression: 1% -> 2.5% errors at 20 req/s, 1 minute after the deploy',
    service: { rps: 20, p0: 0.01 },
    fault: { kind: 'errors', p1: 0.025, at: 12 },
  },
  {
    name: 'rollback-errors-small-100rps',
    description: 'small regression: 0.2% -> 0.8% errors at 100 req/s from the deploy',
    service: { rps: 100, p0: 0.002 },
    fault: { kind: 'errors', p1: 0.008, at: 0 },
  },
  // ---- error regressions: gradual ----
  {
    name: 'rollback-errors-ramp-3min',
    description: 'errors ramp from 0.5% to 5% over 3 minutes, starting 1 minute after the deploy',
    service: { rps: 20 },
    fault: { kind: 'errors', p1: 0.05, at: 12, rampSeconds: 180 },
  },
  {
    name: 'rollback-errors-ramp-5min-10rps',
    description: 'errors ramp from 0.5% to 3% over 5 minutes from the deploy, 10 req/s',
    service: { rps: 10 },
    fault: { kind: 'errors', p1: 0.03, at: 0, rampSeconds: 300 },
  },
  {
    name: 'rollback-errors-ramp-10min-5rps',
    description: 'errors ramp from 0.5% to 10% over 10 minutes, 5 req/s',
    service: { rps: 5 },
    fault: { kind: 'errors', p1: 0.1, at: 6, rampSeconds: 600 },
  },
  // ---- latency: sudden ----
  {
    name: 'rollback-latency-x1.5-50rps',
    description: 'all requests 1.5x slower from 1 minute after the deploy, 50 req/s',
    service: { rps: 50 },
    fault: { kind: 'latency', factor: 1.5, at: 12 },
  },
  {
    name: 'rollback-latency-x2-20rps',
    description: 'all requests 2x slower right at the deploy, 20 req/s',
    service: { rps: 20 },
    fault: { kind: 'latency', factor: 2, at: 0 },
  },
  {
    name: 'rollback-latency-x3-5rps-after-3min',
    description: 'all requests 3x slower from 3 minutes after the deploy, 5 req/s',
    service: { rps: 5 },
    fault: { kind: 'latency', factor: 3, at: 36 },
  },
  {
    name: 'rollback-latency-x4-1rps',
    description: 'all requests 4x slower 30 s after the deploy, 1 req/s',
    service: { rps: 1 },
    fault: { kind: 'latency', factor: 4, at: 6 },
  },
  {
    name: 'rollback-latency-tail-5pct-x10',
    description: '5% of requests become 10x slower 1 minute after the deploy (median unchanged)',
    service: { rps: 20 },
    fault: { kind: 'latency', factor: 10, at: 12, share: 0.05 },
  },
  {
    name: 'rollback-latency-tail-2pct-x20-after-5min',
    description: '2% of requests become 20x slower 5 minutes after the deploy, 50 req/s',
    service: { rps: 50 },
    fault: { kind: 'latency', factor: 20, at: 60, share: 0.02 },
  },
  // ---- latency: gradual ----
  {
    name: 'rollback-latency-ramp-x3-5min',
    description: 'latency ramps to 3x over 5 minutes from the deploy, 20 req/s',
    service: { rps: 20 },
    fault: { kind: 'latency', factor: 3, at: 0, rampSeconds: 300 },
  },
  {
    name: 'rollback-latency-ramp-x2-8min',
    description: 'latency ramps to 2x over 8 minutes from 1 minute after the deploy, 10 req/s',
    service: { rps: 10 },
    fault: { kind: 'latency', factor: 2, at: 12, rampSeconds: 480 },
  },
  {
    name: 'rollback-latency-ramp-x2.5-100rps',
    description: 'latency ramps to 2.5x over 3 minutes from 4 minutes after the deploy, 100 req/s',
    service: { rps: 100 },
    fault: { kind: 'latency', factor: 2.5, at: 48, rampSeconds: 180 },
  },
  // ---- memory leaks ----
  {
    name: 'rollback-leak-3MBps',
    description: 'memory grows 3 MB/s after the deploy until OOM restarts (1.2 GB limit)',
    service: { rps: 20 },
    fault: { kind: 'leak', bytesPerSecond: 3e6, limitBytes: 1.2e9, at: 2 },
  },
  {
    name: 'rollback-leak-1MBps',
    description: 'memory grows 1 MB/s from 1 minute after the deploy (1 GB limit)',
    service: { rps: 10 },
    fault: { kind: 'leak', bytesPerSecond: 1e6, limitBytes: 1e9, at: 12 },
  },
  {
    name: 'rollback-leak-0.5MBps',
    description: 'memory grows 0.5 MB/s from the deploy; the 2 GB limit is an hour away',
    service: { rps: 20 },
    fault: { kind: 'leak', bytesPerSecond: 5e5, limitBytes: 2e9, at: 0 },
  },
  {
    name: 'rollback-leak-8MBps',
    description: 'memory grows 8 MB/s from 2 minutes after the deploy: OOM every ~80 s (1 GB limit)',
    service: { rps: 30 },
    fault: { kind: 'leak', bytesPerSecond: 8e6, limitBytes: 1e9, at: 24 },
  },
  {
    name: 'rollback-leak-0.3MBps-after-3min',
    description: 'memory grows 0.3 MB/s from 3 minutes after the deploy (1.5 GB limit)',
    service: { rps: 5 },
    fault: { kind: 'leak', bytesPerSecond: 3e5, limitBytes: 1.5e9, at: 36 },
  },
  // ---- readiness ----
  {
    name: 'rollback-probe-1-of-3',
    description: 'one pod in three stops reporting Ready 20 s after the deploy',
    service: { rps: 20, pods: 3 },
    fault: { kind: 'probe', readyPods: 2, at: 4 },
  },
  {
    name: 'rollback-probe-1-of-4-after-150s',
    description: 'one pod in four stops reporting Ready 150 s after the deploy',
    service: { rps: 10, pods: 4 },
    fault: { kind: 'probe', readyPods: 3, at: 30 },
  },
  {
    name: 'rollback-probe-2-of-5',
    description: 'two pods in five never become Ready after the deploy',
    service: { rps: 40, pods: 5 },
    fault: { kind: 'probe', readyPods: 3, at: 0 },
  },
  {
    name: 'rollback-crashloop',
    description: 'one pod crash-loops from 30 s after the deploy (CrashLoopBackOff, errors at each crash)',
    service: { rps: 20, pods: 3 },
    fault: { kind: 'crashloop', at: 6, upSeconds: 20, crashErrorRate: 0.05 },
  },
  {
    name: 'rollback-crashloop-after-4min',
    description: 'one pod in four starts crash-looping 4 minutes after the deploy',
    service: { rps: 10, pods: 4 },
    fault: { kind: 'crashloop', at: 48, upSeconds: 30, crashErrorRate: 0.05 },
  },
  {
    name: 'rollback-crashloop-low-traffic',
    description: 'one pod in two crash-loops from the deploy at 0.5 req/s',
    service: { rps: 0.5, pods: 2 },
    fault: { kind: 'crashloop', at: 0, upSeconds: 15, crashErrorRate: 0.3 },
  },
  // ---- failures confined to a segment ----
  {
    name: 'rollback-segment-safari',
    description: 'Safari (3% of traffic) fails: 0% -> 30% errors there only, 30 s after the deploy',
    service: { rps: 20 },
    segments: [{ name: 'browser=safari', share: 0.03, p0: 0 }],
    fault: { kind: 'segment', segment: 'browser=safari', p1: 0.3, at: 6 },
  },
  {
    name: 'rollback-segment-region-after-2min',
    description: 'one region (5% of traffic) goes from 0.5% to 20% errors 2 minutes after the deploy',
    service: { rps: 50 },
    segments: [{ name: 'region=eu-west-3', share: 0.05, p0: 0.005 }],
    fault: { kind: 'segment', segment: 'region=eu-west-3', p1: 0.2, at: 24 },
  },
  {
    name: 'rollback-segment-endpoint',
    description: 'the checkout endpoint (10% of traffic) goes from 1% to 8% errors at the deploy',
    service: { rps: 10, p0: 0.005 },
    segments: [{ name: 'endpoint=/checkout', share: 0.1, p0: 0.01 }],
    fault: { kind: 'segment', segment: 'endpoint=/checkout', p1: 0.08, at: 0 },
  },
  {
    name: 'rollback-segment-safari-5rps',
    description: 'Safari (3% of 5 req/s) fails: 0% -> 30% errors there, 1 minute after the deploy',
    service: { rps: 5 },
    segments: [{ name: 'browser=safari', share: 0.03, p0: 0 }],
    fault: { kind: 'segment', segment: 'browser=safari', p1: 0.3, at: 12 },
  },
  // ---- breaches that began before the deploy ----
  {
    name: 'incident-errors-3min',
    description: 'error spike (6%) that began 3 minutes before the deploy',
    service: { rps: 20 },
    fault: { kind: 'preexisting', p1: 0.06, before: 36 },
  },
  {
    name: 'incident-errors-1min-50rps',
    description: 'error spike (4%) that began 1 minute before the deploy, 50 req/s',
    service: { rps: 50 },
    fault: { kind: 'preexisting', p1: 0.04, before: 12 },
  },
  {
    name: 'incident-errors-6min-5rps',
    description: 'error spike (10%) that began 6 minutes before the deploy, 5 req/s',
    service: { rps: 5 },
    fault: { kind: 'preexisting', p1: 0.1, before: 72 },
  },
  {
    name: 'incident-errors-10min',
    description: 'elevated errors (3%) since 10 minutes before the deploy, 10 req/s',
    service: { rps: 10 },
    fault: { kind: 'preexisting', p1: 0.03, before: 120 },
  },
  {
    name: 'incident-latency-2min',
    description: 'latency tripled 2 minutes before the deploy (a slow dependency), 20 req/s',
    service: { rps: 20 },
    fault: { kind: 'preexisting-latency', factor: 3, before: 24 },
  },
  {
    name: 'incident-latency-5min',
    description: 'latency doubled 5 minutes before the deploy, 50 req/s',
    service: { rps: 50 },
    fault: { kind: 'preexisting-latency', factor: 2, before: 60 },
  },
];

/**
 * The specs of the committed corpus (bench/scenarios). Deterministic: the same `seed` yields the
 * same specs, hence (through `synthesize`) byte-identical files.
 */
export function corpusSpecs(seed: string = CORPUS_SEED): ScenarioSpec[] {
  const rng = new Prng(seed);
  return ENTRIES.map((e) => {
    const rps = e.service.rps;
    const service: ServiceProfile = {
      p0: 0.005,
      medianMs: 40,
      sigma: 0.5,
      drift: {
        amplitude: round(rng.between(0.1, 0.2), 3),
        periodSeconds: Math.round(rng.between(3600, 5400)),
      },
      cpuCores: round(Math.max(0.2, 0.35 * (Math.max(rps, 1) / 20) ** 0.7) * rng.between(0.8, 1.2), 3),
      memoryBytes: Math.round(rng.between(2.5e8, 6.5e8)),
      pods: 3,
      ...e.service,
    };
    return {
      name: e.name,
      description: e.description,
      seed: (hashString(e.name) ^ hashString(seed)) >>> 0,
      service,
      fault: e.fault ?? null,
      ...(e.coldStart ? { coldStart: e.coldStart } : {}),
      ...(e.spikes ? { spikes: e.spikes } : {}),
      ...(e.segments ? { segments: e.segments } : {}),
      ...(e.note ? { note: e.note } : {}),
    };
  });
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
