import { replayScenario, type Scenario } from '@rollgate/testkit/scenarios';
import { familySpecs } from '../scenarios/families';
import { generateFamilies } from '../scenarios/family-corpus';
import type { ScenarioSpec } from '../scenarios/scenario-spec';
import { STEP_SECONDS } from '../scenarios/synthesize';

/**
 * What a drifting baseline's draws looked like to the error test (issue 12, round 23): for each
 * draw of one family (or the listed indices), the replay's decision and its step, the window's
 * six 5-min block rates and mean, the bake's 5-min rates and its rate up to the decision (and
 * its ratio to the window's mean), whether the audit's baseline shows a drift, and the drawn
 * drift's own rate (`p0 (1 + amplitude sin)`) averaged over the window, at the deploy and at the
 * middle of the bake so far: how far a healthy drift itself carried the bake from the window.
 *
 * `node --conditions=source --import tsx bench/src/stats/drift-trace.ts <set> <count> <family> [i,j,...]`
 */

/** Steps in a 5-min block, and blocks in the 30 min window. */
const BLOCK_STEPS = 300 / STEP_SECONDS;
const WINDOW_BLOCKS = 6;

const pct = (e: number, n: number) => (n > 0 ? ((100 * e) / n).toFixed(3) : 'n/a');

/** Events and requests of steps `[from, to)`. */
function counts(s: Scenario, from: number, to: number): { events: number; trials: number } {
  let events = 0;
  let trials = 0;
  for (let t = Math.max(0, from); t < Math.min(to, s.series.requests.length); t++) {
    events += s.series.errors[t] ?? 0;
    trials += s.series.requests[t] ?? 0;
  }
  return { events, trials };
}

/** The drawn error rate `seconds` after the deploy (the drift only, no fault or noise). */
function drawnRate(spec: ScenarioSpec, seconds: number): number | null {
  const drift = spec.service.errorDrift;
  if (drift?.phaseAtDeploy === undefined) return null;
  return (
    spec.service.p0 *
    (1 + drift.amplitude * Math.sin((2 * Math.PI * seconds) / drift.periodSeconds + drift.phaseAtDeploy))
  );
}

/** The drawn rate's mean over `[from, to)` seconds after the deploy. */
function drawnMean(spec: ScenarioSpec, from: number, to: number): number | null {
  let sum = 0;
  let k = 0;
  for (let s = from; s < to; s += STEP_SECONDS, k++) {
    const r = drawnRate(spec, s);
    if (r === null) return null;
    sum += r;
  }
  return k > 0 ? sum / k : null;
}

async function main(): Promise<void> {
  const [set = 'dev', countArg = '100', family = 'drift-stress-keep', indices = ''] = process.argv.slice(2);
  const count = Number(countArg);
  const wanted = indices === '' ? null : new Set(indices.split(',').map(Number));
  const generated = generateFamilies(set, count, [family])[0];
  if (!generated) throw new Error(`no family ${family}`);
  const specs = new Map(familySpecs(generated.family, set, count).map((s) => [s.name, s]));
  for (const { scenario } of generated.scenarios) {
    if (wanted && !wanted.has(Number(scenario.name.split('-').at(-1)))) continue;
    const r = await replayScenario(scenario);
    const d = scenario.deployAtStep;
    const at = r.decidedAtStep ?? scenario.series.requests.length - 1;
    const blocks = Array.from({ length: WINDOW_BLOCKS }, (_, b) =>
      counts(scenario, d - (WINDOW_BLOCKS - b) * BLOCK_STEPS, d - (WINDOW_BLOCKS - b - 1) * BLOCK_STEPS),
    );
    const window = counts(scenario, d - WINDOW_BLOCKS * BLOCK_STEPS, d);
    const bake = counts(scenario, d, at + 1);
    const bakeBlocks = [0, 1, 2].map((b) => counts(scenario, d + b * BLOCK_STEPS, d + (b + 1) * BLOCK_STEPS));
    const drift = (
      r.audit?.baseline as { signals?: Record<string, { drift?: { spread: number } }> } | undefined
    )?.signals?.['error-rate']?.drift;
    const spec = specs.get(scenario.name);
    const seconds = (at - d + 1) * STEP_SECONDS;
    const windowDrawn = spec ? drawnMean(spec, -WINDOW_BLOCKS * BLOCK_STEPS * STEP_SECONDS, 0) : null;
    const midDrawn = spec ? drawnRate(spec, seconds / 2) : null;
    const ratio =
      window.events > 0 ? bake.events / bake.trials / (window.events / window.trials) : Number.NaN;
    console.log(
      `${scenario.name} ${r.decision} at ${seconds - STEP_SECONDS} s; ${spec?.service.rps} req/s, p0 ${pct(spec?.service.p0 ?? 0, 1)}%, ` +
        `drift +-${spec?.service.errorDrift?.amplitude} over ${spec?.service.errorDrift?.periodSeconds} s, noise ${spec?.service.errorNoise ?? 0}\n` +
        `  window 5-min % ${blocks.map((b) => pct(b.events, b.trials)).join(' ')}, mean ${pct(window.events, window.trials)} (${window.events} events); ` +
        `drift shown: ${drift ? `+-${(100 * drift.spread).toFixed(1)}%` : 'no'}\n` +
        `  bake 5-min % ${bakeBlocks.map((b) => pct(b.events, b.trials)).join(' ')}; to the decision ${pct(bake.events, bake.trials)} ` +
        `(${bake.events}/${bake.trials}), ${ratio.toFixed(2)}x the window\n` +
        `  drawn drift: window mean ${windowDrawn === null ? 'n/a' : pct(windowDrawn, 1)}%, at the deploy ${spec && drawnRate(spec, 0) !== null ? pct(drawnRate(spec, 0) as number, 1) : 'n/a'}%, ` +
        `mid-bake ${midDrawn === null ? 'n/a' : pct(midDrawn, 1)}% (${windowDrawn && midDrawn ? (midDrawn / windowDrawn).toFixed(2) : 'n/a'}x)\n` +
        `  ${r.reason}`,
    );
  }
}

await main();
