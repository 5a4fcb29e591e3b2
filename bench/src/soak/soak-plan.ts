import type { ReleaseBehaviour } from '../../../examples/src/service/release-behaviour';
import type { DemoTimings } from '../../../examples/src/watch/demo-contract';

/** What a soak deploy is, for the tables: the healthy conditions and the fault kinds. */
export type DeployKind =
  | 'healthy'
  | 'healthy, low traffic'
  | 'healthy, host load'
  | 'healthy, load surge'
  | 'error spike'
  | 'latency regression'
  | 'tail-only latency'
  | 'memory leak'
  | 'low-traffic errors'
  | 'error spike, host load';

/** One deploy of a lane: the release's behaviour and what happens around it. */
export interface SoakDeploy {
  readonly kind: DeployKind;
  /** What a correct controller does: keep a healthy release, roll a bad one back. */
  readonly expect: 'keep' | 'rollback';
  readonly behaviour: Omit<ReleaseBehaviour, 'version'>;
  /** Traffic rises `factor` times `afterSeconds` after the deploy, for `seconds`. */
  readonly surge?: { readonly afterSeconds: number; readonly factor: number; readonly seconds: number };
  /** Busy-loop processes take the CPU `afterSeconds` after the deploy, for `seconds`. */
  readonly hostLoad?: { readonly afterSeconds: number; readonly seconds: number; readonly processes: number };
}

/** One shop: its own process, traffic and deploy_path, deployed again and again. */
export interface SoakLane {
  /** The Prometheus label `lane` of its series, and its service name `shop-<id>`. */
  readonly id: string;
  /** Requests per second, and how they arrive. */
  readonly rps: number;
  readonly arrivals: 'even' | 'poisson';
  /** Worker pool size (queueing under surges); none: no limit. */
  readonly workers?: number;
  /** The GC sawtooth: per-request session bytes, kept this long (they die in the old space). */
  readonly sessions: { readonly bytesPerRequest: number; readonly ttlSeconds: number };
  readonly timings: DemoTimings;
  readonly deploys: readonly SoakDeploy[];
}

/** Release 1 and every healthy release: about 0.5% errors, log-normal latency, p99 near 40 ms. */
const HEALTHY: Omit<ReleaseBehaviour, 'version'> = {
  errorRate: 0.005,
  latency: { medianMs: 12, sigma: 0.5 },
};
/** The low-traffic services' healthy releases: 2% errors (as the issue's low-traffic cases). */
const HEALTHY_LOW: Omit<ReleaseBehaviour, 'version'> = {
  errorRate: 0.02,
  latency: { medianMs: 12, sigma: 0.5 },
};
/** Faults begin after the contract's warm-up, as a regression that needs traffic to show. */
const FAULT_AFTER = 15;

/**
 * Production's default contract (error rate, p99 latency, memory trend, health; alpha 0.01)
 * in compressed time: 1 s steps, a 90 s bake after a 10 s warm-up, a 45 s baseline, a 30 s
 * verification, extensions of 30 s. The rules and their windows are the defaults.
 */
export const STANDARD_TIMINGS: DemoTimings = {
  stepSeconds: 1,
  bakeSeconds: 90,
  warmupSeconds: 10,
  coldStartSeconds: 10,
  baselineSeconds: 45,
  verification: { windowSeconds: 30 },
  promotion: { inconclusive: 'extend', extendSeconds: 30, maxExtensions: 2 },
};

/** Low traffic needs longer windows to hold any evidence at all: 4 min baseline, 3 min bake. */
export const LOW_TRAFFIC_TIMINGS: DemoTimings = {
  stepSeconds: 1,
  bakeSeconds: 180,
  warmupSeconds: 10,
  coldStartSeconds: 10,
  baselineSeconds: 240,
  verification: { windowSeconds: 60 },
  promotion: { inconclusive: 'extend', extendSeconds: 60, maxExtensions: 2 },
};

/**
 * The memory leaks' lane: the standard timings with a 240 s bake. A leak is confirmed on its
 * trend only once its growth has been watched for 120 s (steady, the limit within 10 minutes) or
 * 180 s (docs/statistics.md, "Memory trend on a GC sawtooth"): a fault 15 s into a 90 s bake
 * leaves 75 s, so both leaks of the earlier plan, in 90 s bakes, could never be confirmed.
 */
export const LEAK_TIMINGS: DemoTimings = { ...STANDARD_TIMINGS, bakeSeconds: 240 };

const healthy: SoakDeploy = { kind: 'healthy', expect: 'keep', behaviour: HEALTHY };
const healthyLow: SoakDeploy = { kind: 'healthy, low traffic', expect: 'keep', behaviour: HEALTHY_LOW };
const hostLoaded: SoakDeploy = {
  kind: 'healthy, host load',
  expect: 'keep',
  behaviour: HEALTHY,
  hostLoad: { afterSeconds: 5, seconds: 60, processes: 4 },
};
const surge: SoakDeploy = {
  kind: 'healthy, load surge',
  expect: 'keep',
  behaviour: HEALTHY,
  surge: { afterSeconds: 5, factor: 4, seconds: 60 },
};
const bad = (
  kind: DeployKind,
  fault: Omit<NonNullable<ReleaseBehaviour['fault']>, 'afterSeconds'>,
  base = HEALTHY,
): SoakDeploy => ({
  kind,
  expect: 'rollback',
  behaviour: { ...base, fault: { afterSeconds: FAULT_AFTER, ...fault } },
});

const SESSIONS_SMALL = { bytesPerRequest: 4_096, ttlSeconds: 30 };
const SESSIONS_LARGE = { bytesPerRequest: 8_192, ttlSeconds: 60 };

/**
 * The soak: seven shops deployed concurrently, 22 healthy deploys and 11 bad ones. Every lane
 * runs the GC sawtooth (session cache); lane `surge` has a worker pool of 2, so 4x traffic
 * queues; lane `leak` holds the memory leaks, with a bake long enough to confirm them; lane `host` loads the whole machine for a minute during three healthy bakes and one
 * bad one (the other lanes' deploys running then are loaded too: each result says so).
 */
export const SOAK_LANES: readonly SoakLane[] = [
  {
    id: 'a',
    rps: 40,
    arrivals: 'poisson',
    sessions: SESSIONS_SMALL,
    timings: STANDARD_TIMINGS,
    deploys: [
      healthy,
      bad('error spike', { errorRate: 0.15 }),
      healthy,
      bad('latency regression', { latencyFactor: 2 }),
      healthy,
      bad('tail-only latency', { tail: { share: 0.03, factor: 12 } }),
      healthy,
    ],
  },
  {
    id: 'b',
    rps: 40,
    arrivals: 'poisson',
    sessions: SESSIONS_LARGE,
    timings: STANDARD_TIMINGS,
    deploys: [
      healthy,
      bad('error spike', { errorRate: 0.08 }),
      healthy,
      bad('latency regression', { latencyFactor: 3 }),
      healthy,
    ],
  },
  {
    id: 'surge',
    rps: 20,
    arrivals: 'poisson',
    workers: 2,
    sessions: SESSIONS_SMALL,
    timings: STANDARD_TIMINGS,
    deploys: [surge, healthy, surge, surge, healthy],
  },
  {
    // The leaks bake for 240 s (LEAK_TIMINGS); the second under a 4x load surge, whose samples
    // are held out of the trend until it has settled.
    id: 'leak',
    rps: 40,
    arrivals: 'poisson',
    sessions: SESSIONS_LARGE,
    timings: LEAK_TIMINGS,
    deploys: [
      healthy,
      bad('memory leak', { leakBytesPerSecond: 1024 * 1024 }),
      surge,
      {
        ...bad('memory leak', { leakBytesPerSecond: 512 * 1024 }),
        surge: { afterSeconds: 5, factor: 4, seconds: 60 },
      },
    ],
  },
  {
    id: 'host',
    rps: 40,
    arrivals: 'poisson',
    sessions: SESSIONS_SMALL,
    timings: STANDARD_TIMINGS,
    deploys: [
      hostLoaded,
      healthy,
      hostLoaded,
      {
        ...bad('error spike, host load', { errorRate: 0.1 }),
        hostLoad: { afterSeconds: 5, seconds: 60, processes: 4 },
      },
      hostLoaded,
      bad('tail-only latency', { tail: { share: 0.04, factor: 10 } }),
    ],
  },
  {
    id: 'low1',
    rps: 0.5,
    arrivals: 'poisson',
    sessions: SESSIONS_SMALL,
    timings: LOW_TRAFFIC_TIMINGS,
    deploys: [healthyLow, healthyLow, bad('low-traffic errors', { errorRate: 0.4 }, HEALTHY_LOW)],
  },
  {
    id: 'low2',
    rps: 0.5,
    arrivals: 'poisson',
    sessions: SESSIONS_SMALL,
    timings: LOW_TRAFFIC_TIMINGS,
    deploys: [healthyLow, bad('low-traffic errors', { errorRate: 0.3 }, HEALTHY_LOW), healthyLow],
  },
];
