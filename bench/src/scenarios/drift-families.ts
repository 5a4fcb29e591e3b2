import { int, logUniform, pick, round, service } from './draws';
import type { Family } from './families';
import type { Prng } from './prng';
import type { ScenarioSpec } from './scenario-spec';

/**
 * DRIFT families (issue 12, a drifting baseline): the background error rate drifts slowly
 * (+-10-50% over 10-120 min) and traffic with it (+-20-40%), so the pre-deploy window's mean
 * rate is not the rate of the bake. The hard case is a deploy while the drift rises: the
 * baseline window sat mostly at the drift's low and the bake runs at its high. Healthy deploys
 * must be kept at 1-200 req/s (where a binomial baseline is precise enough to make a 30% drift
 * decisive), and 2-5x error faults on the same drifting baselines must still be caught about
 * as fast (docs/statistics.md, "Drifting baselines"). Run by id (`families.ts <set> <n> drift-...`).
 */

/** Phases (radians) at the deploy where the error drift rises into the bake from at or near its low. */
const RISING: readonly [number, number] = [-Math.PI / 2, Math.PI / 4];

type Drawn = Omit<ScenarioSpec, 'name' | 'seed'>;

/** A service on a drifting baseline: errors drift at `phase` at the deploy, traffic at its own. */
function drifting(rng: Prng, opts: { readonly phase: number; readonly wide: boolean }): Drawn['service'] {
  const rps = round(logUniform(rng, 1, 200), 1);
  const wide = opts.wide;
  return service(rng, {
    rps,
    p0: round(logUniform(rng, 0.001, wide ? 0.03 : 0.01), 5),
    drift: {
      amplitude: round(rng.between(0.2, 0.4), 3),
      periodSeconds: Math.round(rng.between(1200, 3600)),
    },
    errorDrift: {
      amplitude: round(rng.between(wide ? 0.1 : 0.2, 0.5), 3),
      periodSeconds: Math.round(wide ? logUniform(rng, 600, 7200) : rng.between(1200, 3600)),
      phaseAtDeploy: round(opts.phase, 3),
    },
    loadLatency: round(rng.between(0, 0.25), 3),
    // Some services are also bursty step to step (overdispersed errors).
    ...(wide && rng.uniform() < 0.4 ? { errorNoise: round(rng.between(0.1, 0.4), 2) } : {}),
  });
}

/**
 * A service whose error rate climbs through the whole pre-deploy window and on into the bake: a
 * 90-120 min cycle whose low is at most a twelfth of a cycle before the window opens, so the
 * window's 30 min is a steady climb and the deploy lands 0-30 degrees past where the window
 * began rising from its low (docs/statistics.md, "A rising trend the homogeneity test misses").
 */
function climbing(rng: Prng): Drawn['service'] {
  const periodSeconds = Math.round(rng.between(5400, 7200));
  const windowPhase = (2 * Math.PI * WINDOW_SECONDS) / periodSeconds;
  return service(rng, {
    rps: round(logUniform(rng, 5, 200), 1),
    p0: round(logUniform(rng, 0.001, 0.03), 5),
    drift: { amplitude: round(rng.between(0.1, 0.3), 3), periodSeconds: Math.round(rng.between(1200, 3600)) },
    errorDrift: {
      amplitude: round(rng.between(0.25, 0.5), 3),
      periodSeconds,
      phaseAtDeploy: round(-Math.PI / 2 + windowPhase + rng.between(0, Math.PI / 6), 3),
    },
    loadLatency: round(rng.between(0, 0.25), 3),
  });
}

/** The pre-deploy window the evaluator's baseline reads (30 min). */
const WINDOW_SECONDS = 1800;

/** The drift families, in the order the tables list them. */
export const DRIFT_FAMILIES: readonly Family[] = [
  {
    id: 'drift-rising-keep',
    failureClass: 'control',
    truth: 'keep',
    description:
      'healthy deploy, 1-200 req/s; errors drift +-20-50% over 20-60 min and rise into the bake from at or near their low; traffic +-20-40%',
    draw: (rng) => ({
      description: 'healthy deploy while the error drift rises',
      service: drifting(rng, { phase: rng.between(...RISING), wide: false }),
      fault: null,
    }),
  },
  {
    id: 'drift-any-keep',
    failureClass: 'control',
    truth: 'keep',
    description:
      'healthy deploy, 1-200 req/s, p0 0.1-3%; errors drift +-10-50% over 10-120 min at any phase, some bursty; traffic +-20-40%',
    draw: (rng) => ({
      description: 'healthy deploy on a drifting baseline, any phase',
      service: drifting(rng, { phase: rng.between(0, 2 * Math.PI), wide: true }),
      fault: null,
    }),
  },
  {
    id: 'drift-bad',
    failureClass: 'control',
    truth: 'rollback',
    description:
      'an error fault (2-5x the mean rate) at or after the deploy, on a drift as in drift-rising-keep or at any phase',
    draw: (rng) => {
      const rising = rng.uniform() < 0.6;
      const svc = drifting(rng, {
        phase: rising ? rng.between(...RISING) : rng.between(0, 2 * Math.PI),
        wide: !rising,
      });
      return {
        description: 'error regression on a drifting baseline',
        service: svc,
        fault: {
          kind: 'errors',
          p1: round(Math.min(0.5, svc.p0 * rng.between(2, 5)), 5),
          at: pick(rng, [0, 0, int(rng, 1, 60)]),
        },
      };
    },
  },
  {
    id: 'drift-trend-keep',
    failureClass: 'control',
    truth: 'keep',
    description:
      'healthy deploy, 5-200 req/s, p0 0.1-3%; errors climb +-25-50% over a 90-120 min cycle through the whole window and on into the bake',
    draw: (rng) => ({
      description: 'healthy deploy while the error rate climbs steadily',
      service: climbing(rng),
      fault: null,
    }),
  },
  {
    id: 'drift-trend-bad',
    failureClass: 'control',
    truth: 'rollback',
    description:
      'an error fault (2-5x the mean rate) at or after the deploy, on a climb as in drift-trend-keep',
    draw: (rng) => {
      const svc = climbing(rng);
      return {
        description: 'error regression while the error rate climbs steadily',
        service: svc,
        fault: {
          kind: 'errors',
          p1: round(Math.min(0.5, svc.p0 * rng.between(2, 5)), 5),
          at: pick(rng, [0, 0, int(rng, 1, 60)]),
        },
      };
    },
  },
];
