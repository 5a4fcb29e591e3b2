import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { replayScenario, type Scenario } from '@rollgate/testkit/scenarios';
import { compareRampOnsets } from '../../../packages/core/src/stats/onset';
import { generateFamilies } from '../scenarios/family-corpus';

/**
 * Where the error counts place the onset of an error-rate breach the replay rolled back (issue 12
 * class 6, round 23): the ramp comparison of the onset gate (`compareRampOnsets`, a climb under
 * way at the deploy against every step or climb from the deploy on, on the counts of the gate's
 * 30 minutes before the deploy and the bake), at the rollback's step and again `d` steps later
 * (what waiting would have shown). Read for pre-existing climbs rolled back (false rollbacks)
 * against deploy faults rolled back (detections): a rule on the ratio routes both alike where
 * their ratios overlap. The gate's cold-start steps are not left out here (error signals keep the
 * rest), so a cold-start family's figures are approximate.
 *
 * `node --conditions=source --import tsx bench/src/stats/climb-onset-trace.ts [set] [count] [families] [delays]`
 */

/** The gate's lookback before the deploy, in steps of 5 s (onset.ts: 30 minutes). */
const LOOKBACK_STEPS = 360;

/** The log-likelihood ratio (climb before the deploy against onsets at or after it) on `s`'s error counts up to step `last` (inclusive). */
export function errorClimbRatio(s: Scenario, last: number): number {
  const d = s.deployAtStep;
  const points = [];
  for (let i = Math.max(0, d - LOOKBACK_STEPS); i <= Math.min(last, s.series.requests.length - 1); i++) {
    points.push({ t: i + 1, events: s.series.errors[i] ?? 0, trials: s.series.requests[i] ?? 0 });
  }
  return compareRampOnsets(points, { stepMs: 1, referenceT: d }).logLikelihoodRatio;
}

/** Quantiles 0, 0.5, 0.9 and the maximum of `xs`, and how many reach log 10 and log 100. */
export function ratioSummary(xs: readonly number[]): string {
  if (xs.length === 0) return 'n=0';
  const sorted = [...xs].sort((a, b) => a - b);
  const at = (q: number) =>
    (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number).toFixed(2);
  const over = (k: number) => sorted.filter((x) => x >= Math.log(k)).length;
  return `n=${xs.length} min ${at(0)} median ${at(0.5)} p90 ${at(0.9)} max ${(sorted.at(-1) as number).toFixed(2)}; >= log 10: ${over(10)}, >= log 100: ${over(100)}`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [set = 'dev', count = '100', only = 'incident-climbing,lowtraffic-bad', delaysArg = '0,12,36,60'] =
    process.argv.slice(2);
  const delays = delaysArg.split(',').map(Number);
  const byTruth = new Map<string, number[][]>();
  for (const { family, scenarios } of generateFamilies(set, Number(count), only.split(','))) {
    for (const { scenario: s } of scenarios) {
      const replay = await replayScenario(s);
      if (replay.decision !== 'rollback' || replay.signal !== 'error-rate' || replay.decidedAtStep === null)
        continue;
      const at = replay.decidedAtStep;
      const ratios = delays.map((d) => errorClimbRatio(s, at + d));
      const key = `${family.id} (${s.truth.verdict === 'rollback' ? 'fault, detected' : `${s.truth.verdict}, false rollback`})`;
      const rows = byTruth.get(key) ?? delays.map(() => []);
      ratios.forEach((r, i) => {
        rows[i]?.push(r);
      });
      byTruth.set(key, rows);
      process.stdout.write(
        `${s.truth.verdict === 'rollback' ? ' ' : '!'} ${s.name} rolled back at +${(at + 1 - s.deployAtStep) * s.stepSeconds} s: log-ratio ${ratios.map((r, i) => `+${delays[i]}: ${r.toFixed(2)}`).join(', ')}\n`,
      );
    }
  }
  for (const [key, rows] of byTruth) {
    process.stdout.write(`${key}\n`);
    rows.forEach((xs, i) => {
      process.stdout.write(`    +${delays[i]} steps: ${ratioSummary(xs)}\n`);
    });
  }
}
