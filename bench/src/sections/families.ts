import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { quantile, type ReplayResult, replayScenario, type Scenario } from '@rollgate/testkit/scenarios';
import type { Decision } from '../peers/peer-decision';
import { PEERS, type PeerController } from '../peers/peers';
import { DEV_SET, HELD_OUT_SET } from '../scenarios/families';
import { type FamilySet, generateFamilies } from '../scenarios/family-corpus';
import type { BenchContext, BenchModule, BenchSection } from '../section';

/**
 * Decision quality per scenario family (issue 12's failure classes): Rollgate through
 * `replayScenario` (the real evaluator and rollback machine, default contract) and the peer
 * emulations, on the DEV seeds (which changes were tuned on) and the HELD-OUT seeds (scored only).
 */

/** Scenarios per family and set in the full run (`--quick`: fewer). */
export const FAMILY_COUNT = 12;
const QUICK_COUNT = 4;

/** Rollgate's outcome on one scenario, with what the audit says about recovery. */
export interface RollgateOutcome extends Decision {
  /** `verified`, `not-recovered`, `insufficient-evidence`; null when there was no rollback. */
  readonly recovery: string | null;
}

/** One controller's tally over a set of scenarios. */
export interface Tally {
  readonly scenarios: number;
  readonly bad: number;
  readonly detected: number;
  readonly healthy: number;
  readonly incidents: number;
  readonly falseRollbacks: number;
  readonly routed: number;
  readonly delays: readonly number[];
  /** Delay / Wald SPRT expected time of each error-rate fault (Infinity when missed). */
  readonly sprtRatios: readonly number[];
  /** The same on the step grid ({@link gridRatio}; Infinity when missed). */
  readonly sprtGridRatios: readonly number[];
}

/**
 * A fault's delay against the SPRT reference on the replay's step grid (issue 12, session 18):
 * the seconds of fault data the decision had seen, `delay + step` (a decision on the fault's
 * first step has seen that one step; the families table counts its delay as 0), over the
 * seconds the reference needs on the same grid, the first step boundary at or after Wald's
 * expected time, `step x ceil(T / step)` (at least one step: no controller decides between
 * steps). 1 is the SPRT itself on the grid; a fault the SPRT expects to decide within its first
 * step and Rollgate confirms on its second is 2, where the time ratio says 5 s / T.
 */
export function gridRatio(delaySeconds: number, sprtSeconds: number, stepSeconds: number): number {
  const reference = stepSeconds * Math.max(1, Math.ceil(sprtSeconds / stepSeconds - 1e-9));
  return (delaySeconds + stepSeconds) / reference;
}

/** Scores decisions as FORMAT.md does, plus the delay / SPRT ratios of error faults. */
export function tally(
  items: readonly { scenario: Scenario; sprt: number | null; decision: Decision }[],
): Tally {
  let bad = 0;
  let detected = 0;
  let healthy = 0;
  let incidents = 0;
  let falseRollbacks = 0;
  let routed = 0;
  const delays: number[] = [];
  const sprtRatios: number[] = [];
  const sprtGridRatios: number[] = [];
  for (const { scenario, sprt, decision } of items) {
    const truth = scenario.truth.verdict;
    const rolled = decision.decision === 'rollback';
    if (truth === 'rollback') {
      bad++;
      const start = scenario.truth.faultStartStep ?? scenario.deployAtStep;
      const delay =
        rolled && decision.decidedAtStep !== null && decision.decidedAtStep >= start
          ? (decision.decidedAtStep - start) * scenario.stepSeconds
          : null;
      if (rolled) detected++;
      if (delay !== null) delays.push(delay);
      if (sprt !== null) sprtRatios.push(delay === null ? Number.POSITIVE_INFINITY : delay / sprt);
      if (sprt !== null) {
        sprtGridRatios.push(
          delay === null ? Number.POSITIVE_INFINITY : gridRatio(delay, sprt, scenario.stepSeconds),
        );
      }
    } else {
      if (truth === 'keep') healthy++;
      else incidents++;
      if (rolled) falseRollbacks++;
      if (truth === 'incident' && decision.decision === 'incident') routed++;
    }
  }
  return {
    scenarios: items.length,
    bad,
    detected,
    healthy,
    incidents,
    falseRollbacks,
    routed,
    delays,
    sprtRatios,
    sprtGridRatios,
  };
}

/** The median of values that may hold Infinity (a missed fault). */
export function medianOf(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const lo = sorted[Math.floor((sorted.length - 1) / 2)] as number;
  const hi = sorted[Math.ceil((sorted.length - 1) / 2)] as number;
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return Number.isFinite(lo) ? hi : lo;
  return quantile(sorted, 0.5);
}

function rollgateDecision(r: ReplayResult): RollgateOutcome {
  return {
    decision: r.decision,
    decidedAtStep: r.decidedAtStep,
    signal: r.signal,
    reason: r.reason,
    recovery:
      r.audit?.recovery == null
        ? null
        : ((r.audit.recovery as { status?: string }).status ??
          (r.audit.recovery.verified ? 'verified' : 'not-verified')),
  };
}

/** Everything one set's run produced. */
export interface FamilyRun {
  readonly set: string;
  readonly families: readonly {
    readonly set: FamilySet;
    readonly items: readonly {
      readonly scenario: Scenario;
      readonly sprt: number | null;
      readonly rollgate: RollgateOutcome;
      readonly peers: readonly Decision[];
    }[];
  }[];
}

/** Replays every scenario of the set's families through Rollgate and the peers. */
export async function runFamilySet(
  set: string,
  count: number,
  options: { only?: readonly string[]; peers?: readonly PeerController[]; log?: (m: string) => void } = {},
): Promise<FamilyRun> {
  const peers = options.peers ?? PEERS;
  const families = [];
  for (const familySet of generateFamilies(set, count, options.only)) {
    const items = [];
    for (const { scenario, meta } of familySet.scenarios) {
      const replay = await replayScenario(scenario);
      items.push({
        scenario,
        sprt: typeof meta.sprt_seconds === 'number' ? meta.sprt_seconds : null,
        rollgate: rollgateDecision(replay),
        peers: peers.map((p) => p.decide(scenario)),
      });
    }
    options.log?.(`families: ${set}/${familySet.family.id}: ${items.length} scenarios`);
    families.push({ set: familySet, items });
    await new Promise((r) => setImmediate(r));
  }
  return { set, families };
}

const ratio = (x: number | null) => (x === null ? 'n/a' : Number.isFinite(x) ? x.toFixed(2) : '∞');

/** The cell of one controller on one family: what it got right, in the family's terms. */
function familyCell(t: Tally): string {
  if (t.bad > 0) {
    const median = medianOf(t.delays);
    return `${t.detected}/${t.bad}${median === null ? '' : `, ${median.toFixed(0)} s`}`;
  }
  if (t.incidents > 0) return `${t.falseRollbacks} FR, ${t.routed}/${t.incidents} routed`;
  return `${t.falseRollbacks} FR / ${t.healthy}`;
}

/** The per-family table of one set, and the six-class summary. */
export function familySections(run: FamilyRun, peers: readonly PeerController[] = PEERS): BenchSection[] {
  const label = run.set === DEV_SET ? 'DEV seeds (tuned on)' : 'HELD-OUT seeds (scored only)';
  const rows: (string | number)[][] = [];
  const all: { scenario: Scenario; sprt: number | null; decision: Decision }[] = [];
  const peerAll: { scenario: Scenario; sprt: number | null; decision: Decision }[][] = peers.map(() => []);
  const recoveries = new Map<string, number>();
  for (const { set, items } of run.families) {
    const mine = items.map((i) => ({ scenario: i.scenario, sprt: i.sprt, decision: i.rollgate }));
    all.push(...mine);
    for (const i of items) {
      if (i.rollgate.recovery)
        recoveries.set(i.rollgate.recovery, (recoveries.get(i.rollgate.recovery) ?? 0) + 1);
    }
    const t = tally(mine);
    const peerCells = peers.map((_, k) => {
      const theirs = items.map((i) => ({
        scenario: i.scenario,
        sprt: i.sprt,
        decision: i.peers[k] as Decision,
      }));
      peerAll[k]?.push(...theirs);
      return familyCell(tally(theirs));
    });
    rows.push([
      set.family.id,
      set.family.failureClass,
      set.family.truth,
      items.length,
      familyCell(t),
      t.sprtRatios.length > 0 ? ratio(medianOf(t.sprtRatios)) : '',
      t.sprtGridRatios.length > 0 ? ratio(medianOf(t.sprtGridRatios)) : '',
      ...peerCells,
    ]);
  }
  const total = tally(all);
  const summaryRow = (name: string, t: Tally) => [
    name,
    `${t.detected}/${t.bad}`,
    `${t.falseRollbacks}/${t.healthy + t.incidents}`,
    `${t.routed}/${t.incidents}`,
    medianOf(t.delays)?.toFixed(0) ?? 'n/a',
    `${ratio(medianOf(t.sprtRatios))} (n=${t.sprtRatios.length})`,
    ratio(medianOf(t.sprtGridRatios)),
  ];
  const perFamily: BenchSection = {
    title: `Decision quality per failure family: ${label}`,
    description:
      `Issue 12's failure classes as seeded families (bench/src/scenarios/families.ts), ${run.families[0]?.items.length ?? 0} ` +
      'draws each with varied parameters; a bad-deploy draw the data cannot show (no reference test sees it, ' +
      'one-look p >= 2e-4) is redrawn. Rollgate replays each through the real evaluator and rollback machine with the ' +
      'default contract (`rollgate backtest`). Cells: bad deploys detected / drawn and median delay; FR = false ' +
      'rollbacks; routed = incidents routed.',
    columns: [
      'Family',
      'Class',
      'Truth',
      'n',
      'Rollgate',
      'Rollgate delay / SPRT',
      'Rollgate delay / SPRT on the step grid',
      ...peers.map((p) => p.name),
    ],
    rows,
  };
  const summary: BenchSection = {
    title: `Decision quality over all families: ${label}`,
    description:
      'All the families of the table above together (scored as packages/testkit/scenarios/FORMAT.md describes). Median delay / SPRT: delay over Wald’s ' +
      'expected SPRT time (ramp-aware) for error-rate faults, a missed fault counting as infinite (issue 12’s metric). On the step grid: ' +
      'the seconds of fault data the decision had seen (delay + one step) over the first step boundary at or after the SPRT time (at least one step).',
    columns: [
      'Controller',
      'Bad deploys detected',
      'False rollbacks',
      'Incidents routed',
      'Median delay (s)',
      'Median delay / SPRT',
      'Median delay / SPRT on the step grid',
    ],
    rows: [
      summaryRow('Rollgate (default contract)', total),
      ...peers.map((p, k) => summaryRow(p.name, tally(peerAll[k] ?? []))),
    ],
    notes: [
      `Recovery after Rollgate's rollbacks: ${
        [...recoveries].map(([k, v]) => `${k} ${v}`).join(', ') || 'none'
      } (replay restores the pre-deploy telemetry, so every rollback here should verify).`,
    ],
  };
  return [perFamily, summary];
}

/** The families module of `pnpm bench`: the DEV and the HELD-OUT tables. */
export const familiesBench: BenchModule = async (ctx: BenchContext) => {
  const count = ctx.quick ? QUICK_COUNT : FAMILY_COUNT;
  const sections: BenchSection[] = [];
  for (const set of [DEV_SET, HELD_OUT_SET]) {
    const run = await runFamilySet(set, count, { log: (m) => ctx.log(m) });
    sections.push(...familySections(run));
  }
  return sections;
};

// Iterating: `node --conditions=source --import tsx bench/src/sections/families.ts [dev|held-out] [count] [family,...]`
// prints every scenario Rollgate got wrong and the per-family table.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [set = DEV_SET, count = String(FAMILY_COUNT), only] = process.argv.slice(2);
  const run = await runFamilySet(set, Number(count), {
    ...(only ? { only: only.split(',') } : {}),
    peers: PEERS.slice(0, 1),
    log: (m) => process.stderr.write(`${m}\n`),
  });
  for (const { items } of run.families) {
    for (const i of items) {
      const truth = i.scenario.truth.verdict;
      const d = i.rollgate;
      const wrong =
        (truth === 'rollback' && d.decision !== 'rollback') ||
        (truth !== 'rollback' && d.decision === 'rollback') ||
        (truth === 'incident' && d.decision !== 'incident');
      const delay =
        truth === 'rollback' && d.decision === 'rollback' && d.decidedAtStep !== null
          ? ` +${(d.decidedAtStep - (i.scenario.truth.faultStartStep ?? 0)) * 5}s`
          : '';
      const sprt = i.sprt === null ? '' : ` sprt=${i.sprt.toFixed(1)}s`;
      process.stdout.write(
        `${wrong ? '!' : ' '} ${i.scenario.name.padEnd(28)} ${truth.padEnd(8)} ${d.decision.padEnd(8)}${delay}${sprt} ${d.recovery ?? ''} | ${d.reason.slice(0, 220)}\n`,
      );
    }
  }
  for (const section of familySections(run, PEERS.slice(0, 1))) {
    process.stdout.write(`\n## ${section.title}\n${section.columns.join(' | ')}\n`);
    for (const row of section.rows) process.stdout.write(`${row.join(' | ')}\n`);
    for (const note of section.notes ?? []) process.stdout.write(`- ${note}\n`);
  }
}
