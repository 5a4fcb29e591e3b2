import type { Scenario } from '@rollgate/testkit/scenarios';
import { FAMILIES, familySpecs } from '../scenarios/families';
import { Prng } from '../scenarios/prng';
import { synthesize } from '../scenarios/synthesize';
import { firstBreach } from '../sections/aa-conditions';
import { crossingStep, EVALUATOR } from './delay-decomposition';

/**
 * burst-aa.ts through the whole evaluator: `steady-keep`'s healthy deploys (set `aa`, 1-100
 * req/s) with their errors replaced by causes of one failure or, with chance `q`, a burst of
 * `size` in the same step, at a mean rate p0 before and after the deploy. Counts the deploys
 * the evaluator rolls back (its holds, confirmation and the recheck without the worst 30 s
 * included) and those the error test alone crosses on.
 * `node --conditions=source --import tsx bench/src/stats/burst-evaluator.ts [deploys] [p0] [q] [size] [rps range]`
 */
const [deploys = '200', p0s = '0.01', qs = '0.02', sizes = '10', rpsRange = '0-1000'] = process.argv.slice(2);
const [rpsLow, rpsHigh] = rpsRange.split('-').map(Number) as [number, number];
const p0 = Number(p0s);
const q = Number(qs);
const size = Number(sizes);
const family = FAMILIES.find((f) => f.id === 'steady-keep');
if (!family) throw new Error('no steady-keep');
const rng = new Prng(`burst-evaluator-${p0}-${q}-${size}`);
const causeRate = p0 / (1 - q + q * size);
let rolledBack = 0;
let crossed = 0;
let run = 0;
for (const spec of familySpecs(family, 'aa', Number(deploys))) {
  const rps = (spec.service as { rps: number }).rps;
  if (!(rps >= rpsLow && rps <= rpsHigh)) continue;
  run++;
  const scenario = synthesize(spec).scenario;
  const errors = scenario.series.requests.map((n) => {
    const causes = rng.binomial(n, causeRate);
    let e = 0;
    for (let c = 0; c < causes; c++) e += rng.uniform() < q ? size : 1;
    return Math.min(n, e);
  });
  const s: Scenario = { ...scenario, series: { ...scenario.series, errors } };
  const base = {
    events: errors.slice(0, s.deployAtStep).reduce((a, b) => a + b, 0),
    trials: s.series.requests.slice(0, s.deployAtStep).reduce((a, b) => a + b, 0),
  };
  if (crossingStep(s, EVALUATOR, base, 0) !== null) crossed++;
  const reason = await firstBreach(s);
  if (reason !== null) {
    rolledBack++;
    process.stdout.write(`  ${spec.name}: ${reason}\n`);
  }
}
process.stdout.write(
  `steady-keep x ${run} (of ${deploys}, ${rpsRange} req/s), p0 ${p0}, ${q} of causes a burst of ${size}: evaluator rolled back ${rolledBack}, error test alone crossed ${crossed}\n`,
);
