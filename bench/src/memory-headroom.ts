import { replayScenario } from '@rollgate/testkit/scenarios';
import { generateFamilies } from './scenarios/family-corpus';

/**
 * Memory decisions of named families, with what a leak's detection left of the way to the limit
 * (issue 12, mem17): every wrong decision's reason, and for each detected leak its delay after
 * the leak began, the share of the way from the pre-deploy level to the limit still left at the
 * decision (the memory sample of the decided step against the rule's limit, twice the baseline
 * median), and the seconds the leak alone would still have taken to reach the limit.
 *
 *   node --conditions=source --import tsx bench/src/memory-headroom.ts <set> <n> <ids>
 */

const [set = 'dev', count = '40', ids = 'surge-memory-keep,surge-memory-leak'] = process.argv.slice(2);
const median = (xs: readonly number[]) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return ((s[Math.floor((s.length - 1) / 2)] as number) + (s[Math.ceil((s.length - 1) / 2)] as number)) / 2;
};

for (const { family, scenarios } of generateFamilies(set, Number(count), ids.split(','))) {
  let wrong = 0;
  let bad = 0;
  let detected = 0;
  const delays: number[] = [];
  const shares: number[] = [];
  const lefts: number[] = [];
  for (const { scenario, meta } of scenarios) {
    const r = await replayScenario(scenario);
    const truth = scenario.truth.verdict;
    const rolled = r.decision === 'rollback';
    const baseline = (
      r.audit?.baseline as { signals?: Record<string, { value?: number | null }> } | undefined
    )?.signals?.memory?.value;
    let extra = '';
    if (truth === 'rollback') {
      bad++;
      if (rolled) detected++;
      const start = scenario.truth.faultStartStep ?? scenario.deployAtStep;
      if (rolled && r.decidedAtStep !== null && typeof baseline === 'number') {
        const delay = (r.decidedAtStep - start) * scenario.stepSeconds;
        const limit = 2 * baseline;
        const level = scenario.series.memoryBytes?.[r.decidedAtStep] ?? Number.NaN;
        const share = (limit - level) / (limit - baseline);
        const f = meta.fault as { bytes_per_s?: number; limit?: number } | undefined;
        // The leak starts from the service's level and its OOM limit is twice that (every leak family).
        const left =
          f?.bytes_per_s && f.limit
            ? (start - r.decidedAtStep) * scenario.stepSeconds + f.limit / 2 / f.bytes_per_s
            : Number.NaN;
        delays.push(delay);
        shares.push(share);
        lefts.push(left);
        extra = ` +${delay}s left=${(share * 100).toFixed(0)}% ~${left.toFixed(0)}s`;
      }
    }
    const isWrong = (truth === 'rollback') !== rolled;
    if (isWrong) wrong++;
    process.stdout.write(
      `${isWrong ? '!' : ' '} ${scenario.name.padEnd(30)} ${truth.padEnd(8)} ${r.decision.padEnd(8)}${extra} | ${r.reason.slice(0, 260)}\n`,
    );
  }
  const m = (xs: number[], f: (x: number) => string) => {
    const v = median(xs);
    return v === null ? 'n/a' : f(v);
  };
  process.stdout.write(
    `== ${family.id}: ${scenarios.length} scenarios, ${wrong} wrong` +
      (bad > 0
        ? `; detected ${detected}/${bad}, median delay ${m(delays, (x) => `${x.toFixed(0)} s`)}, median left ${m(shares, (x) => `${(x * 100).toFixed(0)}%`)} of the way (min ${shares.length ? (Math.min(...shares) * 100).toFixed(0) : 'n/a'}%), median ${m(lefts, (x) => `${x.toFixed(0)} s`)} before the leak reaches the limit (min ${lefts.length ? Math.min(...lefts).toFixed(0) : 'n/a'} s)`
        : '') +
      '\n',
  );
}
