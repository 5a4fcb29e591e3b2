import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPLAY_EPOCH_MS } from '@rollgate/core/scenarios';
import { replayScenario, type Scenario } from '@rollgate/testkit/scenarios';
import { generateFamilies } from '../scenarios/family-corpus';
import { histogramQuantile, sumHistograms } from './histogram-quantile';
import { oneLook } from './lowrate-power';

/**
 * What a latency signal's tests saw in each draw of the given families (issue 12, class 5, round
 * 19): the replay's decision, the latency verdicts of the bake's last evaluation (threshold,
 * counts, e-value against 1/alpha, from their reasons), and the one-look exact conditional test
 * of the whole bake at every bound at or above the baseline p99's bucket, without and with the
 * prior's 3 events.
 *
 * `node --conditions=source --import tsx bench/src/stats/tail-trace.ts [set] [count] [families] [all]`
 */

const PRIOR = 3;

/** The one-look p of `x1` of `n1` in the bake against `b` of `n0` before it (lowrate-power.ts `oneLook`). */
export const oneLookOf = (x1: number, n1: number, b: number, n0: number): number =>
  oneLook({ events: b, trials: n0 }, { events: x1, trials: n1 });

/**
 * Requests slower than bound `k` of `s`'s layout and all requests: `b` of `n0` before the deploy,
 * `x` of `n1` from the deploy to the bake's end (`bakeSteps`), and the bake steps with any
 * (`slowSteps`, the count in each).
 */
export function countsAbove(s: Scenario, k: number, bakeSteps: number) {
  let b = 0;
  let n0 = 0;
  let x = 0;
  let n1 = 0;
  const slowSteps: number[] = [];
  s.series.latencyHistogram.forEach((row, t) => {
    const above = row.slice(k + 1).reduce((a, v) => a + v, 0);
    const all = row.reduce((a, v) => a + v, 0);
    if (t < s.deployAtStep) {
      b += above;
      n0 += all;
    } else if (t < s.deployAtStep + bakeSteps) {
      x += above;
      n1 += all;
      if (above > 0) slowSteps.push(above);
    }
  });
  return { b, n0, x, n1, slowSteps };
}

/** Per bound at or above the baseline p99's bucket: baseline and bake (deploy to bake end) counts. */
function looks(s: Scenario, bakeSteps: number): string {
  const buckets = s.latencyBucketsMs;
  const width = buckets.length + 1;
  const rows = s.series.latencyHistogram;
  const p99 = histogramQuantile(0.99, buckets, sumHistograms(rows.slice(0, s.deployAtStep), width));
  if (p99 === null) return '';
  const i1 = Math.max(
    0,
    buckets.findIndex((b) => b >= p99),
  );
  const out: string[] = [];
  for (let k = i1; k < buckets.length; k++) {
    const { b, n0, x, n1 } = countsAbove(s, k, bakeSteps);
    const p = oneLookOf(x, n1, b, n0);
    const pp = oneLookOf(x, n1, b + PRIOR, n0);
    out.push(
      `${buckets[k]}:${b}/${n0} ${x}/${n1}${p < 0.01 ? ` p=${p.toExponential(0)},prior ${pp.toExponential(0)}` : ''}`,
    );
  }
  return out.join('  ');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [set = 'dev', count = '40', only = 'tail-bad,wide-tail-bad', all] = process.argv.slice(2);
  for (const { scenarios } of generateFamilies(set, Number(count), only.split(','))) {
    for (const { scenario: s } of scenarios) {
      let last: { at: number; reasons: string[] } | null = null;
      const replay = await replayScenario(
        s,
        {},
        {
          onController: (controller) => {
            controller.events.on('evaluation', (e) => {
              if (e.purpose !== 'bake') return;
              const lat = e.signals.filter((x) => x.signal.startsWith('latency'));
              last = {
                at: e.at,
                reasons: lat.flatMap((x) => x.verdicts.map((v) => `[${v.status}] ${v.reason}`)),
              };
            });
          },
        },
      );
      const wrong =
        (s.truth.verdict === 'rollback') !== (replay.decision === 'rollback') ||
        (s.truth.verdict === 'incident' && replay.decision !== 'incident');
      if (!wrong && all !== 'all') continue;
      const l = last as { at: number; reasons: string[] } | null;
      const step = l ? Math.round((l.at - REPLAY_EPOCH_MS) / (s.stepSeconds * 1000)) - s.deployAtStep : 0;
      process.stdout.write(
        `${wrong ? '!' : ' '} ${s.name} ${s.truth.verdict} -> ${replay.decision} (last bake evaluation at +${step * s.stepSeconds} s)\n`,
      );
      for (const r of l?.reasons ?? []) process.stdout.write(`    ${r}\n`);
      process.stdout.write(`    one look (baseline b/n0, bake x/n1): ${looks(s, Math.max(0, step))}\n`);
    }
  }
}
