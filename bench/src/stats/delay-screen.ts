import { generateFamilies } from '../scenarios/family-corpus';
import { decompose, pearsonDispersion, RATIO_CAP, type Variant } from './delay-decomposition';
import { printDelayScreen } from './screen-report';

/**
 * Screens candidate error-test variants on the error faults of a family set (issue 12):
 * median delay / SPRT of each variant's first crossing, per family and overall, and the
 * faults each variant detects.
 * `node --conditions=source --import tsx bench/src/stats/delay-screen.ts [set] [count] [families]`
 */
// The figures of docs/statistics.md (issue 12, round 9) were measured against the test before
// the round's cap: the evaluator's test without `capSustained`.
const base: Variant = { ...RATIO_CAP, name: 'evaluator', capSustained: false };
const bare = { prior: 0, cap: null, dispersion: 'none', surgeFactor: 1 } as const;
const SCREEN: readonly Variant[] = [
  base,
  // The evaluator's test without one part, then with only one part (issue 12, round 9).
  { ...base, name: 'no-cap', cap: null },
  { ...base, name: 'no-prior', prior: 0 },
  { ...base, name: 'no-disp', dispersion: 'none' },
  { ...base, name: 'no-surge', surgeFactor: 1 },
  { ...base, ...bare, name: 'only-cap', cap: 12 },
  { ...base, ...bare, name: 'only-prior', prior: 3 },
  { ...base, ...bare, name: 'only-disp', dispersion: 'point' },
  { ...base, ...bare, name: 'only-surge', surgeFactor: 2 },
  { ...base, ...bare, name: 'bare' },
  { ...base, ...bare, name: 'known-p0', kappas: [0.5], knownRate: true },
  // Candidates.
  { ...base, name: 'k4', kappas: [0.25, 0.5, 1.5, 3] },
  { ...base, name: 'r-24', ratios: [1.5, 2, 3, 4, 6, 8, 12, 24] },
  { ...base, name: 'cap-24', cap: 24 },
  { ...base, name: 'edge-0.1', edgeShare: 0.1 },
  { ...base, name: 'cap-sustained', capSustained: true },
  { ...base, name: 'cap-sustained+1', capSustained: true, capStep: 1 },
  { ...base, name: 'sus-r24', capSustained: true, ratios: [1.5, 2, 3, 4, 6, 8, 12, 24] },
  { ...base, name: 'sus-fade3', capSustained: true, priorFade: 3 },
];

const [set = 'dev', count = '8', only = ''] = process.argv.slice(2);
const rows = await decompose(set, Number(count), only.split(','), SCREEN);
printDelayScreen(rows, set, SCREEN, base);

// The conditional test (given the total of baseline and new events, the new count is binomial
// with a known share under H0): the equal-weight mixture over the grid, and an oracle that
// knows the fault's ratio, both at alpha 0.005, on the scenario's counts from the deploy.
if (process.env.CONDITIONAL) {
  const grid = [1.5, 2, 3, 4, 6, 8, 12];
  const byName = new Map(rows.map((r) => [r.scenario, r]));
  const mix: number[] = [];
  const oracle: number[] = [];
  const full: number[] = [];
  const ev: number[] = [];
  for (const { scenario: s, meta } of generateFamilies(set, Number(count), only.split(',')).flatMap(
    (f) => f.scenarios,
  )) {
    const row = byName.get(s.name);
    if (!row) continue;
    const start = s.truth.faultStartStep ?? s.deployAtStep;
    const b = s.series.errors.slice(0, s.deployAtStep).reduce((a, x) => a + x, 0);
    const n0 = s.series.requests.slice(0, s.deployAtStep).reduce((a, x) => a + x, 0);
    const logLR = (rho: number, x: number, n: number) =>
      x * Math.log(rho) + (b + x) * Math.log((n0 + n) / (n0 + rho * n));
    const phi = Math.max(
      1,
      pearsonDispersion(
        s.series.requests
          .slice(0, s.deployAtStep)
          .map((t, i) => ({ events: s.series.errors[i] ?? 0, trials: t })),
      ).point,
    );
    const bf = (b + 3) / phi;
    const n0f = n0 / phi;
    const rate = (b + 3 + 0.5) / (n0 + 1);
    const logLRFull = (rho: number, xx: number, nn: number) =>
      xx * Math.log(rho) + (bf + xx) * Math.log((n0f + nn) / (n0f + rho * nn));
    let xf = 0;
    let nf = 0;
    let fullAt: number | null = null;
    let x = 0;
    let n = 0;
    let mixAt: number | null = null;
    let oracleAt: number | null = null;
    for (let i = s.deployAtStep; i < s.series.requests.length; i++) {
      x += s.series.errors[i] ?? 0;
      n += s.series.requests[i] ?? 0;
      const cap = Math.max(1, Math.ceil(12 * (s.series.requests[i] ?? 0) * rate));
      const counted = Math.min(s.series.errors[i] ?? 0, cap);
      const div = cap === 1 ? 1 : phi;
      xf += counted / div;
      nf += (s.series.requests[i] ?? 0) / div;
      const tf = grid.map((r) => logLRFull(r, xf, nf));
      const mf = Math.max(...tf);
      if (
        fullAt === null &&
        mf + Math.log(tf.reduce((a, t) => a + Math.exp(t - mf), 0) / grid.length) >= Math.log(200)
      )
        fullAt = i;
      const terms = grid.map((r) => logLR(r, x, n));
      const m = Math.max(...terms);
      const logMix = m + Math.log(terms.reduce((a, t) => a + Math.exp(t - m), 0) / grid.length);
      if (mixAt === null && logMix >= Math.log(200)) mixAt = i;
      if (oracleAt === null && logLR(row.p1 / row.p0, x, n) >= Math.log(200)) oracleAt = i;
    }
    const d = (i: number | null) =>
      i === null ? Number.POSITIVE_INFINITY : ((i - start) * s.stepSeconds) / row.sprtExpected;
    mix.push(d(mixAt));
    full.push(d(fullAt));
    oracle.push(d(oracleAt));
    const e = row.variants[base.name] ?? null;
    ev.push(e === null ? Number.POSITIVE_INFINITY : e / row.sprtExpected);
    void meta;
  }
  const med = (v: number[]) => {
    const sorted = [...v].sort((a, c) => a - c);
    return (
      ((sorted[Math.floor((sorted.length - 1) / 2)] as number) +
        (sorted[Math.ceil((sorted.length - 1) / 2)] as number)) /
      2
    );
  };
  process.stdout.write(
    `conditional (n=${mix.length}): evaluator test ${med(ev).toFixed(2)}, conditional mixture ${med(mix).toFixed(2)}, with prior+cap+dispersion ${med(full).toFixed(2)}, conditional oracle ratio ${med(oracle).toFixed(2)}\n`,
  );
}
