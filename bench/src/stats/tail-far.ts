import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Scenario } from '@rollgate/testkit/scenarios';
import { generateFamilies } from '../scenarios/family-corpus';
import { histogramQuantile, sumHistograms } from './histogram-quantile';
import { countsAbove, oneLookOf } from './tail-trace';

/**
 * Where a latency signal's slow requests sit against the baseline (issue 12, classes 3 and 5,
 * round 22): per draw, the baseline median and p99, and for every bound at or above the p99's
 * bucket the baseline and bake counts and the bound's ratio to the median, with the one-look
 * exact conditional p without and with a prior.
 *
 * `node --conditions=source --import tsx bench/src/stats/tail-far.ts [set] [count] [families] [bakeSteps]`
 */
function rows(s: Scenario, bakeSteps: number): string {
  const buckets = s.latencyBucketsMs;
  const width = buckets.length + 1;
  const series = s.series.latencyHistogram;
  const before = sumHistograms(series.slice(0, s.deployAtStep), width);
  const p99 = histogramQuantile(0.99, buckets, before);
  const p50 = histogramQuantile(0.5, buckets, before);
  if (p99 === null || p50 === null) return '';
  const i1 = Math.max(
    0,
    buckets.findIndex((b) => b >= p99),
  );
  const out: string[] = [`p50 ${p50.toFixed(0)} p99 ${p99.toFixed(0)}`];
  for (let k = i1; k < buckets.length; k++) {
    const { b, n0, x, n1, slowSteps: steps } = countsAbove(s, k, bakeSteps);
    const p = oneLookOf(x, n1, b, n0);
    const p1 = oneLookOf(x, n1, b + 1, n0);
    const p3 = oneLookOf(x, n1, b + 3, n0);
    out.push(
      `${buckets[k]}(${((buckets[k] as number) / p50).toFixed(1)}x):${b}/${n0} ${x}/${n1} st${steps.length} p=${p.toExponential(0)},${p1.toExponential(0)},${p3.toExponential(0)}`,
    );
  }
  return out.join('  ');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [set = 'dev', count = '40', only = 'tail-bad,wide-tail-bad', bake = '180', names = ''] =
    process.argv.slice(2);
  const keep = new Set(names.split(',').filter((n) => n !== ''));
  for (const { scenarios } of generateFamilies(set, Number(count), only.split(','))) {
    for (const { scenario: s } of scenarios) {
      if (keep.size > 0 && !keep.has(s.name)) continue;
      process.stdout.write(`${s.name} ${s.truth.verdict}: ${rows(s, Number(bake))}\n`);
    }
  }
}
