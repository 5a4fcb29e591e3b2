/**
 * What the generator is asked to produce: a service's steady behaviour, the healthy events
 * around the deploy (cold start, traffic spikes, drift) and at most one fault. All times are
 * in steps of 5 s unless a field says seconds; `at` counts steps after the deploy (as in the
 * examples' _meta.json), `before` steps before it.
 */

/** A service at rest. */
export interface ServiceProfile {
  /** Mean requests per second. */
  readonly rps: number;
  /** Baseline probability that a request fails (5xx). */
  readonly p0: number;
  /** Median latency (ms) of the log-normal latency distribution. */
  readonly medianMs: number;
  /** Log-space standard deviation of latency. */
  readonly sigma: number;
  /** Sinusoidal traffic drift: relative amplitude and period (s). Examples: ~0.15 over ~75 min. */
  readonly drift: { readonly amplitude: number; readonly periodSeconds: number };
  /** Step-to-step extra traffic noise (log-normal sd); 0 = plain Poisson. */
  readonly trafficNoise?: number;
  /**
   * Mild multiplicative drift of the baseline error probability (relative amplitude, period s).
   * `phaseAtDeploy` (radians) fixes the sine's phase at the deploy (-pi/2: at its low and rising);
   * without it the phase is drawn.
   */
  readonly errorDrift?: {
    readonly amplitude: number;
    readonly periodSeconds: number;
    readonly phaseAtDeploy?: number;
  };
  /** Step-to-step noise of the error probability (log-normal sd, mean preserved); 0 = binomial. */
  readonly errorNoise?: number;
  /** CPU cores at mean traffic. */
  readonly cpuCores: number;
  /** Resident memory at rest (bytes). */
  readonly memoryBytes: number;
  /** Pods behind the service (the ready fraction moves in 1/pods). */
  readonly pods: number;
  /** Standard deviation of the memory noise per sample (bytes); default 2 MB. */
  readonly memoryNoiseBytes?: number;
  /**
   * A garbage-collected heap: memory climbs by `amplitudeBytes` over each GC cycle of
   * `periodSeconds` (each cycle's length varies by ±`jitter`, a fraction) and drops back.
   */
  readonly gc?: { readonly periodSeconds: number; readonly amplitudeBytes: number; readonly jitter?: number };
  /**
   * Traffic trend: relative change of the request rate per hour, linear in time and 0 at the
   * deploy (0.5: +50% an hour after the deploy, -25% half an hour before it).
   */
  readonly trafficTrend?: number;
  /**
   * Seconds relative to the deploy (negative: before it) from which the trend runs; before that
   * the traffic stays at the trend's level then (default: the trend runs through the whole window).
   */
  readonly trafficTrendSince?: number;
  /**
   * Queueing at ordinary load: every request is `traffic^loadLatency` times slower, where
   * `traffic` is the drift and trend's multiple of `rps` (surges set their own slowdown).
   */
  readonly loadLatency?: number;
  /** Errors follow load too: the failure probability is `traffic^loadErrors` times `p0`. */
  readonly loadErrors?: number;
  /**
   * A session store: each request holds `bytesPerRequest` for `ttlSeconds`, so memory follows
   * the requests of the last `ttlSeconds` (more at a busier time: a load surge raises it).
   */
  readonly sessions?: { readonly bytesPerRequest: number; readonly ttlSeconds: number };
  /**
   * Memory that follows a surge's load (buffers, queues, caches of the surge's keys):
   * `bytesPerLoad` bytes for each unit of the traffic spikes' multiple above 1 (a 3x surge holds
   * `2 x bytesPerLoad`), approached with the time constant `riseSeconds` while the load rises and
   * given back with `fallSeconds` once it falls (a collector that returns memory slowly). Only the
   * spikes move it, not the drift or a trend. Without it nothing is drawn differently.
   */
  readonly loadMemory?: {
    readonly bytesPerLoad: number;
    readonly riseSeconds: number;
    readonly fallSeconds: number;
  };
  /**
   * Bimodal latency (a cache in front of a slow path): each request misses with probability
   * `missShare` and is then `missFactor` times slower. After the deploy the new version's miss
   * share is `missShareAfter` (default `missShare`: a healthy release may shift it).
   */
  readonly bimodal?: {
    readonly missShare: number;
    readonly missFactor: number;
    readonly missShareAfter?: number;
  };
}

/**
 * A cache warm-up (healthy): the new version starts with a cold cache, so right after it takes
 * traffic every request is `latencyFactor` times slower (or, with `slowShare`, that share of its
 * requests: the misses), and `errorRate` more fail; the effect decays to nothing over `seconds`
 * (minutes, unlike a {@link ColdStart}), linearly or exponentially (time constant seconds / 3).
 */
export interface WarmUp {
  readonly seconds: number;
  readonly latencyFactor: number;
  readonly slowShare?: number;
  readonly errorRate?: number;
  readonly shape?: 'linear' | 'exponential';
}

/**
 * A progressive rollout: the new version takes traffic in `stages` equal steps (pods replaced one
 * by one), the first at the deploy and the last `seconds` after it. Until then the rest of the
 * traffic is served by the old version, unaffected by the fault, the cold start and the warm-up;
 * each stage's pods have their own cold start and warm-up from the time they take traffic.
 */
export interface Rollout {
  readonly stages: number;
  readonly seconds: number;
}

/**
 * A healthy level shift of memory (a new version's larger working set): from `atStep` steps
 * after the deploy, memory rises by `bytes` over `rampSeconds`, then stays there.
 */
export interface MemoryShift {
  readonly atStep: number;
  readonly bytes: number;
  readonly rampSeconds: number;
}

/** A healthy cold start right after the deploy: slower and slightly failing for a few seconds. */
export interface ColdStart {
  readonly seconds: number;
  readonly latencyFactor: number;
  /** Extra failure probability during the cold start. */
  readonly errorRate: number;
}

/**
 * A burst of traffic (healthy): `factor` times the usual rate for `steps` steps from `atStep`.
 * Queueing slows every request by `latencyFactor` meanwhile (default `1 + 0.1 (factor - 1)`)
 * and multiplies the failure probability by `errorFactor` (default 1); `rampSteps` steps on each
 * side move traffic and queueing linearly (default 0: a step change).
 */
export interface TrafficSpike {
  readonly atStep: number;
  readonly steps: number;
  readonly factor: number;
  readonly latencyFactor?: number;
  readonly errorFactor?: number;
  readonly rampSteps?: number;
}

/**
 * Host load (healthy): at each of `steps` (absolute step indexes), `slowRequests` requests of
 * that step are `factor` times slower than usual (a noisy neighbour, a GC pause), and
 * `failedRequests` fail.
 */
export interface HostLoad {
  readonly steps: readonly number[];
  readonly slowRequests: number;
  readonly factor: number;
  /** Requests of each of those steps that fail outright (a transient hiccup); default 0. */
  readonly failedRequests?: number;
}

/**
 * Something that went wrong inside the baseline window and ended before the deploy (a previous
 * bad release, rolled back): from step `start` for `steps` steps the failure probability is
 * `p1` and/or every request is `latencyFactor` times slower.
 */
export interface BaselineBump {
  readonly start: number;
  readonly steps: number;
  readonly p1?: number;
  readonly latencyFactor?: number;
}

/** A part of the traffic, reported as its own series (`segments` in the scenario). */
export interface SegmentSpec {
  /** Label matcher, e.g. `browser=safari`. */
  readonly name: string;
  /** Share of the requests. */
  readonly share: number;
  /** Baseline failure probability of the segment. */
  readonly p0: number;
}

/** The fault a scenario carries, if any. */
export type FaultSpec =
  | {
      readonly kind: 'errors';
      readonly p1: number;
      readonly at: number;
      /** Linear ramp from p0 to p1 over this many seconds (0 = sudden). */
      readonly rampSeconds?: number;
    }
  | {
      readonly kind: 'latency';
      readonly factor: number;
      readonly at: number;
      readonly rampSeconds?: number;
      /** Share of requests slowed (1 = every request; below 1 = a slow tail). */
      readonly share?: number;
    }
  | {
      readonly kind: 'leak';
      readonly bytesPerSecond: number;
      readonly limitBytes: number;
      readonly at: number;
    }
  | {
      /** The slow path of a {@link ServiceProfile.bimodal} service regresses: misses `factor` times slower. */
      readonly kind: 'miss-path';
      readonly factor: number;
      readonly at: number;
      readonly rampSeconds?: number;
    }
  | { readonly kind: 'probe'; readonly readyPods: number; readonly at: number }
  | {
      readonly kind: 'crashloop';
      readonly at: number;
      /** Seconds a crashing pod runs before it dies. */
      readonly upSeconds: number;
      /** Failure probability of the step in which a pod dies (in-flight requests lost). */
      readonly crashErrorRate: number;
    }
  | { readonly kind: 'segment'; readonly segment: string; readonly p1: number; readonly at: number }
  | {
      readonly kind: 'preexisting';
      readonly p1: number;
      readonly before: number;
      /** Steps after the deploy at which the incident ends (absent: it lasts). */
      readonly recoverAt?: number;
      /** Seconds the incident climbs from the base level to `p1` (absent: a step). */
      readonly rampSeconds?: number;
    }
  | {
      readonly kind: 'preexisting-latency';
      readonly factor: number;
      readonly before: number;
      readonly recoverAt?: number;
      /** Seconds the incident climbs from the base latency to `factor` times it (absent: a step). */
      readonly rampSeconds?: number;
    };

/** One scenario to generate. */
export interface ScenarioSpec {
  readonly name: string;
  readonly description: string;
  readonly seed: number;
  readonly service: ServiceProfile;
  readonly fault: FaultSpec | null;
  readonly coldStart?: ColdStart;
  readonly spikes?: readonly TrafficSpike[];
  readonly segments?: readonly SegmentSpec[];
  readonly hostLoad?: HostLoad;
  readonly baselineBumps?: readonly BaselineBump[];
  readonly memoryShift?: MemoryShift;
  readonly warmUp?: WarmUp;
  readonly rollout?: Rollout;
  /** Upper bounds (ms) of the latency histogram's buckets; default the Prometheus client's. */
  readonly latencyBucketsMs?: readonly number[];
  /** Free text for `truth.note`. */
  readonly note?: string;
  /** Steps before the deploy (default 360 = 30 min) and after it (default 180 = 15 min). */
  readonly preSteps?: number;
  readonly bakeSteps?: number;
}
