import { int, logUniform, pick, round, service } from './draws';
import type { Family } from './families';
import type { Prng } from './prng';
import type { ScenarioSpec } from './scenario-spec';

/**
 * DRIFT-STRESS families (issue 12, round 11: drifting baselines stressed): the drift class drawn
 * wider than drift-families.ts, to classify the false rollbacks a wandering background error
 * rate causes rather than tune to one draw. Errors drift +-20-60% over 20-90 min at 5-150
 * req/s, with the deploy mostly where the drift hurts (the window at or past its low, the bake
 * rising to its high, or the window holding a high that ended before a low), sometimes at any
 * phase; traffic drifts +-10-40%, some services are bursty step to step. Healthy draws
 * (`drift-stress-keep`) must be kept; the bad draws (`drift-stress-bad`) carry a 2-5x error
 * fault (or, in a quarter, a 1.5-3x latency one) that must still be caught (docs/statistics.md,
 * "Drifting baselines"). Run by id (`families.ts <set> <n> drift-stress-keep,...`).
 */

type Drawn = Omit<ScenarioSpec, 'name' | 'seed'>;

/**
 * The drift's phase at the deploy (radians; -pi/2 is its low, pi/2 its high): three quarters
 * from -pi (falling through the mean: the window holds a high, then a low) to pi/2 (the deploy
 * at the high after a rising window), a quarter at any phase.
 */
function stressPhase(rng: Prng): number {
  return rng.uniform() < 0.75 ? rng.between(-Math.PI, Math.PI / 2) : rng.between(0, 2 * Math.PI);
}

/**
 * The drift's phase at the deploy for the in-bake families (issue 12, round 20, "A step inside
 * the bake on a drifting baseline"): from 45 degrees before its low to 135 past it, so the
 * bake starts at or near the drift's low and rises with it, the case where a fault that starts
 * minutes into the bake is hidden by the drift's low at the bake's start.
 */
const INBAKE_PHASES: readonly [number, number] = [(-3 * Math.PI) / 4, Math.PI / 4];

/** A service whose background error rate drifts +-20-60% over 20-90 min, 5-150 req/s. */
function stressDrifting(rng: Prng, phases?: readonly [number, number]): Drawn['service'] {
  return service(rng, {
    rps: round(logUniform(rng, 5, 150), 1),
    p0: round(logUniform(rng, 0.001, 0.02), 5),
    drift: {
      amplitude: round(rng.between(0.1, 0.4), 3),
      periodSeconds: Math.round(rng.between(1200, 5400)),
    },
    errorDrift: {
      amplitude: round(rng.between(0.2, 0.6), 3),
      periodSeconds: Math.round(rng.between(1200, 5400)),
      // Drawn here, in the order it always was, so drift-stress-keep/bad keep their draws.
      phaseAtDeploy: round(phases ? rng.between(...phases) : stressPhase(rng), 3),
    },
    loadLatency: round(rng.between(0, 0.25), 3),
    ...(rng.uniform() < 0.3 ? { errorNoise: round(rng.between(0.1, 0.4), 2) } : {}),
  });
}

/** The drift-stress families: healthy drifting baselines, and the same with a real fault. */
export const DRIFT_STRESS_FAMILIES: readonly Family[] = [
  {
    id: 'drift-stress-keep',
    failureClass: 'control',
    truth: 'keep',
    description:
      'healthy deploy, 5-150 req/s, p0 0.1-2%; errors drift +-20-60% over 20-90 min, mostly a window at or past its low and a bake at its high; some bursty',
    draw: (rng) => ({
      description: 'healthy deploy on a stressed drifting baseline',
      service: stressDrifting(rng),
      fault: null,
    }),
  },
  {
    id: 'drift-stress-bad',
    failureClass: 'control',
    truth: 'rollback',
    description:
      'drifting baselines as in drift-stress-keep and an error fault (2-5x the mean rate) or a latency one (1.5-3x) at or after the deploy',
    draw: (rng) => {
      const svc = stressDrifting(rng);
      const at = pick(rng, [0, 0, int(rng, 1, 60)]);
      return {
        description: 'a regression on a stressed drifting baseline',
        service: svc,
        fault:
          rng.uniform() < 0.75
            ? { kind: 'errors', p1: round(Math.min(0.5, svc.p0 * rng.between(2, 5)), 5), at }
            : { kind: 'latency', factor: round(rng.between(1.5, 3), 2), at },
      };
    },
  },
  {
    id: 'drift-inbake-keep',
    failureClass: 'control',
    truth: 'keep',
    description:
      'healthy deploy on a drifting baseline as in drift-stress-keep, the bake rising with the drift from at or near its low (phase -135 to 45 degrees)',
    draw: (rng) => ({
      description: 'healthy deploy, the bake rising with a drifting baseline',
      service: stressDrifting(rng, INBAKE_PHASES),
      fault: null,
    }),
  },
  {
    id: 'drift-inbake-bad',
    failureClass: 'control',
    truth: 'rollback',
    description:
      'drifting baselines as in drift-inbake-keep and an error fault (2-5x the mean rate) that starts 1-6 min into the bake',
    draw: (rng) => {
      const svc = stressDrifting(rng, INBAKE_PHASES);
      return {
        description: 'an error regression starting inside the bake on a drifting baseline',
        service: svc,
        fault: {
          kind: 'errors',
          p1: round(Math.min(0.5, svc.p0 * rng.between(2, 5)), 5),
          at: int(rng, 12, 72),
        },
      };
    },
  },
];
