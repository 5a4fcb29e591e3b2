import { generateFamilies } from '../scenarios/family-corpus';
import { crossingStep } from './delay-decomposition';
import { SCREEN10 } from './delay10-variants';

/**
 * aa-screen.ts for the round-10 variants: how many healthy deploys each variant's error test
 * crosses its threshold on, anywhere in the bake.
 * `node --conditions=source --import tsx bench/src/stats/aa10-screen.ts [set] [count] [families] [variants]`
 */
const [
  set = 'aa',
  count = '200',
  only = 'steady-keep,lowtraffic-keep,bursty-keep,trend-keep,surge-keep',
  pick = '',
] = process.argv.slice(2);
const variants = pick ? SCREEN10.filter((v) => pick.split(',').includes(v.name)) : SCREEN10;
for (const family of generateFamilies(set, Number(count), only.split(','))) {
  const crossed = new Map<string, number>();
  for (const { scenario: s } of family.scenarios) {
    const base = {
      events: s.series.errors.slice(0, s.deployAtStep).reduce((a, b) => a + b, 0),
      trials: s.series.requests.slice(0, s.deployAtStep).reduce((a, b) => a + b, 0),
    };
    for (const v of variants) {
      const step = crossingStep(s, v, base, 0);
      if (step === null) continue;
      crossed.set(v.name, (crossed.get(v.name) ?? 0) + 1);
      if (process.env.AA_DETAIL)
        process.stdout.write(
          `  ${v.name} ${s.name}: baseline ${base.events}/${base.trials}, crossed ${(step - s.deployAtStep) * s.stepSeconds} s after the deploy\n`,
        );
    }
  }
  process.stdout.write(
    `${family.family.id} (${family.scenarios.length}): ${variants.map((v) => `${v.name} ${crossed.get(v.name) ?? 0}`).join(', ')}\n`,
  );
}
