import { EVALUATOR, RATIO_CAP, type Variant } from './delay-decomposition';

/** Issue 12, round 10: the evaluator's test, each part removed, and the adaptive candidates. */
const cur: Variant = RATIO_CAP;

/** Issue 12, round 11: caps that bound one step's weight by the expected count (burst11). */
export const SCREEN11: readonly Variant[] = [
  { ...cur, name: 'ratio-cap' },
  { ...cur, name: 'z2', capZ: 2 },
  { ...cur, name: 'z3', capZ: 3 },
  { ...EVALUATOR, name: 'z4' },
  { ...cur, name: 'z5', capZ: 5 },
  { ...cur, name: 'z6', capZ: 6 },
  { ...cur, name: 'z3-plain', capZ: 3, capZPlain: true },
  { ...cur, name: 'z3-capdisp', capZ: 3, capDispersion: true },
  { ...cur, name: 'z2-capdisp', capZ: 2, capDispersion: true },
];

export const SCREEN10: readonly Variant[] = [
  cur,
  { ...cur, name: 'no-cap', cap: null },
  { ...cur, name: 'no-prior', prior: 0 },
  { ...cur, name: 'no-disp', dispersion: 'none' },
  { ...cur, name: 'no-surge', surgeFactor: 1 },
  {
    ...cur,
    name: 'known-p0',
    kappas: [0.5],
    knownRate: true,
    prior: 0,
    cap: null,
    dispersion: 'none',
    surgeFactor: 1,
  },
  { ...cur, name: 'bare', prior: 0, cap: null, dispersion: 'none', surgeFactor: 1 },
  { ...cur, name: 'lcb1.6', dispersion: 'lcb', lcbZ: 1.645 },
  { ...cur, name: 'lcb1', dispersion: 'lcb', lcbZ: 1 },
  { ...cur, name: 'fade10', priorFade: 10 },
  { ...cur, name: 'fade30', priorFade: 30 },
  { ...cur, name: 'bare+cap', prior: 0, dispersion: 'none', surgeFactor: 1 },
  { ...cur, name: 'bare+prior', cap: null, dispersion: 'none', surgeFactor: 1 },
  { ...cur, name: 'bare+disp', prior: 0, cap: null, surgeFactor: 1 },
  { ...cur, name: 'bare+surge', prior: 0, cap: null, dispersion: 'none' },
  { ...cur, name: 'no-cap-prior', prior: 0, cap: null },
  { ...cur, name: 'no-cap-disp', dispersion: 'none', cap: null },
  { ...cur, name: 'no-prior-disp', prior: 0, dispersion: 'none' },
  { ...cur, name: 'carry-over', carry: 'over' },
  { ...cur, name: 'carry-any', carry: 'any' },
  { ...cur, name: 'look2', lookback: 2 },
  { ...cur, name: 'step1', capStep: 1 },
  { ...cur, name: 'carry-look2', carry: 'any', lookback: 2 },
  { ...cur, name: 'carry-cap', carry: 'cap' },
  { ...cur, name: 'quiet24', quietCap: 24 },
  { ...cur, name: 'quiet-none', quietCap: null },
  { ...cur, name: 'quiet-none-1.5', quietCap: null, quietUcb: 1.5, quietEvents: 10 },
  { ...cur, name: 'q48-1.5', quietCap: 48, quietUcb: 1.5, quietEvents: 10 },
  { ...cur, name: 'qn-1.3', quietCap: null, quietUcb: 1.3, quietEvents: 10 },
  { ...cur, name: 'qn-1.5-20', quietCap: null, quietUcb: 1.5, quietEvents: 20 },
  { ...cur, name: 'qn-2', quietCap: null, quietUcb: 2, quietEvents: 10 },
  { ...cur, name: 'qn-3', quietCap: null, quietUcb: 3, quietEvents: 5 },
  { ...cur, name: 'plain-cap', capSustained: false },
  { ...cur, name: 'cap-disp', capDispersion: true },
  { ...cur, name: 'carry-usual', carry: 'usual' },
  { ...cur, name: 'disp-ucb', dispersion: 'ucb', lcbZ: 1.645 },
];

/** Every screened variant of rounds 10 and 11, by name (`evaluator` and `ratio-cap` are main before round 11). */
export const SCREENED: readonly Variant[] = [...SCREEN10, ...SCREEN11];

/** The screened variants named in a comma-separated list (all of `fallback` when empty). */
export function pickVariants(pick: string, fallback: readonly Variant[]): readonly Variant[] {
  return pick ? SCREENED.filter((v) => pick.split(',').includes(v.name)) : fallback;
}
