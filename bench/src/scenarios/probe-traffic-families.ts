import { int, logUniform, MIN, pick, round, service } from './draws';
import type { Family } from './families';
import type { Prng } from './prng';
import type { ColdStart, FaultSpec, Rollout, ServiceProfile, WarmUp } from './scenario-spec';
import { BUCKET_LAYOUTS, persistingRegression } from './wide-families';

/**
 * Traffic and latency conditions no other family draws (issue 12, probe16): a healthy `keep`
 * family and a `bad` twin with a persisting regression under the same conditions, each drawn
 * wide, to find the next failure class before an unseen corpus does. Run by id
 * (`families.ts <set> <n> probe-warmup-keep,...`).
 *
 * - cache warm-up: the new version starts with a cold cache; its latency (every request 1.3-3x,
 *   or 5-30% of requests 3-10x) decays to normal over 2-10 minutes, half with 0.5-3% more
 *   errors at first (a cold start lasts seconds; this lasts minutes);
 * - traffic on a slope: an evening decline or a morning ramp of 30-70% across the 15-minute bake
 *   (begun 0-20 minutes before the deploy), latency and errors following load;
 * - bimodal latency: cache hits and 10-40% misses 5-20x slower; a healthy release shifts the
 *   miss share by up to 20% (relative), a bad one makes the miss path 1.5-3x slower;
 * - progressive rollout: the new version takes traffic in 2-5 stages over 1-5 minutes, each
 *   stage's pods with their own cold start; a fault's effect ramps with the new version's share.
 */

/** A cache warm-up: 2-10 min, all requests 1.3-3x or 5-30% of them 3-10x, half with early errors. */
function warmUp(rng: Prng): WarmUp {
  const share = rng.uniform() < 0.5;
  return {
    seconds: 5 * int(rng, 24, 120),
    latencyFactor: share ? round(logUniform(rng, 3, 10), 2) : round(logUniform(rng, 1.3, 3), 2),
    ...(share ? { slowShare: round(rng.between(0.05, 0.3), 3) } : {}),
    ...(rng.uniform() < 0.5 ? { errorRate: round(rng.between(0.005, 0.03), 4) } : {}),
    shape: pick(rng, ['linear', 'exponential'] as const),
  };
}

/** A service whose traffic declines or ramps 30-70% across the bake, latency and errors following load. */
function slopeService(rng: Prng): ServiceProfile {
  const change = rng.between(0.3, 0.7) * pick(rng, [-1, 1]);
  // `change` across the 15-minute bake: four times that an hour.
  const trend = round(change * 4, 3);
  return service(rng, {
    rps: round(logUniform(rng, 2, 150), 1),
    trafficTrend: trend,
    trafficTrendSince: -60 * int(rng, 0, 20),
    loadLatency: round(rng.between(0.05, 0.3), 3),
    ...(rng.uniform() < 0.5 ? { loadErrors: round(rng.between(0.1, 0.5), 3) } : {}),
  });
}

/** A bimodal service: 10-40% cache misses 5-20x slower; `shift` moves the miss share after the deploy. */
function bimodalService(rng: Prng, shift: boolean): ServiceProfile {
  const missShare = round(rng.between(0.1, 0.4), 3);
  return service(rng, {
    rps: round(logUniform(rng, 2, 150), 1),
    medianMs: Math.round(logUniform(rng, 5, 60)),
    bimodal: {
      missShare,
      missFactor: round(logUniform(rng, 5, 20), 2),
      ...(shift ? { missShareAfter: round(missShare * (1 + rng.between(-0.2, 0.2)), 4) } : {}),
    },
  });
}

/** A progressive rollout: 2-5 stages over 1-5 minutes. */
function rollout(rng: Prng): Rollout {
  return { stages: int(rng, 2, 5), seconds: 60 * int(rng, 1, 5) };
}

/** The pods' cold start in a rollout: 5-45 s, latency 1.2-4x, half with 1-5% errors. */
function podColdStart(rng: Prng): ColdStart {
  return {
    seconds: 5 * int(rng, 1, 9),
    latencyFactor: round(logUniform(rng, 1.2, 4), 2),
    errorRate: rng.uniform() < 0.5 ? round(rng.between(0.01, 0.05), 3) : 0,
  };
}

/** The probe families, in the order the tables list them. */
export const PROBE_TRAFFIC_FAMILIES: readonly Family[] = [
  {
    id: 'probe-warmup-keep',
    failureClass: 'control',
    truth: 'keep',
    description:
      'healthy deploy with a cache warm-up: latency 1.3-3x (or 5-30% of requests 3-10x) decaying over 2-10 min, half with 0.5-3% early errors; 2-150 req/s, five bucket layouts',
    draw: (rng) => ({
      description: 'healthy deploy with a cold cache warming up over minutes',
      service: service(rng, { rps: round(logUniform(rng, 2, 150), 1) }),
      latencyBucketsMs: pick(rng, BUCKET_LAYOUTS),
      warmUp: warmUp(rng),
      fault: null,
    }),
  },
  {
    id: 'probe-warmup-bad',
    failureClass: 'control',
    truth: 'rollback',
    description:
      'a cache warm-up as in probe-warmup-keep and a persisting regression (latency 1.5-3x or errors 3-10x)',
    draw: (rng) => {
      const svc = service(rng, { rps: round(logUniform(rng, 2, 150), 1) });
      return {
        description: 'cache warm-up and a regression that persists after it',
        service: svc,
        latencyBucketsMs: pick(rng, BUCKET_LAYOUTS),
        warmUp: warmUp(rng),
        fault: persistingRegression(rng, svc.p0),
      };
    },
  },
  {
    id: 'probe-slope-keep',
    failureClass: 'control',
    truth: 'keep',
    description:
      'healthy deploy while traffic declines or ramps 30-70% across the bake (begun 0-20 min before it), latency (and half the time errors) following load; 2-150 req/s',
    draw: (rng) => ({
      description: 'healthy deploy on a traffic slope',
      service: slopeService(rng),
      latencyBucketsMs: pick(rng, BUCKET_LAYOUTS),
      fault: null,
    }),
  },
  {
    id: 'probe-slope-bad',
    failureClass: 'control',
    truth: 'rollback',
    description:
      'a traffic slope as in probe-slope-keep and a persisting regression (latency 1.5-3x or errors 3-10x)',
    draw: (rng) => {
      const svc = slopeService(rng);
      return {
        description: 'traffic slope and a regression',
        service: svc,
        latencyBucketsMs: pick(rng, BUCKET_LAYOUTS),
        fault: persistingRegression(rng, svc.p0),
      };
    },
  },
  {
    id: 'probe-bimodal-keep',
    failureClass: 'control',
    truth: 'keep',
    description:
      'healthy deploy of a cache-fronted service: 10-40% misses 5-20x slower, the miss share shifting by up to 20% (relative) after the deploy; 2-150 req/s',
    draw: (rng) => ({
      description: 'healthy deploy, bimodal latency, miss share shifts',
      service: bimodalService(rng, true),
      latencyBucketsMs: pick(rng, BUCKET_LAYOUTS),
      fault: null,
    }),
  },
  {
    id: 'probe-bimodal-bad',
    failureClass: 'control',
    truth: 'rollback',
    description:
      'a bimodal service as in probe-bimodal-keep whose miss path becomes 1.5-3x slower (at the deploy or 1-5 min after), or an error regression 3-10x',
    draw: (rng) => {
      const svc = bimodalService(rng, true);
      const at = pick(rng, [0, 0, int(rng, 1, 5 * MIN)]);
      const fault: FaultSpec =
        rng.uniform() < 0.75
          ? { kind: 'miss-path', factor: round(rng.between(1.5, 3), 2), at }
          : { kind: 'errors', p1: round(svc.p0 * rng.between(3, 10), 5), at };
      return {
        description: 'bimodal latency, the miss path regresses',
        service: svc,
        latencyBucketsMs: pick(rng, BUCKET_LAYOUTS),
        fault,
      };
    },
  },
  {
    id: 'probe-rollout-keep',
    failureClass: 'control',
    truth: 'keep',
    description:
      'healthy progressive rollout: 2-5 stages over 1-5 min, each stage with a cold start (5-45 s, 1.2-4x, half with 1-5% errors); 2-150 req/s',
    draw: (rng) => ({
      description: 'healthy progressive rollout, pods cold-starting one by one',
      service: service(rng, { rps: round(logUniform(rng, 2, 150), 1) }),
      latencyBucketsMs: pick(rng, BUCKET_LAYOUTS),
      rollout: rollout(rng),
      coldStart: podColdStart(rng),
      fault: null,
    }),
  },
  {
    id: 'probe-rollout-bad',
    failureClass: 'control',
    truth: 'rollback',
    description:
      'a progressive rollout as in probe-rollout-keep with a persisting regression whose effect grows with the new version share',
    draw: (rng) => {
      const svc = service(rng, { rps: round(logUniform(rng, 2, 150), 1) });
      return {
        description: 'progressive rollout of a bad release',
        service: svc,
        latencyBucketsMs: pick(rng, BUCKET_LAYOUTS),
        rollout: rollout(rng),
        ...(rng.uniform() < 0.5 ? { coldStart: podColdStart(rng) } : {}),
        fault: persistingRegression(rng, svc.p0),
      };
    },
  },
];
