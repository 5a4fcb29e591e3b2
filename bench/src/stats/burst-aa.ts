import type { Scenario } from '@rollgate/testkit/scenarios';
import { Prng } from '../scenarios/prng';
import { crossingStep } from './delay-decomposition';
import { pickVariants, SCREEN10 } from './delay10-variants';

/**
 * Healthy deploys of a service whose errors come in rare bursts (issue 12, round 10): causes
 * arrive at random, each fails one request, or with probability `q` a burst of `size` requests
 * in the same step (a host hiccup, a retry chain). The mean rate is p0 before and after the
 * deploy; a 30 min baseline, a 15 min bake. Counts how often each variant's error test crosses:
 * a cap that the baseline's own evidence switches off is only as good as that evidence, and a
 * burst rarer than once a baseline is one the baseline cannot show.
 * `node --conditions=source --import tsx bench/src/stats/burst-aa.ts [draws] [variants]`
 */
const [draws = '300', pick = 'evaluator,no-cap,quiet-none-1.5,q48-1.5,carry-any'] = process.argv.slice(2);
const variants = pickVariants(pick, SCREEN10);
const STEP = 5;
const BASELINE_STEPS = 360;
const BAKE_STEPS = 180;

function draw(rng: Prng, rps: number, p0: number, q: number, size: number): Scenario {
  const requests: number[] = [];
  const errors: number[] = [];
  // Causes per request so that the mean error rate is p0: p0 / (1 - q + q size).
  const causeRate = p0 / (1 - q + q * size);
  for (let i = 0; i < BASELINE_STEPS + BAKE_STEPS; i++) {
    const n = rng.poisson(rps * STEP);
    const causes = rng.binomial(n, causeRate);
    let e = 0;
    for (let c = 0; c < causes; c++) e += rng.uniform() < q ? size : 1;
    requests.push(n);
    errors.push(Math.min(n, e));
  }
  return {
    name: `burst-aa`,
    stepSeconds: STEP,
    deployAtStep: BASELINE_STEPS,
    series: { requests, errors },
    truth: {},
  } as unknown as Scenario;
}

const CELLS = process.env.BURST_CELL?.split(',').map(Number);
for (const rps of CELLS ? [CELLS[0] as number] : [1, 5, 20]) {
  for (const p0 of CELLS ? [CELLS[1] as number] : [0.002, 0.01]) {
    for (const [q, size] of [
      [0, 1],
      [0.02, 10],
      [0.05, 10],
      [0.01, 30],
    ] as const) {
      const rng = new Prng(`burst-aa-${rps}-${p0}-${q}-${size}`);
      const crossed = new Map<string, number>();
      let quietish = 0;
      for (let d = 0; d < Number(draws); d++) {
        const s = draw(rng, rps, p0, q, size);
        const base = {
          events: s.series.errors.slice(0, BASELINE_STEPS).reduce((a, b) => a + b, 0),
          trials: s.series.requests.slice(0, BASELINE_STEPS).reduce((a, b) => a + b, 0),
        };
        if (s.series.errors.slice(0, BASELINE_STEPS).every((x) => x <= 1)) quietish++;
        for (const v of variants) {
          if (crossingStep(s, v, base, 0) !== null) crossed.set(v.name, (crossed.get(v.name) ?? 0) + 1);
        }
      }
      process.stdout.write(
        `rps ${rps} p0 ${p0} bursts q=${q} x${size} (${draws}, ${quietish} baselines without a step over 1): ${variants
          .map((v) => `${v.name} ${crossed.get(v.name) ?? 0}`)
          .join(', ')}\n`,
      );
    }
  }
}
