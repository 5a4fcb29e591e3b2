import { DEPLOY, int, logUniform, MIN, pick, round, service } from './draws';
import type { Family } from './families';
import type { Prng } from './prng';
import type { FaultSpec, TrafficSpike } from './scenario-spec';

/**
 * WIDE families: the non-memory failure classes of issue 12 drawn wider than families.ts does,
 * at the edges of the stated conditions and in combinations those families never make
 * (a surge that starts before the deploy, two surges, a slow ramp; a surge with a fault at low
 * traffic; near-zero baselines up to 20 req/s; faults at 0.05 req/s and mid-bake; other
 * histogram bucket layouts; incidents at 0.5-150 req/s that recover or persist; previous bad
 * releases just before the deploy or at the start of the window; baselines with drift). They
 * stress where the tuned families do not reach; they are run by id (`families.ts <set> <n>
 * wide-...`), not by `pnpm bench`.
 */

/** Histogram layouts seen in the wild: Prometheus client defaults, OpenTelemetry's (without its 0 bucket), exponential, coarse. */
export const BUCKET_LAYOUTS: readonly (readonly number[])[] = [
  [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000],
  [5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000],
  [5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 5120, 10240],
  [10, 100, 1000, 10000],
  [50, 100, 200, 300, 500, 1000, 2000, 5000],
];

/**
 * Fine layouts, where a bound lies between a threshold and twice it: OpenTelemetry's 1-2.5-5-7.5
 * steps, a 1-2-3-5 series and a 1.5x exponential (issue 12, class 5, round 22: the tail
 * threshold's bucket).
 */
export const FINE_BUCKET_LAYOUTS: readonly (readonly number[])[] = [
  [5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000],
  [50, 100, 200, 300, 500, 1000, 2000, 3000, 5000, 10000],
  [10, 15, 23, 34, 51, 76, 114, 171, 256, 384, 577, 865, 1297, 1946, 2919, 4379, 6568, 9853],
];

/**
 * A regression that persists at normal load, at the deploy (two draws in three) or 1-5 minutes
 * after it: a latency factor of 1.5-3x or an error rate 3-10x the service's `p0`, even odds.
 */
export function persistingRegression(rng: Prng, p0: number): FaultSpec {
  const at = pick(rng, [0, 0, int(rng, 1, 5 * MIN)]);
  return rng.uniform() < 0.5
    ? { kind: 'latency', factor: round(rng.between(1.5, 3), 2), at }
    : { kind: 'errors', p1: round(p0 * rng.between(3, 10), 5), at };
}

/** A healthy surge (2-5x, 2-5 min, median +15-40%) from `atStep` (absolute). */
function surgeAt(rng: Prng, atStep: number, rampSteps = int(rng, 0, 4)): TrafficSpike {
  return {
    atStep,
    steps: int(rng, 2 * MIN, 5 * MIN),
    factor: round(rng.between(2, 5), 2),
    latencyFactor: round(rng.between(1.15, 1.4), 3),
    errorFactor: rng.uniform() < 0.35 ? round(rng.between(1.1, 1.5), 2) : 1,
    rampSteps,
  };
}

/** Surges the tuned families never draw: before the deploy, two of them, or a slow ramp. */
function wideSurges(rng: Prng): TrafficSpike[] {
  const shape = pick(rng, ['before', 'two', 'ramp'] as const);
  if (shape === 'before') {
    // Starts 0.5-4 min before the deploy and runs into the bake.
    const s = surgeAt(rng, DEPLOY - int(rng, MIN / 2, 4 * MIN));
    return [{ ...s, steps: Math.max(s.steps, DEPLOY - s.atStep + MIN) }];
  }
  if (shape === 'two') {
    const first = surgeAt(rng, DEPLOY + int(rng, 0, 3 * MIN));
    const second = surgeAt(rng, first.atStep + first.steps + int(rng, MIN, 3 * MIN));
    return [first, second];
  }
  // A slow ramp up and down (0.5-2 min each side).
  return [surgeAt(rng, DEPLOY + int(rng, 0, 6 * MIN), int(rng, 6, 24))];
}

/** The wide families, in the order the tables list them. */
/**
 * A tail fault at low traffic (issue 12 class 5): 1-4% of requests 8-20x slower at 1-5 req/s,
 * the median unchanged, on one of `layouts`.
 */
function tailFaultDraw(rng: Prng, description: string, layouts: readonly (readonly number[])[]) {
  return {
    description,
    service: service(rng, { rps: round(logUniform(rng, 1, 5), 2), sigma: round(rng.between(0.2, 0.7), 3) }),
    fault: {
      kind: 'latency' as const,
      factor: round(rng.between(8, 20), 1),
      share: round(rng.between(0.01, 0.04), 4),
      at: pick(rng, [0, int(rng, 1, 6 * MIN)]),
    },
    latencyBucketsMs: pick(rng, layouts),
  };
}

/**
 * The tail faults' services without a fault, on one of `layouts`: a busy host slows 3-14
 * requests, one by one or a few at a time, as far as a tail fault does, against a tail threshold
 * whose window is (near) empty (issue 12, classes 3 and 5, round 22).
 */
function tailHostLoadDraw(rng: Prng, description: string, layouts: readonly (readonly number[])[]) {
  const count = int(rng, 3, 14);
  const clusters = rng.uniform() < 0.5 ? int(rng, 1, Math.min(count, 4)) : count;
  const steps = Array.from({ length: clusters }, () => DEPLOY + int(rng, 0, 175)).sort((a, b) => a - b);
  return {
    description,
    service: service(rng, {
      rps: round(logUniform(rng, 1, 5), 2),
      sigma: round(rng.between(0.2, 0.7), 3),
    }),
    fault: null,
    hostLoad: {
      steps: [...new Set(steps)],
      slowRequests: Math.ceil(count / clusters),
      factor: round(logUniform(rng, 2, 20), 2),
    },
    latencyBucketsMs: pick(rng, layouts),
  };
}

export const WIDE_FAMILIES: readonly Family[] = [
  {
    id: 'wide-surge-keep',
    failureClass: 'load-surge',
    truth: 'keep',
    description:
      'healthy deploy; 20-150 req/s; a surge starting before the deploy, two surges, or a slow ramp',
    draw: (rng) => ({
      description: 'healthy deploy; surges of a wider shape',
      service: service(rng, { rps: round(logUniform(rng, 20, 150), 1) }),
      fault: null,
      spikes: wideSurges(rng),
    }),
  },
  {
    id: 'wide-surge-bad',
    failureClass: 'load-surge',
    truth: 'rollback',
    description: 'wide surges as in wide-surge-keep, and a latency (1.5-3x) or error (3-10x) regression',
    draw: (rng) => {
      const svc = service(rng, { rps: round(logUniform(rng, 20, 150), 1) });
      const fault = persistingRegression(rng, svc.p0);
      return {
        description: 'wide surges and a regression that persists at normal load',
        service: svc,
        fault,
        spikes: wideSurges(rng),
      };
    },
  },
  {
    id: 'wide-surge-lowrate-keep',
    failureClass: 'load-surge',
    truth: 'keep',
    description: 'healthy deploy at 5-20 req/s with a 2-5x surge (some with more errors under load)',
    draw: (rng) => ({
      description: 'healthy deploy; a load surge at low traffic',
      service: service(rng, { rps: round(logUniform(rng, 5, 20), 1) }),
      fault: null,
      spikes: [surgeAt(rng, DEPLOY + int(rng, -2 * MIN, 8 * MIN))],
    }),
  },
  {
    id: 'wide-surge-lowrate-bad',
    failureClass: 'load-surge',
    truth: 'rollback',
    description: 'a surge at 5-20 req/s and an error fault (3-15x the baseline rate)',
    draw: (rng) => {
      const svc = service(rng, { rps: round(logUniform(rng, 5, 20), 1) });
      return {
        description: 'load surge and an error regression at low traffic',
        service: svc,
        fault: {
          kind: 'errors',
          p1: round(Math.min(0.5, svc.p0 * rng.between(3, 15)), 5),
          at: pick(rng, [0, int(rng, 1, 5 * MIN)]),
        },
        spikes: [surgeAt(rng, DEPLOY + int(rng, -2 * MIN, 6 * MIN))],
      };
    },
  },
  {
    id: 'wide-nearzero-keep',
    failureClass: 'near-zero-baseline',
    truth: 'keep',
    description:
      'healthy deploy at 0.5-20 req/s, (near) zero slow requests and errors in the baseline; host load slows and fails a handful',
    draw: (rng) => {
      const rps = round(logUniform(rng, 0.5, 20), 2);
      const count = int(rng, 2, 12);
      const clusters = rng.uniform() < 0.5 ? int(rng, 1, Math.min(count, 4)) : count;
      const steps = Array.from({ length: clusters }, () => DEPLOY + int(rng, 0, 175)).sort((a, b) => a - b);
      const perStep = Math.ceil(count / clusters);
      return {
        description: 'healthy deploy; host load slows and fails a handful against a near-zero baseline',
        service: service(rng, {
          rps,
          medianMs: Math.round(rng.between(20, 120)),
          sigma: round(rng.between(0.04, 0.2), 3),
          p0: pick(rng, [0, 0, 0.0001, 0.0003, 0.001]),
        }),
        fault: null,
        hostLoad: {
          steps: [...new Set(steps)],
          slowRequests: perStep,
          factor: round(rng.between(2, 15), 2),
          failedRequests: rng.uniform() < 0.6 ? Math.max(1, Math.floor(perStep / 2)) : 0,
        },
        latencyBucketsMs: pick(rng, BUCKET_LAYOUTS),
      };
    },
  },
  {
    id: 'wide-nearzero-bad',
    failureClass: 'near-zero-baseline',
    truth: 'rollback',
    description: 'a near-zero baseline at 0.5-20 req/s, and errors to 2-10% or every request 2-4x slower',
    draw: (rng) => {
      const at = pick(rng, [0, int(rng, 1, 5 * MIN)]);
      const fault: FaultSpec =
        rng.uniform() < 0.5
          ? { kind: 'errors', p1: round(rng.between(0.02, 0.1), 4), at }
          : { kind: 'latency', factor: round(rng.between(2, 4), 2), at };
      return {
        description: 'a regression against a near-zero baseline',
        service: service(rng, {
          rps: round(logUniform(rng, 0.5, 20), 2),
          medianMs: Math.round(rng.between(20, 120)),
          sigma: round(rng.between(0.04, 0.2), 3),
          p0: pick(rng, [0, 0.0001, 0.0003, 0.001]),
        }),
        fault,
        latencyBucketsMs: pick(rng, BUCKET_LAYOUTS),
      };
    },
  },
  {
    id: 'wide-lowtraffic-keep',
    failureClass: 'low-traffic',
    truth: 'keep',
    description: 'healthy deploy at 0.05-0.5 req/s, 1-3% errors',
    draw: (rng) => ({
      description: 'healthy deploy at very low traffic',
      service: service(rng, {
        rps: round(logUniform(rng, 0.05, 0.5), 3),
        p0: round(rng.between(0.01, 0.03), 4),
      }),
      fault: null,
    }),
  },
  {
    id: 'wide-lowtraffic-bad',
    failureClass: 'low-traffic',
    truth: 'rollback',
    description: 'errors from ~2% to 20-50% at 0.05-0.5 req/s, at the deploy or mid-bake (up to 8 min in)',
    draw: (rng) => ({
      description: 'error regression at very low traffic, at the deploy or mid-bake',
      service: service(rng, {
        rps: round(logUniform(rng, 0.05, 0.5), 3),
        p0: round(rng.between(0.015, 0.025), 4),
      }),
      fault: {
        kind: 'errors',
        p1: round(rng.between(0.2, 0.5), 3),
        at: pick(rng, [0, int(rng, 2 * MIN, 8 * MIN)]),
      },
    }),
  },
  {
    id: 'wide-lowtraffic-tiny-keep',
    failureClass: 'low-traffic',
    truth: 'keep',
    description:
      'healthy deploy at 0.03-0.1 req/s, 1-3% errors; host load fails (and slows) the requests of 4-30 steps in the bake',
    draw: (rng) => {
      // A bake below the request floor (27-90 requests): where the look weighs the window's own
      // errors (no prior), and a busy host's failures are the counts a fault makes.
      const count = int(rng, 4, 30);
      const steps = Array.from({ length: count }, () => DEPLOY + int(rng, 0, 175)).sort((a, b) => a - b);
      return {
        description: 'healthy deploy far below the request floor; a busy host fails a few requests',
        service: service(rng, {
          rps: round(logUniform(rng, 0.03, 0.1), 3),
          p0: round(rng.between(0.01, 0.03), 4),
        }),
        fault: null,
        hostLoad: {
          steps: [...new Set(steps)],
          slowRequests: 1,
          factor: round(rng.between(2, 10), 2),
          failedRequests: 1,
        },
      };
    },
  },
  {
    id: 'wide-lowtraffic-tiny-bad',
    failureClass: 'low-traffic',
    truth: 'rollback',
    description: 'errors from 1-3% to 15-50% at 0.03-0.1 req/s, at the deploy or mid-bake (2-8 min in)',
    draw: (rng) => ({
      description: 'error regression far below the request floor, at the deploy or mid-bake',
      service: service(rng, {
        rps: round(logUniform(rng, 0.03, 0.1), 3),
        p0: round(rng.between(0.01, 0.03), 4),
      }),
      fault: {
        kind: 'errors',
        p1: round(rng.between(0.15, 0.5), 3),
        at: pick(rng, [0, int(rng, 2 * MIN, 8 * MIN)]),
      },
    }),
  },
  {
    id: 'wide-tail-bad',
    failureClass: 'tail-latency',
    truth: 'rollback',
    description: '1-4% of requests 8-20x slower at 1-5 req/s, median unchanged, five histogram layouts',
    draw: (rng) => tailFaultDraw(rng, 'a slow tail at low traffic, another bucket layout', BUCKET_LAYOUTS),
  },
  {
    id: 'wide-tailhost-keep',
    failureClass: 'tail-latency',
    truth: 'keep',
    description:
      "healthy deploy at 1-5 req/s with a tail of its own (the tail faults' services), host load slowing a handful 2-20x; five histogram layouts",
    draw: (rng) =>
      tailHostLoadDraw(
        rng,
        'healthy deploy with a tail of its own; host load slows a handful',
        BUCKET_LAYOUTS,
      ),
  },
  {
    id: 'wide-tail-fine-bad',
    failureClass: 'tail-latency',
    truth: 'rollback',
    description: '1-4% of requests 8-20x slower at 1-5 req/s, median unchanged, fine histogram layouts',
    draw: (rng) =>
      tailFaultDraw(rng, 'a slow tail at low traffic, a fine bucket layout', FINE_BUCKET_LAYOUTS),
  },
  {
    id: 'wide-tailhost-fine-keep',
    failureClass: 'tail-latency',
    truth: 'keep',
    description:
      'healthy deploy at 1-5 req/s with a tail of its own, host load slowing a handful 2-20x; fine histogram layouts',
    // wide-tailhost-keep on the fine layouts: the price of a tail threshold nearer the first.
    draw: (rng) =>
      tailHostLoadDraw(
        rng,
        'healthy deploy with a tail of its own; host load slows a handful; a fine bucket layout',
        FINE_BUCKET_LAYOUTS,
      ),
  },
  {
    id: 'wide-incident',
    failureClass: 'dirty-baseline',
    truth: 'incident',
    description:
      'errors or latency up since 2-8 min before the deploy, 0.5-150 req/s; half recover in the bake, half persist',
    draw: (rng) => {
      const svc = service(rng, { rps: round(logUniform(rng, 0.5, 150), 2) });
      const before = int(rng, 2 * MIN, 8 * MIN);
      const recoverAt = rng.uniform() < 0.5 ? int(rng, 1 * MIN, 12 * MIN) : undefined;
      const fault: FaultSpec =
        rng.uniform() < 0.5
          ? {
              kind: 'preexisting',
              p1: round(Math.min(0.5, Math.max(0.02, svc.p0 * rng.between(5, 40))), 4),
              before,
              ...(recoverAt === undefined ? {} : { recoverAt }),
            }
          : {
              kind: 'preexisting-latency',
              factor: round(rng.between(1.8, 4), 2),
              before,
              ...(recoverAt === undefined ? {} : { recoverAt }),
            };
      return { description: 'an incident that began before the deploy', service: svc, fault };
    },
  },
  {
    id: 'wide-prev-release-keep',
    failureClass: 'dirty-baseline',
    truth: 'keep',
    description:
      'a previous bad release in the baseline window, ending 0.5-2 min (recent) or 15-25 min (older) before the deploy',
    draw: (rng) => {
      const svc = service(rng, { rps: round(logUniform(rng, 1, 150), 2) });
      const steps = int(rng, 2 * MIN, 6 * MIN);
      const endsBefore = rng.uniform() < 0.5 ? int(rng, MIN / 2, 2 * MIN) : int(rng, 15 * MIN, 25 * MIN);
      const start = Math.max(0, DEPLOY - endsBefore - steps);
      const bump =
        rng.uniform() < 0.5
          ? { start, steps, p1: round(Math.min(0.5, svc.p0 * rng.between(4, 30)), 4) }
          : { start, steps, latencyFactor: round(rng.between(1.6, 4), 2) };
      return {
        description: 'healthy deploy; a previous bad release recent or old in the baseline window',
        service: svc,
        fault: null,
        baselineBumps: [bump],
      };
    },
  },
  {
    id: 'wide-drift-keep',
    failureClass: 'control',
    truth: 'keep',
    description:
      'healthy deploy, 1-100 req/s, a drifting baseline: traffic +-20-40% over 20-60 min, errors drifting +-20-50%',
    draw: (rng) => ({
      description: 'healthy deploy on a drifting baseline',
      service: service(rng, {
        rps: round(logUniform(rng, 1, 100), 1),
        drift: {
          amplitude: round(rng.between(0.2, 0.4), 3),
          periodSeconds: Math.round(rng.between(1200, 3600)),
        },
        errorDrift: {
          amplitude: round(rng.between(0.2, 0.5), 3),
          periodSeconds: Math.round(rng.between(1200, 3600)),
        },
        loadLatency: round(rng.between(0, 0.2), 3),
      }),
      fault: null,
    }),
  },
];
