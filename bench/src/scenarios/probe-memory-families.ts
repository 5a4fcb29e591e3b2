import { DEPLOY, gcSawtooth, int, logUniform, MIN, round, service } from './draws';
import type { Family } from './families';
import type { Prng } from './prng';
import type { ScenarioSpec, ServiceProfile, TrafficSpike } from './scenario-spec';

/**
 * Memory-under-load families (issue 12, round 17): a healthy load surge after the deploy whose
 * in-flight work (buffers, queues, caches of the surge's keys) raises memory by a large,
 * load-proportional part, 20-120% of the pre-deploy level at the surge's peak, given back over
 * 15-300 s once traffic is back (a collector returning memory slowly), on a GC sawtooth; and the
 * same surge on a release that also leaks, at normal load as under the surge. Live, a healthy
 * deploy under a 4x surge was rolled back on `memory: level ... has reached the limit` (the default
 * limit is twice the pre-deploy level). Run by id
 * (`families.ts <set> <n> surge-memory-keep,surge-memory-leak`).
 */

type Draw = Omit<ScenarioSpec, 'name' | 'seed'>;

/** A GC sawtooth of a heap of `base` bytes: 15-300 s cycles, 3-10% of the heap. */
const gcOf = (rng: Prng, base: number) => gcSawtooth(rng, base, (r) => r.between(0.03, 0.1));

/**
 * A service at 5-150 req/s (3-6 pods) with a heap of 80 MB-1.5 GB on a GC sawtooth, and a 2-5x
 * load surge of 2-5 min starting 0-5 min after the deploy that holds 20-120% of the heap at its
 * peak (reached with a 5-60 s time constant, given back with 15-300 s).
 */
function surgeService(rng: Prng): { base: number; svc: ServiceProfile; spike: TrafficSpike } {
  const base = logUniform(rng, 8e7, 1.5e9);
  const spike: TrafficSpike = {
    atStep: DEPLOY + int(rng, 0, 5 * MIN),
    steps: int(rng, 2 * MIN, 5 * MIN),
    factor: round(rng.between(2, 5), 2),
    latencyFactor: round(rng.between(1.15, 1.4), 3),
    // Some services also fail a little more under load (timeouts at the edge).
    errorFactor: rng.uniform() < 0.35 ? round(rng.between(1.1, 1.5), 2) : 1,
    rampSteps: int(rng, 0, 4),
  };
  const peak = base * rng.between(0.2, 1.2);
  const svc = heapService(rng, base, gcOf, {
    factor: spike.factor,
    peak,
    riseMaxSeconds: 60,
    fallMaxSeconds: 300,
  });
  return { base, svc, spike };
}

/** The memory a load surge's in-flight work holds (`loadMemory`), as {@link heapService} draws it. */
export interface SurgeHeld {
  /** The surge's traffic factor. */
  readonly factor: number;
  /** Bytes held at the surge's height. */
  readonly peak: number;
  /** Its rise's time constant is drawn from 5 s to this; its give-back from 15 s to `fallMaxSeconds` (log-uniform). */
  readonly riseMaxSeconds: number;
  readonly fallMaxSeconds: number;
}

/**
 * A service at 5-150 req/s (3-6 pods) with a heap of `base` bytes on the sawtooth `gc` draws,
 * and, with `held`, the memory a load surge holds: one place for the memory families' service.
 */
export function heapService(
  rng: Prng,
  base: number,
  gc: (rng: Prng, base: number) => NonNullable<ServiceProfile['gc']>,
  held?: SurgeHeld,
): ServiceProfile {
  return service(rng, {
    rps: round(logUniform(rng, 5, 150), 2),
    pods: int(rng, 3, 6),
    memoryBytes: Math.round(base),
    memoryNoiseBytes: Math.round(base * rng.between(0.0005, 0.003)),
    gc: gc(rng, base),
    ...(held
      ? {
          loadMemory: {
            bytesPerLoad: Math.round(held.peak / (held.factor - 1)),
            riseSeconds: Math.round(rng.between(5, held.riseMaxSeconds)),
            fallSeconds: Math.round(logUniform(rng, 15, held.fallMaxSeconds)),
          },
        }
      : {}),
  });
}

/** The memory-under-load families, in the order the tables list them. */
export const MEMORY_FAMILIES: readonly Family[] = [
  {
    id: 'surge-memory-keep',
    failureClass: 'memory-load',
    truth: 'keep',
    description:
      'healthy release; a 2-5x load surge of 2-5 min from 0-5 min after the deploy (5-150 req/s) holds 20-120% of the heap at its peak, given back over 15-300 s, on a GC sawtooth (15-300 s, 3-10%)',
    draw: (rng): Draw => {
      const { svc, spike } = surgeService(rng);
      return {
        description: 'healthy release; a load surge fills memory, which is given back after it',
        service: svc,
        fault: null,
        spikes: [spike],
      };
    },
  },
  {
    id: 'surge-memory-leak',
    failureClass: 'memory-load',
    truth: 'rollback',
    description:
      'the load surge and its memory of surge-memory-keep on a release that also leaks (twice the level in 10-40 min) from 0-4 min in, at normal load as under the surge',
    draw: (rng): Draw => {
      const { base, svc, spike } = surgeService(rng);
      const minutes = rng.between(10, 40);
      return {
        description: 'a load surge fills memory, and a leak keeps growing at normal load',
        service: svc,
        fault: {
          kind: 'leak',
          bytesPerSecond: Math.round(base / (minutes * 60)),
          limitBytes: Math.round(2 * base),
          at: int(rng, 0, 4 * MIN),
        },
        spikes: [spike],
      };
    },
  },
];
