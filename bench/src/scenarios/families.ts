import { DEPLOY, gcSawtooth, int, logUniform, MIN, pick, round, service } from './draws';
import { hashString, Prng } from './prng';
import type { FaultSpec, ScenarioSpec, ServiceProfile } from './scenario-spec';

/**
 * Scenario families: each failure class of issue 12 as a family of seeded scenarios whose
 * parameters are drawn from ranges (traffic, surge size and length, GC period and amplitude,
 * fault size and onset, ...), so that a controller is judged on the class, not on one draw.
 * Every family draws its scenarios from a set name and an index: the DEV set is what changes
 * are iterated on, the HELD-OUT set is only scored (see bench/README.md).
 */

/** The failure class a family exercises (issue 12), or `control` for validity checks. */
export type FailureClass =
  | 'load-surge'
  | 'gc-sawtooth'
  | 'near-zero-baseline'
  | 'low-traffic'
  | 'tail-latency'
  | 'dirty-baseline'
  | 'memory-load'
  | 'control';

/** One family: how to draw a scenario of it. */
export interface Family {
  readonly id: string;
  readonly failureClass: FailureClass;
  readonly truth: 'keep' | 'rollback' | 'incident';
  readonly description: string;
  /** Draws the parameters of one scenario (name and seed are filled in by {@link familySpecs}). */
  readonly draw: (rng: Prng) => Omit<ScenarioSpec, 'name' | 'seed'>;
}

/** The set whose seeds changes are tuned on. */
export const DEV_SET = 'dev';
/** The set that is only scored, never tuned on. */
export const HELD_OUT_SET = 'held-out';

/** A healthy load surge: 2-5x traffic for 2-5 minutes, the median 15-40% slower (queueing). */
function surge(rng: Prng, atLatest: number) {
  const steps = int(rng, 2 * MIN, 5 * MIN);
  return {
    atStep: DEPLOY + int(rng, 0, atLatest),
    steps,
    factor: round(rng.between(2, 5), 2),
    latencyFactor: round(rng.between(1.15, 1.4), 3),
    // Some services also fail a little more under load (timeouts at the edge).
    errorFactor: rng.uniform() < 0.35 ? round(rng.between(1.1, 1.5), 2) : 1,
    rampSteps: int(rng, 0, 4),
  };
}

/** The families, in the order the tables list them. */
export const FAMILIES: readonly Family[] = [
  {
    id: 'surge-keep',
    failureClass: 'load-surge',
    truth: 'keep',
    description: 'healthy deploy; 20-150 req/s; traffic 2-5x for 2-5 min after it, median +15-40%',
    draw: (rng) => ({
      description: 'healthy deploy hit by a load surge',
      service: service(rng, { rps: round(logUniform(rng, 20, 150), 1) }),
      fault: null,
      spikes: [surge(rng, 8 * MIN)],
    }),
  },
  {
    id: 'surge-bad',
    failureClass: 'load-surge',
    truth: 'rollback',
    description: 'a load surge as in surge-keep, and a regression that persists at normal load',
    draw: (rng) => {
      const at = pick(rng, [0, 0, int(rng, 1, 5 * MIN)]);
      const fault: FaultSpec =
        rng.uniform() < 0.5
          ? { kind: 'latency', factor: round(rng.between(1.5, 3), 2), at }
          : { kind: 'errors', p1: 0, at };
      const svc = service(rng, { rps: round(logUniform(rng, 20, 150), 1) });
      return {
        description: 'load surge and a regression that persists at normal load',
        service: svc,
        fault: fault.kind === 'errors' ? { ...fault, p1: round(svc.p0 * rng.between(3, 10), 5) } : fault,
        spikes: [surge(rng, 6 * MIN)],
      };
    },
  },
  {
    id: 'gc-keep',
    failureClass: 'gc-sawtooth',
    truth: 'keep',
    description: 'healthy deploy of a garbage-collected service: memory sawtooth, 10-300 s cycles',
    draw: (rng) => {
      const base = logUniform(rng, 5e7, 1e9);
      return {
        description: 'healthy deploy; memory follows a GC sawtooth',
        service: service(rng, {
          rps: round(logUniform(rng, 1, 100), 1),
          memoryBytes: Math.round(base),
          memoryNoiseBytes: Math.round(base * rng.between(0.0005, 0.004)),
          gc: gcOf(rng, base),
        }),
        fault: null,
      };
    },
  },
  {
    id: 'gc-leak',
    failureClass: 'gc-sawtooth',
    truth: 'rollback',
    description: 'a GC sawtooth as in gc-keep with a leak that reaches twice the level in 10-50 min',
    draw: (rng) => {
      const base = logUniform(rng, 5e7, 1e9);
      const minutesToLimit = rng.between(10, 50);
      return {
        description: 'memory leak under a GC sawtooth',
        service: service(rng, {
          rps: round(logUniform(rng, 1, 100), 1),
          memoryBytes: Math.round(base),
          memoryNoiseBytes: Math.round(base * rng.between(0.0005, 0.004)),
          gc: gcOf(rng, base),
        }),
        fault: {
          kind: 'leak',
          bytesPerSecond: Math.round(base / (minutesToLimit * 60)),
          limitBytes: Math.round(2 * base),
          at: int(rng, 0, 4 * MIN),
        },
      };
    },
  },
  {
    id: 'nearzero-keep',
    failureClass: 'near-zero-baseline',
    truth: 'keep',
    description:
      'healthy deploy, 0.5-5 req/s, no slow request in the baseline; host load slows (or fails) a handful',
    draw: (rng) => {
      const rps = round(logUniform(rng, 0.5, 5), 2);
      const failing = rng.uniform() < 0.3;
      const count = int(rng, 3, 12);
      // Slow requests come in bursts (one busy moment slows several) or one by one.
      const clusters = rng.uniform() < 0.5 ? int(rng, 1, Math.min(count, 4)) : count;
      const steps = Array.from({ length: clusters }, () => DEPLOY + int(rng, 0, 170)).sort((a, b) => a - b);
      return {
        description: 'healthy deploy; a handful of slow requests from host load against a near-zero baseline',
        service: service(rng, {
          rps,
          // A tight latency distribution inside one histogram bucket: the bucket at or above the
          // baseline p99 has (almost) no request above it.
          medianMs: Math.round(rng.between(30, 70)),
          sigma: round(rng.between(0.04, 0.12), 3),
          p0: failing ? pick(rng, [0, 0.0002, 0.0005]) : round(logUniform(rng, 0.001, 0.01), 5),
        }),
        fault: null,
        hostLoad: {
          steps: [...new Set(steps)],
          slowRequests: Math.ceil(count / clusters),
          factor: round(rng.between(2, 10), 2),
          ...(failing ? { failedRequests: Math.max(1, Math.floor(count / clusters / 2)) } : {}),
        },
      };
    },
  },
  {
    id: 'lowtraffic-keep',
    failureClass: 'low-traffic',
    truth: 'keep',
    description: 'healthy deploy at 0.1-0.5 req/s, 1-3% errors',
    draw: (rng) => ({
      description: 'healthy deploy at very low traffic',
      service: service(rng, { rps: round(rng.between(0.1, 0.5), 3), p0: round(rng.between(0.01, 0.03), 4) }),
      fault: null,
    }),
  },
  {
    id: 'lowtraffic-bad',
    failureClass: 'low-traffic',
    truth: 'rollback',
    description: 'errors from 1-3% to 20-50% at 0.1-0.5 req/s, at the deploy or up to 4 min later',
    draw: (rng) => ({
      description: 'error regression at very low traffic',
      service: service(rng, { rps: round(rng.between(0.1, 0.5), 3), p0: round(rng.between(0.01, 0.03), 4) }),
      fault: {
        kind: 'errors',
        p1: round(rng.between(0.2, 0.5), 3),
        at: pick(rng, [0, int(rng, 1, 4 * MIN)]),
      },
    }),
  },
  {
    id: 'tail-bad',
    failureClass: 'tail-latency',
    truth: 'rollback',
    description: '1-4% of requests 8-20x slower at 1.5-3 req/s, median unchanged',
    draw: (rng) => ({
      description: 'a slow tail at low traffic',
      service: service(rng, { rps: round(rng.between(1.5, 3), 2), sigma: round(rng.between(0.3, 0.6), 3) }),
      fault: {
        kind: 'latency',
        factor: round(rng.between(8, 20), 1),
        share: round(rng.between(0.01, 0.04), 4),
        at: pick(rng, [0, int(rng, 1, 5 * MIN)]),
      },
    }),
  },
  {
    id: 'incident-ongoing',
    failureClass: 'dirty-baseline',
    truth: 'incident',
    description:
      'errors or latency up since 2-8 min before the deploy, 0.5-100 req/s; some recover in the bake',
    draw: (rng) => {
      const svc = service(rng, { rps: round(logUniform(rng, 0.5, 100), 2) });
      const before = int(rng, 2 * MIN, 8 * MIN);
      const recoverAt = rng.uniform() < 0.4 ? int(rng, 1 * MIN, 10 * MIN) : undefined;
      const fault: FaultSpec =
        rng.uniform() < 0.6
          ? {
              kind: 'preexisting',
              p1: round(Math.min(0.5, Math.max(0.02, svc.p0 * rng.between(4, 20))), 4),
              before,
              ...(recoverAt === undefined ? {} : { recoverAt }),
            }
          : {
              kind: 'preexisting-latency',
              factor: round(rng.between(1.6, 3), 2),
              before,
              ...(recoverAt === undefined ? {} : { recoverAt }),
            };
      return { description: 'an incident that began before the deploy', service: svc, fault };
    },
  },
  {
    id: 'incident-lowtraffic',
    failureClass: 'dirty-baseline',
    truth: 'incident',
    description: 'errors from 1-3% to 20-50% since 2-8 min before the deploy, 0.1-1 req/s',
    draw: (rng) => ({
      description: 'an incident that began before the deploy, at low traffic',
      service: service(rng, { rps: round(rng.between(0.1, 1), 3), p0: round(rng.between(0.01, 0.03), 4) }),
      fault: { kind: 'preexisting', p1: round(rng.between(0.2, 0.5), 3), before: int(rng, 2 * MIN, 8 * MIN) },
    }),
  },
  {
    id: 'prev-release-keep',
    failureClass: 'dirty-baseline',
    truth: 'keep',
    description:
      'a previous bad release inside the baseline window (rolled back before the deploy); healthy deploy',
    draw: (rng) => {
      const svc = service(rng, { rps: round(logUniform(rng, 1, 100), 2) });
      return {
        description: 'healthy deploy; the baseline window holds a previous bad release',
        service: svc,
        fault: null,
        baselineBumps: [bump(rng, svc)],
      };
    },
  },
  {
    id: 'prev-release-bad',
    failureClass: 'dirty-baseline',
    truth: 'rollback',
    description: 'a previous bad release inside the baseline window, and this deploy is bad too',
    draw: (rng) => {
      const svc = service(rng, { rps: round(logUniform(rng, 1, 100), 2) });
      const b = bump(rng, svc);
      const at = pick(rng, [0, int(rng, 1, 3 * MIN)]);
      const fault: FaultSpec =
        b.p1 !== undefined
          ? { kind: 'errors', p1: round(Math.min(0.5, svc.p0 * rng.between(3, 10)), 5), at }
          : { kind: 'latency', factor: round(rng.between(1.5, 3), 2), at };
      return {
        description: 'bad deploy; the baseline window holds a previous bad release',
        service: svc,
        fault,
        baselineBumps: [b],
      };
    },
  },
  {
    id: 'mem-surge-keep',
    failureClass: 'memory-load',
    truth: 'keep',
    description:
      'healthy deploy of a service holding sessions 20-120 s; a 2-5x load surge raises memory 2-15%',
    draw: (rng) => {
      const s = memorySurge(rng, 8 * MIN);
      return {
        description: 'healthy deploy; a load surge fills the session store',
        service: s.service,
        fault: null,
        spikes: [s.spike],
      };
    },
  },
  {
    id: 'mem-shift-keep',
    failureClass: 'memory-load',
    truth: 'keep',
    description:
      'healthy release whose memory steps up 1-8% (0-60 s ramp, up to 4 min in) and stays: a level shift',
    draw: (rng) => {
      const { base, svc } = memoryService(rng);
      return {
        description: 'healthy release with a larger working set (memory level shift)',
        service: svc,
        fault: null,
        memoryShift: {
          atStep: int(rng, 0, 4 * MIN),
          bytes: Math.round(base * rng.between(0.01, 0.08)),
          rampSeconds: Math.round(rng.between(0, 60)),
        },
      };
    },
  },
  {
    id: 'mem-warmup-keep',
    failureClass: 'memory-load',
    truth: 'keep',
    description:
      'healthy release whose young process grows its heap 3-15% over 20-90 s right after the deploy, then flat',
    draw: (rng) => {
      const { base, svc } = memoryService(rng);
      return {
        description: 'healthy release; a young process sizes its heap, then stays flat',
        service: svc,
        fault: null,
        memoryShift: {
          atStep: int(rng, 0, 2),
          bytes: Math.round(base * rng.between(0.03, 0.15)),
          rampSeconds: Math.round(rng.between(20, 90)),
        },
      };
    },
  },
  {
    id: 'mem-shift-leak',
    failureClass: 'memory-load',
    truth: 'rollback',
    description:
      'a 1-8% level shift as in mem-shift-keep and a leak (twice the level in 10-50 min) starting 0-4 min in',
    draw: (rng) => {
      const base = logUniform(rng, 5e7, 1e9);
      const gc = rng.uniform() < 0.5;
      const minutesToLimit = rng.between(10, 50);
      return {
        description: 'a larger working set (level shift) and a memory leak',
        service: service(rng, {
          rps: round(logUniform(rng, 1, 100), 1),
          memoryBytes: Math.round(base),
          memoryNoiseBytes: Math.round(base * rng.between(0.0005, 0.003)),
          ...(gc ? { gc: gcOf(rng, base) } : {}),
        }),
        fault: {
          kind: 'leak',
          bytesPerSecond: Math.round(base / (minutesToLimit * 60)),
          limitBytes: Math.round(2 * base),
          at: int(rng, 0, 4 * MIN),
        },
        memoryShift: {
          atStep: int(rng, 0, 4 * MIN),
          bytes: Math.round(base * rng.between(0.01, 0.08)),
          rampSeconds: Math.round(rng.between(0, 60)),
        },
      };
    },
  },
  {
    id: 'mem-leak-surge',
    failureClass: 'memory-load',
    truth: 'rollback',
    description:
      'a leak (twice the level in 10-50 min) in a service holding sessions, with a 2-4 min load surge',
    draw: (rng) => {
      const s = memorySurge(rng, 3 * MIN, 4 * MIN);
      const minutesToLimit = rng.between(10, 50);
      return {
        description: 'memory leak while a load surge fills the session store',
        service: s.service,
        fault: {
          kind: 'leak',
          bytesPerSecond: Math.round(s.service.memoryBytes / (minutesToLimit * 60)),
          limitBytes: Math.round(2 * s.service.memoryBytes),
          at: int(rng, 0, 4 * MIN),
        },
        spikes: [s.spike],
      };
    },
  },
  {
    id: 'bursty-keep',
    failureClass: 'control',
    truth: 'keep',
    description: 'healthy deploy with bursty (overdispersed) errors and traffic, 2-100 req/s',
    draw: (rng) => ({
      description: 'healthy deploy, bursty errors',
      service: service(rng, {
        rps: round(logUniform(rng, 2, 100), 1),
        errorNoise: round(rng.between(0.4, 1.0), 2),
        trafficNoise: round(rng.between(0, 0.2), 2),
      }),
      fault: null,
    }),
  },
  {
    id: 'trend-keep',
    failureClass: 'control',
    truth: 'keep',
    description: 'healthy deploy while traffic trends (-60% to +150% an hour), 2-100 req/s',
    draw: (rng) => ({
      description: 'healthy deploy during a traffic trend; latency follows load',
      service: service(rng, {
        rps: round(logUniform(rng, 2, 100), 1),
        trafficTrend: round(pick(rng, [-1, 1, 1]) * rng.between(0.3, 1.5), 2),
        loadLatency: round(rng.between(0.05, 0.3), 3),
      }),
      fault: null,
    }),
  },
  {
    id: 'steady-keep',
    failureClass: 'control',
    truth: 'keep',
    description: 'healthy deploy, steady traffic, 1-100 req/s',
    draw: (rng) => ({
      description: 'healthy deploy',
      service: service(rng, { rps: round(logUniform(rng, 1, 100), 1) }),
      fault: null,
    }),
  },
];

/**
 * A service at 1-100 req/s whose memory sits at 50 MB-1 GB with a little noise, half of them on a
 * GC sawtooth: the healthy memory of the level-shift families.
 */
function memoryService(rng: Prng): { base: number; svc: ServiceProfile } {
  const base = logUniform(rng, 5e7, 1e9);
  const gc = rng.uniform() < 0.5;
  const svc = service(rng, {
    rps: round(logUniform(rng, 1, 100), 1),
    memoryBytes: Math.round(base),
    memoryNoiseBytes: Math.round(base * rng.between(0.0005, 0.003)),
    ...(gc ? { gc: gcOf(rng, base) } : {}),
  });
  return { base, svc };
}

/** A GC sawtooth of a heap of `base` bytes: 10-300 s cycles, 0.5-12% of the heap (log-uniform). */
const gcOf = (rng: Prng, base: number) => gcSawtooth(rng, base, (r) => logUniform(r, 0.005, 0.12), 10);

/**
 * A service holding sessions for 20-120 s (half of them on a GC sawtooth) and a 2-5x load surge
 * starting up to `atLatest` steps after the deploy (at most `longest` steps long) that raises
 * memory by 2-15%: the more traffic, the more sessions held.
 */
function memorySurge(rng: Prng, atLatest: number, longest = 5 * MIN) {
  const base = logUniform(rng, 5e7, 1e9);
  const rps = round(logUniform(rng, 5, 150), 1);
  const spike = { ...surge(rng, atLatest), steps: int(rng, 2 * MIN, longest) };
  const ttlSeconds = Math.round(rng.between(20, 120));
  const rise = base * rng.between(0.02, 0.15);
  const gc = rng.uniform() < 0.5;
  return {
    spike,
    service: service(rng, {
      rps,
      memoryBytes: Math.round(base),
      memoryNoiseBytes: Math.round(base * rng.between(0.0005, 0.003)),
      ...(gc ? { gc: gcOf(rng, base) } : {}),
      sessions: {
        bytesPerRequest: Math.max(1, Math.round(rise / ((spike.factor - 1) * rps * ttlSeconds))),
        ttlSeconds,
      },
    }),
  };
}

/** A previous bad release inside the baseline window: 2-10 min, ending 1-20 min before the deploy. */
function bump(rng: Prng, svc: ServiceProfile) {
  const steps = int(rng, 2 * MIN, 10 * MIN);
  const endsBefore = int(rng, 1 * MIN, 20 * MIN);
  const start = Math.max(0, DEPLOY - endsBefore - steps);
  return rng.uniform() < 0.6
    ? { start, steps, p1: round(Math.min(0.5, svc.p0 * rng.between(4, 20)), 4) }
    : { start, steps, latencyFactor: round(rng.between(1.6, 3), 2) };
}

/** One family's scenario specs of a set: `count` draws, named `<family>-<set>-<i>`. */
export function familySpecs(family: Family, set: string, count: number): ScenarioSpec[] {
  return Array.from({ length: count }, (_, i) => {
    const key = `${family.id}/${set}/${i}`;
    const drawn = family.draw(new Prng(`family:${key}`));
    return { ...drawn, name: `${family.id}-${set}-${i}`, seed: hashString(`seed:${key}`) };
  });
}
