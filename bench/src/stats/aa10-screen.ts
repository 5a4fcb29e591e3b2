import { pickVariants, SCREEN10 } from './delay10-variants';
import { printAAScreen } from './screen-report';

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
const variants = pickVariants(pick, SCREEN10);
printAAScreen(set, Number(count), only.split(','), variants);
