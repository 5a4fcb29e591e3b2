import { RATIO_CAP, type Variant } from './delay-decomposition';
import { printAAScreen } from './screen-report';

/**
 * The error test of each variant on healthy (A/A) deploys, outside the evaluator: how many
 * cross their threshold anywhere in the bake (issue 12's screening before a full A/A run).
 * Baseline counts are the whole pre-deploy window's.
 * `node --conditions=source --import tsx bench/src/stats/aa-screen.ts [set] [count] [families]`
 */
const BEFORE: Variant = { ...RATIO_CAP, name: 'evaluator', capSustained: false };
export const CANDIDATES: readonly Variant[] = [
  BEFORE,
  { ...BEFORE, name: 'no-cap', cap: null },
  { ...BEFORE, name: 'no-disp', dispersion: 'none' },
  { ...BEFORE, name: 'k4', kappas: [0.25, 0.5, 1.5, 3] },
  { ...BEFORE, name: 'r-24', ratios: [1.5, 2, 3, 4, 6, 8, 12, 24] },
  { ...BEFORE, name: 'cap-24', cap: 24 },
  { ...BEFORE, name: 'cap-sustained', capSustained: true },
  { ...BEFORE, name: 'cap-sustained+1', capSustained: true, capStep: 1 },
  { ...BEFORE, name: 'sus-fade3', capSustained: true, priorFade: 3 },
];

const [set = 'aa', count = '200', only = 'steady-keep,lowtraffic-keep,bursty-keep,trend-keep,surge-keep'] =
  process.argv.slice(2);
printAAScreen(set, Number(count), only.split(','), CANDIDATES);
